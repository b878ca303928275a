/**
 * The per-file pipeline: plain data → variables → schema → rules → (when clean) normalize.
 */
import type { DesiredStack } from '../model/desired.js';
import { reportIssues } from './issues.js';
import type { ManifestSource } from './load.js';
import { normalizeManifest } from './normalize.js';
import { hasErrors, type Problem } from './problems.js';
import { Reporter } from './report.js';
import { checkRules, type CheckedManifest } from './rules.js';
import {
  ApplicationSchema,
  ManifestSchema,
  OutputSchema,
  PolicySchema,
  STACK_NAME,
  STACK_NAME_MAX,
  type ManifestApplication,
  type ManifestOutput,
  type ManifestPolicy,
} from './schema.js';
import { isRecord, resolveVariables, substituteVariables, type VariableInputs } from './variables.js';

export interface FileCheck {
  problems: Problem[];
  /** Variables this file declares (to catch --var names nobody declares). */
  declared: Set<string>;
  /** The stack name when valid, even if the file has other errors (for cross-file checks). */
  stackName?: string;
  /** Output paths that passed the schema, with their index. */
  outputPaths: Array<{ path: string; index: number }>;
  /** The desired stack, only when this file has no errors. */
  stack?: DesiredStack;
}

export function checkManifest(source: ManifestSource, yamlProblems: Problem[], inputs: VariableInputs): FileCheck {
  const empty: FileCheck = { problems: yamlProblems, declared: new Set(), outputPaths: [] };
  // A file with YAML syntax errors has an unreliable tree: report only those, like a compiler's parse
  // errors. A duplicate key leaves a sound tree (the last entry wins), so checking goes on.
  if (hasErrors(yamlProblems.filter((p) => p.code !== 'duplicate-key'))) return empty;
  const report = new Reporter(source);
  let tree: unknown;
  try {
    tree = source.doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (e) {
    report.add('yaml-syntax', [], `YAML: ${(e as Error).message}`);
    return { ...empty, problems: [...yamlProblems, ...report.problems] };
  }
  if (!isRecord(tree)) {
    report.add('wrong-type', [], 'A manifest must be a mapping with stack:, applications:, outputs:, variables: and conditionalAccessPolicies:');
    return { ...empty, problems: [...yamlProblems, ...report.problems] };
  }

  const vars = resolveVariables(source, tree, inputs);
  const sub = substituteVariables(source, tree, vars);
  const parsed = ManifestSchema.safeParse(sub.tree);
  if (!parsed.success) reportIssues(parsed.error.issues, { report, data: sub.tree, schema: ManifestSchema, tainted: sub.tainted });
  const checked = partialManifest(source, sub.tree);
  checkRules(checked, report);

  // Problems at a string that still holds an unresolved reference are consequences of that reference.
  const own = report.problems.filter((p) => !(p.path && sub.tainted.has(p.path)));
  const problems = [...yamlProblems, ...vars.problems, ...sub.problems, ...own];
  const result: FileCheck = {
    problems,
    declared: vars.declared,
    stackName: checked.stack,
    outputPaths: checked.outputs.map((o) => ({ path: o.output.path, index: o.index })),
  };
  if (parsed.success && !hasErrors(problems)) {
    result.stack = normalizeManifest({ source, manifest: parsed.data, variables: vars.values });
  }
  return result;
}

/** The parts of the manifest that pass the schema on their own, so rules can check them. */
function partialManifest(source: ManifestSource, tree: unknown): CheckedManifest {
  const root = isRecord(tree) ? tree : {};
  const stack = typeof root.stack === 'string' && root.stack.length <= STACK_NAME_MAX && STACK_NAME.test(root.stack) ? root.stack : undefined;
  const apps = new Map<string, ManifestApplication>();
  const appKeys = new Set<string>();
  if (isRecord(root.applications)) {
    for (const [key, value] of Object.entries(root.applications)) {
      appKeys.add(key);
      const r = ApplicationSchema.safeParse(value);
      if (r.success) apps.set(key, r.data);
    }
  }
  const outputs: Array<{ index: number; output: ManifestOutput }> = [];
  if (Array.isArray(root.outputs)) {
    root.outputs.forEach((o, index) => {
      const r = OutputSchema.safeParse(o);
      if (r.success) outputs.push({ index, output: r.data });
    });
  }
  const policies = new Map<string, ManifestPolicy>();
  const policyKeys = new Set<string>();
  if (isRecord(root.conditionalAccessPolicies)) {
    for (const [key, value] of Object.entries(root.conditionalAccessPolicies)) {
      policyKeys.add(key);
      const r = PolicySchema.safeParse(value);
      if (r.success) policies.set(key, r.data);
    }
  }
  return { source, stack, apps, appKeys, outputs, policies, policyKeys };
}
