/**
 * The per-file pipeline: plain data → variables → schema → rules → (when clean) normalize.
 */
import { isMap, isScalar } from 'yaml';
import type { DesiredStack } from '../model/desired.js';
import { reportIssues } from './issues.js';
import type { ManifestSource } from './load.js';
import { normalizeManifest } from './normalize.js';
import { closest, hasErrors, type Problem } from './problems.js';
import { Reporter } from './report.js';
import { checkRules, type CheckedManifest } from './rules.js';
import {
  ApplicationSchema,
  ManifestSchema,
  OutputSchema,
  PolicySchema,
  STACK_NAME,
  STACK_NAME_MAX,
  type Manifest,
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
  /** Fixed identifier URIs (no `{appId}`) of applications that passed the schema, for the check across files. */
  identifierUris: Array<{ uri: string; app: string; index: number }>;
  /** The desired stack, only when this file has no errors. */
  stack?: DesiredStack;
}

export function checkManifest(source: ManifestSource, yamlProblems: Problem[], inputs: VariableInputs): FileCheck {
  const empty: FileCheck = { problems: yamlProblems, declared: new Set(), outputPaths: [], identifierUris: [] };
  // A file with YAML syntax errors has an unreliable tree: report only those, like a compiler's parse
  // errors. A duplicate key leaves a sound tree (the last entry wins), so checking goes on.
  const syntax = yamlProblems.filter((p) => p.code !== 'duplicate-key' && p.severity === 'error');
  if (syntax.length) {
    // README.md passed by mistake is hundreds of YAML errors: a few show it, then say what it is, once.
    if (syntax.length > NOT_A_MANIFEST_AFTER && !topLevelKeys(source).some(isManifestKey)) {
      const why = `${syntax.length} YAML syntax errors (the first ${NOT_A_MANIFEST_AFTER} are listed) and none of the top-level keys of a manifest`;
      return { ...empty, problems: [...syntax.slice(0, NOT_A_MANIFEST_AFTER), notAManifest(source, why)] };
    }
    return empty;
  }
  const report = new Reporter(source);
  let tree: unknown;
  try {
    tree = source.doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (e) {
    report.add('yaml-syntax', [], `YAML: ${(e as Error).message}`);
    return { ...empty, problems: [...yamlProblems, ...report.problems] };
  }
  if (!isRecord(tree)) {
    report.add(
      'wrong-type',
      [],
      `This is not a tenantform manifest: it holds ${Array.isArray(tree) ? 'a list' : `a single ${typeof tree}`}, and a manifest is a mapping with stack:, applications:, outputs:, variables: and conditionalAccessPolicies:`,
      { hint: NOT_A_MANIFEST_HINT },
    );
    return { ...empty, problems: [...yamlProblems, ...report.problems] };
  }
  // A mapping none of whose keys is (or nearly is) a manifest key — package.json, a Kubernetes object — is
  // another kind of file: one problem, not one "unknown key" per key and a missing stack:.
  const keys = Object.keys(tree);
  if (keys.length && !keys.some(isManifestKey)) {
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
    return {
      ...empty,
      problems: [...yamlProblems, notAManifest(source, `its top-level keys (${shown}) include none of ${MANIFEST_KEYS.map((k) => `${k}:`).join(', ')}`)],
    };
  }

  const vars = resolveVariables(source, tree, inputs);
  const sub = substituteVariables(source, tree, vars);
  const parsed = ManifestSchema.safeParse(sub.tree);
  if (!parsed.success) reportIssues(parsed.error.issues, { report, data: sub.tree, schema: ManifestSchema, tainted: sub.tainted });
  const checked = partialManifest(source, sub.tree, parsed.success ? parsed.data : undefined);
  checkRules(checked, report);

  // Problems at a string that still holds an unresolved reference are consequences of that reference.
  const own = report.problems.filter((p) => !(p.path && sub.tainted.has(p.path)));
  const problems = [...yamlProblems, ...vars.problems, ...sub.problems, ...own];
  const result: FileCheck = {
    problems,
    declared: vars.declared,
    stackName: checked.stack,
    outputPaths: checked.outputs.map((o) => ({ path: o.output.path, index: o.index })),
    identifierUris: [...checked.apps].flatMap(([app, a]) => a.identifierUris.flatMap((uri, index) => (uri.includes('{appId}') ? [] : [{ uri, app, index }]))),
  };
  if (parsed.success && !hasErrors(problems)) {
    result.stack = normalizeManifest({ source, manifest: parsed.data, variables: vars.values });
  }
  return result;
}

/** YAML syntax errors shown before a file that does not look like a manifest is called one. */
const NOT_A_MANIFEST_AFTER = 3;
const MANIFEST_KEYS = ['stack', 'variables', 'applications', 'outputs', 'conditionalAccessPolicies'];
const NOT_A_MANIFEST_HINT = 'check the path you passed: a manifest is a .yaml file with stack: and applications:, e.g. manifests/todolist-daemon.yaml';

/** A manifest key, or a typo of one (`aplications:` is a manifest with a typo, not another kind of file). */
function isManifestKey(key: string): boolean {
  return MANIFEST_KEYS.includes(key) || closest(key, MANIFEST_KEYS) !== undefined;
}

/** The top-level keys of what the parser made of the file despite its errors (none when it is not a mapping). */
function topLevelKeys(source: ManifestSource): string[] {
  const root = source.doc.contents;
  return isMap(root) ? root.items.flatMap((i) => (isScalar(i.key) ? [String(i.key.value)] : [])) : [];
}

function notAManifest(source: ManifestSource, why: string): Problem {
  const ext = /\.[^./\\]+$/.exec(source.file)?.[0];
  const notYaml = ext && ext !== '.yaml' && ext !== '.yml' ? ` (a ${ext} file)` : '';
  return {
    code: 'not-a-manifest',
    severity: 'error',
    message: `${source.file}${notYaml} is not a tenantform manifest: ${why}`,
    location: { file: source.file, line: 1, column: 1 },
    hint: NOT_A_MANIFEST_HINT,
  };
}

/**
 * The parts of the manifest that pass the schema on their own, so rules can check them. When the whole manifest
 * passed (`whole`), its parts are those parts: the lenient schemas accept what the strict one did and give the
 * same data, so they are not run a second time (a key the parse did not keep as its own, e.g. `__proto__`, still is).
 */
function partialManifest(source: ManifestSource, tree: unknown, whole?: Manifest): CheckedManifest {
  const root = isRecord(tree) ? tree : {};
  const stack = typeof root.stack === 'string' && root.stack.length <= STACK_NAME_MAX && STACK_NAME.test(root.stack) ? root.stack : undefined;
  const apps = new Map<string, ManifestApplication>();
  const appKeys = new Set<string>();
  if (isRecord(root.applications)) {
    for (const [key, value] of Object.entries(root.applications)) {
      appKeys.add(key);
      const r =
        whole && Object.hasOwn(whole.applications, key) ? { success: true as const, data: whole.applications[key] } : ApplicationSchema.safeParse(value);
      if (r.success) apps.set(key, r.data);
    }
  }
  const outputs: Array<{ index: number; output: ManifestOutput }> = [];
  if (Array.isArray(root.outputs)) {
    root.outputs.forEach((o, index) => {
      const r = whole ? { success: true as const, data: whole.outputs[index] } : OutputSchema.safeParse(o);
      if (r.success) outputs.push({ index, output: r.data });
    });
  }
  const policies = new Map<string, ManifestPolicy>();
  const policyKeys = new Set<string>();
  if (isRecord(root.conditionalAccessPolicies)) {
    for (const [key, value] of Object.entries(root.conditionalAccessPolicies)) {
      policyKeys.add(key);
      const r =
        whole && Object.hasOwn(whole.conditionalAccessPolicies, key)
          ? { success: true as const, data: whole.conditionalAccessPolicies[key] }
          : PolicySchema.safeParse(value);
      if (r.success) policies.set(key, r.data);
    }
  }
  return { source, stack, apps, appKeys, outputs, policies, policyKeys };
}
