/**
 * The manifest layer: YAML files → validated, normalized desired state. No network.
 *
 *   load (YAML with positions) → variables → schema → rules → normalize
 *
 * Validation reports every problem at once, each with file:line:column; normalization runs only
 * when there are no errors (warnings do not block).
 */
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { TenantformError } from '../errors.js';
import type { DesiredStack } from '../model/desired.js';
import { checkManifest, type FileCheck } from './check.js';
import { expandManifestPaths, parseManifestText, readManifest, type ManifestSource } from './load.js';
import { locate } from './locate.js';
import { didYouMean, hasErrors, sortProblems, type Problem } from './problems.js';
import { lineCol } from './report.js';
import type { VariableInputs } from './variables.js';

export type { Problem, ProblemCode, Severity } from './problems.js';
export { parseVarArgs, VAR_ENV_PREFIX } from './variables.js';
export { manifestJsonSchema, manifestSchemaText } from './schema.js';

export interface ManifestOptions {
  /** Values from `--var name=value`. */
  vars?: Readonly<Record<string, string>>;
  /** Where TENANTFORM_VAR_<name> is read from. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative manifest paths. Default: process.cwd(). */
  cwd?: string;
}

export interface ValidationResult {
  /** True when there is no error (warnings allowed). */
  ok: boolean;
  /** Every problem, sorted by file, line, column. */
  problems: Problem[];
  /** The desired stacks, when ok (else empty). */
  stacks: DesiredStack[];
  /** The manifest files read (directories expanded). */
  files: string[];
}

/** Files checked between two turns of the event loop (~30 ms of work). */
const YIELD_EVERY = 50;

/** Validate manifests and return all problems (throws only MANIFEST_NOT_FOUND / USAGE). */
export async function validateManifests(paths: readonly string[], opts: ManifestOptions = {}): Promise<ValidationResult> {
  const cwd = opts.cwd ?? process.cwd();
  const files = await expandManifestPaths(paths, { cwd });
  const inputs = { ...inputsOf(opts), cwd };
  const checked: CheckedFile[] = [];
  for (const [i, file] of files.entries()) {
    // The reads are synchronous (load.ts): let network I/O already under way (a sign-in) and signals through now and then.
    if (i > 0 && i % YIELD_EVERY === 0) await setImmediate();
    checked.push(checkFile(await readManifest(file, { cwd }), inputs));
  }
  return resultOf(checked, inputs);
}

/** The same for in-memory text (tests, editors): one file. */
export function validateManifestText(file: string, text: string, opts: ManifestOptions = {}): ValidationResult {
  const inputs = { ...inputsOf(opts), cwd: opts.cwd ?? process.cwd() };
  return resultOf([checkFile(parseManifestText(file, text), inputs)], inputs);
}

/**
 * Load manifests into desired stacks, or throw TenantformError('VALIDATION_FAILED', …, { problems })
 * with every problem. Warnings come back with the stacks.
 */
export async function loadManifests(paths: readonly string[], opts: ManifestOptions = {}): Promise<{ stacks: DesiredStack[]; warnings: Problem[] }> {
  const result = await validateManifests(paths, opts);
  if (!result.ok) {
    const errors = result.problems.filter((p) => p.severity === 'error').length;
    throw new TenantformError('VALIDATION_FAILED', `The manifests have ${errors} ${errors === 1 ? 'error' : 'errors'}; run tenantform validate for the list`, {
      problems: result.problems,
    });
  }
  return { stacks: result.stacks, warnings: result.problems };
}

function inputsOf(opts: ManifestOptions): VariableInputs {
  return { vars: opts.vars ?? {}, env: opts.env ?? process.env };
}

/**
 * One file, checked as soon as it is parsed. Its YAML tree is not kept: a thousand trees alive until the last file
 * was checked doubled the garbage collector's share of the load. The few cross-file problems that need a location
 * in an earlier file (an error path) parse its text again, which gives the same tree.
 */
interface CheckedFile {
  file: string;
  check: FileCheck;
  source(): ManifestSource;
}

