import type { SourceLocation } from '../errors.js';
import type { ManifestSource } from './load.js';
import { locate, locateInScalar } from './locate.js';
import { formatPath, type Problem, type ProblemCode, type Severity, type TreePath } from './problems.js';

export interface ReportOptions {
  /** Point at the key instead of the value (unknown keys, "this entry" problems). */
  target?: 'key' | 'value';
  /** Point at this text inside the scalar (e.g. a `${...}` reference) instead of its start. */
  needle?: string;
  hint?: string;
  severity?: Severity;
}

/** Collects the problems of one manifest, locating each from its tree path. */
export class Reporter {
  readonly problems: Problem[] = [];

  constructor(readonly source: ManifestSource) {}

  add(code: ProblemCode, path: TreePath, message: string, opts: ReportOptions = {}): Problem {
    const location = opts.needle ? locateInScalar(this.source, path, opts.needle) : locate(this.source, path, { target: opts.target });
    const p: Problem = {
      code,
      severity: opts.severity ?? 'error',
      message,
      location,
      path: formatPath(path),
      ...(opts.hint ? { hint: opts.hint } : {}),
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
