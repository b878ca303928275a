import type { SourceLocation } from '../errors.js';

/**
 * Stable problem codes. Tools and tests match on these, never on messages; add new codes, never rename.
 */
export type ProblemCode =
  | 'yaml-syntax' // the file is not valid YAML (or has several documents)
  | 'duplicate-key' // the same key twice in one YAML mapping
  | 'unknown-key' // a key the schema does not define
  | 'wrong-type' // e.g. a list where a string belongs
  | 'missing-field' // a required key is absent
  | 'invalid-value' // right type, value not allowed (enum, pattern, range, rule)
  | 'invalid-guid'
  | 'invalid-uri'
  | 'duplicate-value' // a value that must be unique appears twice (role/scope values, names, paths)
  | 'duplicate-id' // an explicit role/scope id appears twice
  | 'duplicate-stack' // two manifest files declare the same stack
  | 'dangling-reference' // a reference to something that is not declared
  | 'invalid-reference' // a `${...}` that is not well formed
  | 'unresolved-variable' // a declared variable with no value from --var, environment or default
  | 'unknown-variable' // --var sets a variable no manifest declares
  | 'reference-cycle' // variable defaults that reference each other
  | 'not-a-manifest' // the file is not a tenantform manifest at all (README.md passed by mistake): reported once
  | 'unresolved-api' // plan time: a permission's api names nothing in the tenant (no service principal by that name or appId)
  | 'unresolved-permission' // plan time: a role or scope value the API does not publish
  | 'unresolved-client'; // plan time: a known/pre-authorized client appId that is not in the tenant

export type Severity = 'error' | 'warning';

/** One finding about a manifest. Validation returns all of them at once, sorted by location. */
export interface Problem {
  code: ProblemCode;
  severity: Severity;
  message: string;
  location: SourceLocation;
  /** Where in the manifest, e.g. `applications.api.appRoles[1].value`. */
  path?: string;
  /** What to do about it. */
  hint?: string;
}

/** A path into the manifest tree: map keys and list indices. */
export type TreePath = ReadonlyArray<string | number>;

/** `applications.api.appRoles[1].value` */
export function formatPath(path: TreePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Sort by file, line, column (stable for equal positions). */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.column - b.location.column,
  );
}

// One rule for what counts as close, shared with the planner and the flag checks (model/closest.ts).
export { closest, didYouMean } from '../model/closest.js';