function checkFile(loaded: { source: ManifestSource; problems: Problem[] }, opts: VariableInputs & { cwd: string }): CheckedFile {
  const check = checkManifest(loaded.source, loaded.problems, opts);
  const { file, text } = loaded.source;
  let again: ManifestSource | undefined;
  return { file, check, source: () => (again ??= parseManifestText(file, text).source) };
}

function resultOf(checks: CheckedFile[], opts: VariableInputs & { cwd: string }): ValidationResult {
  const problems = [...checks.flatMap((c) => c.check.problems), ...crossFileProblems(checks, opts)];
  const ok = !hasErrors(problems);
  const stacks = ok ? checks.map((c) => c.check.stack!) : [];
  return { ok, problems: sortProblems(problems), stacks, files: checks.map((c) => c.file) };
}

/** Problems only visible across files: one stack in two files, one output file written twice, unknown --var. */
function crossFileProblems(checks: CheckedFile[], opts: VariableInputs & { cwd: string }): Problem[] {
  const problems: Problem[] = [];
  const stackSeen = new Map<string, CheckedFile>();
  const outputSeen = new Map<string, { entry: CheckedFile; stack: string; index: number }>();
  for (const entry of checks) {
    const { check } = entry;
    if (check.stackName === undefined) continue;
    const first = stackSeen.get(check.stackName);
    if (first) {
      problems.push({
        code: 'duplicate-stack',
        severity: 'error',
        message: `Stack "${check.stackName}" is also declared in ${first.file}:${lineCol(locate(first.source(), ['stack']))}`,
        location: locate(entry.source(), ['stack']),
        path: 'stack',
        hint: 'each stack lives in exactly one manifest file; rename one of them',
      });
    } else stackSeen.set(check.stackName, entry);
    for (const { path: file, index } of check.outputPaths) {
      const abs = path.resolve(opts.cwd, file);
      const prev = outputSeen.get(abs);
      if (!prev) outputSeen.set(abs, { entry, stack: check.stackName, index });
      else if (prev.entry !== entry) {
        problems.push({
          code: 'duplicate-value',
          severity: 'error',
          message: `Output path "${file}" is also written by stack "${prev.stack}" (${prev.entry.file}:${lineCol(locate(prev.entry.source(), ['outputs', prev.index, 'path']))})`,
          location: locate(entry.source(), ['outputs', index, 'path']),
          path: `outputs[${index}].path`,
        });
      }
    }
  }
  // Identifier URIs are unique in a tenant: two stacks claiming one would fail at apply, after other writes, with
  // an answer the retry table takes for replication lag (400 Request_BadRequest) and waits out until the deadline.
  const uriSeen = new Map<string, { entry: CheckedFile; stack: string; app: string; index: number }>();
  for (const entry of checks) {
    const { check } = entry;
    if (check.stackName === undefined) continue;
    for (const u of check.identifierUris) {
      const prev = uriSeen.get(u.uri.toLowerCase());
      if (!prev) uriSeen.set(u.uri.toLowerCase(), { entry, stack: check.stackName, app: u.app, index: u.index });
      else if (prev.entry !== entry) {
        problems.push({
          code: 'duplicate-value',
          severity: 'error',
          message: `Identifier URI "${u.uri}" is also used by application "${prev.app}" of stack "${prev.stack}" (${prev.entry.file}:${lineCol(locate(prev.entry.source(), ['applications', prev.app, 'identifierUris', prev.index]))}); identifier URIs are unique in a tenant`,
          location: locate(entry.source(), ['applications', u.app, 'identifierUris', u.index]),
          path: `applications.${u.app}.identifierUris[${u.index}]`,
        });
      }
    }
  }
  const declared = new Set(checks.flatMap((c) => [...c.check.declared]));
  for (const name of Object.keys(opts.vars)) {
    if (declared.has(name) || checks.length === 0) continue;
    problems.push({
      code: 'unknown-variable',
      severity: 'error',
      message: `--var ${name} sets a variable that no manifest declares`,
      location: locate(checks[0].source(), ['variables'], { target: 'key' }),
      hint: didYouMean(name, declared) ?? (declared.size ? `declared variables: ${[...declared].join(', ')}` : 'declare it under variables: in the manifest'),
    });
  }
  return problems;
}
