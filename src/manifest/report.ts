import type { SourceLocation } from '../errors.js';
import type { ManifestSource } from './load.js';
import { locate, locateUse, locateUseInScalar, type UseSite } from './locate.js';
import { formatPath, KindCap, shortenEchoes, type Problem, type ProblemCode, type Severity, type TreePath } from './problems.js';

export interface ReportOptions {
  /** Point at the key instead of the value (unknown keys, "this entry" problems). */
  target?: 'key' | 'value';
  /** Point at this text inside the scalar (e.g. a `${...}` reference) instead of its start. */
  needle?: string;
  hint?: string;
  severity?: Severity;
}

/**
 * Collects the problems of one manifest, locating each from its tree path. A value reached through an alias is
 * located at the alias, and the message says where the anchor holds it. Long echoed values are shortened, and
 * past SAME_KIND_MAX problems of one kind the rest are counted in one problem (see KindCap).
 */
export class Reporter {
  readonly problems: Problem[] = [];
  private readonly cap = new KindCap();

  constructor(readonly source: ManifestSource) {}

  add(code: ProblemCode, path: TreePath, message: string, opts: ReportOptions = {}): Problem {
    const severity = opts.severity ?? 'error';
    const use = (): UseSite => (opts.needle ? locateUseInScalar(this.source, path, opts.needle) : locateUse(this.source, path, { target: opts.target }));
    const summary = (): Problem => ({ code, severity, message: '', location: use().location });
    if (!this.cap.admit(code, summary, this.problems)) return this.problems[this.problems.length - 1];
    const site = use();
    const via = site.via ? ` (through alias ${site.via.alias}, defined at ${lineCol(site.via.defined)})` : '';
    const p: Problem = {
      code,
      severity,
      message: shortenEchoes(message) + via,
      location: site.location,
      path: formatPath(path),
      ...(opts.hint ? { hint: shortenEchoes(opts.hint) } : {}),
    };
    this.problems.push(p);
    return p;
  }

  /** Location of a path, for "(also at 8:9)" in messages. */
  where(path: TreePath, target: 'key' | 'value' = 'value'): SourceLocation {
    return locate(this.source, path, { target });
  }
}

/** `8:9`, for messages that point at a second place in the same file. */
export function lineCol(loc: SourceLocation): string {
  return `${loc.line}:${loc.column}`;
}

/** Report every repeat of a value at its own location, pointing back at the first occurrence. */
export function duplicates(
  items: ReadonlyArray<{ value: string; path: TreePath }>,
  report: Reporter,
  message: (value: string, also: string) => string,
  code: 'duplicate-value' | 'duplicate-id' = 'duplicate-value',
): void {
  const seen = new Map<string, TreePath>();
  for (const item of items) {
    const first = seen.get(item.value);
    if (!first) seen.set(item.value, item.path);
    else report.add(code, item.path, message(item.value, lineCol(report.where(first))));
  }
}
