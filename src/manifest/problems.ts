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
  | 'reference-cycle'; // variable defaults that reference each other

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

/** Closest candidate by edit distance (for "did you mean" hints), or undefined when none is close. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean "${c}"?`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
