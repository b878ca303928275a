import type { SourceLocation } from '../errors.js';
import { closest as closestBy, didYouMean as didYouMeanBy } from '../model/closest.js';

/**
 * Stable problem codes. Tools and tests match on these, never on messages; add new codes, never rename.
 */
export type ProblemCode =
  | 'yaml-syntax' // the file is not valid YAML (or has several documents, or an alias without its anchor)
  | 'yaml-limit' // beyond what a manifest needs, refused before it costs time: nesting, alias expansion, recursive alias, size
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
  | 'unresolved-client' // plan time: a known/pre-authorized client appId that is not in the tenant
  | 'unresolved-user'; // plan time: a user (per-user consent, conditional access) the tenant does not have

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

/** Longest echo of a user's value in a message; a 1 MB value is quoted by its first characters. */
export const ECHO_MAX = 80;

/** A value quoted for a message (JSON), cut to ECHO_MAX characters with "…". */
export function echo(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value.length > ECHO_MAX ? value.slice(0, ECHO_MAX + 1) : value) : JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > ECHO_MAX + 2 ? `${text.slice(0, ECHO_MAX + 1)}…${text.startsWith('"') ? '"' : ''}` : text;
}

// A quoted run longer than ECHO_MAX (80), or a run without spaces longer than 120: what a rule echoed from a long value.
const LONG_QUOTED = /"((?:[^"\\\n]|\\.){80})(?:[^"\\\n]|\\.)+"/g;
const LONG_RUN = /(\S{120})\S{2,}/g;
/** Messages stay one readable line whatever the rule that wrote them quoted. */
const MESSAGE_MAX = 600;

/** Shorten the long values a message or hint quotes (see ECHO_MAX), and the message itself to MESSAGE_MAX. */
export function shortenEchoes(text: string): string {
  if (text.length <= ECHO_MAX) return text;
  const out = text.replace(LONG_QUOTED, '"$1…"').replace(LONG_RUN, '$1…');
  return out.length > MESSAGE_MAX ? `${out.slice(0, MESSAGE_MAX)}…` : out;
}

/** Problems of one kind (code) a reporter lists before it counts the rest in one "… and N more" problem. */
export const SAME_KIND_MAX = 50;

/**
 * Caps the problems of each kind: past SAME_KIND_MAX, one more problem (at the first one left out) counts the
 * rest, so 1 MB of `${var.x}` is 50 problems and a count, not 61,681 problems. `admit` says whether to list one.
 */
export class KindCap {
  private readonly seen = new Map<ProblemCode, number>();
  private readonly summaries = new Map<ProblemCode, { problem: Problem; more: number }>();

  constructor(private readonly max = SAME_KIND_MAX) {}

  /** True to list the problem; false when it was counted instead (`summary` makes the counting problem once). */
  admit(code: ProblemCode, summary: () => Problem, into: Problem[]): boolean {
    const n = (this.seen.get(code) ?? 0) + 1;
    this.seen.set(code, n);
    if (n <= this.max) return true;
    let s = this.summaries.get(code);
    if (!s) {
      s = { problem: summary(), more: 0 };
      this.summaries.set(code, s);
      into.push(s.problem);
    }
    s.more++;
    s.problem.message = `… and ${s.more.toLocaleString('en-US')} more of the same kind (${code}) in this file`;
    return false;
  }
}

/**
 * One rule for what counts as close, shared with the planner and the flag checks (model/closest.ts). Candidates
 * whose length alone puts them out of reach are left out first (the edit distance is at least the difference of
 * lengths), so the same answer costs nothing for a 1 MB value instead of an edit-distance table per candidate.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return closestBy(word, inReach(word, candidates));
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  return didYouMeanBy(word, inReach(word, candidates));
}

function inReach(word: string, candidates: Iterable<string>): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return [...candidates].filter((c) => Math.abs(c.length - word.length) <= limit);
}
