/**
 * Turn zod issues into problems with our stable codes, readable messages and exact locations.
 */
import type { z } from 'zod';
import { didYouMean, echo, formatPath, type TreePath } from './problems.js';
import type { Reporter } from './report.js';

type Issue = z.core.$ZodIssue;

export interface IssueContext {
  report: Reporter;
  /** The validated data, to tell a missing field from a wrong one and to quote bad values. */
  data: unknown;
  /** The schema validated, for "did you mean" hints on unknown keys. */
  schema: z.ZodType;
  /** Paths whose strings hold unresolved references: already reported, so skipped here. */
  tainted: ReadonlySet<string>;
}

export function reportIssues(issues: readonly Issue[], ctx: IssueContext, prefix: TreePath = []): void {
  for (const issue of issues) reportIssue(issue, ctx, [...prefix, ...(issue.path as (string | number)[])]);
}

function reportIssue(issue: Issue, ctx: IssueContext, path: TreePath): void {
  const { report } = ctx;
  if (ctx.tainted.has(formatPath(path))) return;
  const value = valueAt(ctx.data, path);
  const where = describe(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = objectKeysAt(ctx.schema, path);
      for (const key of issue.keys) {
        const hint = didYouMean(key, known) ?? (known.length ? `allowed keys: ${known.join(', ')}` : undefined);
        report.add('unknown-key', [...path, key], `Unknown key "${key}" in ${where || 'the manifest'}`, { target: 'key', hint });
      }
      return;
    }
    case 'invalid_type': {
      if (value === undefined) {
        const parent = path.slice(0, -1);
        report.add('missing-field', parent, `${describe(parent) || 'The manifest'} is missing the required key "${String(path[path.length - 1])}"`, {
          target: parent.length ? 'key' : 'value',
        });
      } else {
        report.add('wrong-type', path, `${where} must be ${article(issue.expected)}, not ${article(typeOf(value))}`);
      }
      return;
    }
    case 'invalid_union': {
      // Pick the branch that matches the value's type and report its issues; else it is a type error.
      const branch = issue.errors.find((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (branch) reportIssues(branch, ctx, path);
      else {
        const expected = issue.errors.flatMap((b) =>
          b.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => article((i as { expected: string }).expected)),
        );
        report.add('wrong-type', path, `${where} must be ${[...new Set(expected)].join(' or ')}, not ${article(typeOf(value))}`);
      }
      return;
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      report.add('invalid-value', path, `${where} must be one of ${allowed}, not ${echo(value)}`, {
        hint: typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : undefined,
      });
      return;
    }
    case 'invalid_format': {
      if (issue.format === 'guid' || issue.format === 'uuid') {
        report.add('invalid-guid', path, `${where} must be a GUID, not ${echo(value)}`, { hint: 'like 00000000-0000-0000-0000-000000000000' });
      } else report.add('invalid-value', path, `${where}: ${issue.message}, not ${echo(value)}`);
      return;
    }
    case 'too_small': {
      const empty = issue.minimum === 1;
      const noun = issue.origin === 'array' ? 'list' : issue.origin === 'string' ? 'string' : 'value';
      report.add('invalid-value', path, empty ? `${where} must not be an empty ${noun}` : `${where} is too small (minimum ${String(issue.minimum)})`);
      return;
    }
    case 'too_big':
      report.add('invalid-value', path, `${where} is too long (maximum ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''})`);
      return;
    default:
      report.add('invalid-value', path, `${where}: ${issue.message}`);
  }
}

/** `applications.api.appRoles[1].value`, or '' for the root. */
export function describe(path: TreePath): string {
  return formatPath(path);
}

function valueAt(data: unknown, path: TreePath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** YAML words: a list, a mapping. */
function article(type: string): string {
  const words: Record<string, string> = {
    array: 'a list',
    object: 'a mapping',
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
    null: 'empty',
    undefined: 'missing',
  };
  return words[type] ?? type;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

/** The keys an object schema at this data path allows (walking through lists, maps, unions, defaults). */
export function objectKeysAt(schema: z.ZodType, path: TreePath): string[] {
  let nodes: z.ZodType[] = [schema];
  for (const seg of [...path, null]) {
    const expanded = nodes.flatMap(unwrap);
    if (seg === null) return [...new Set(expanded.flatMap((s) => Object.keys(def(s).shape ?? {})))];
    nodes = expanded.flatMap((s) => {
      const d = def(s);
      if (d.type === 'object' && typeof seg === 'string' && d.shape?.[seg]) return [d.shape[seg]];
      if (d.type === 'array' && typeof seg === 'number' && d.element) return [d.element];
      if (d.type === 'record' && d.valueType) return [d.valueType];
      return [];
    });
  }
  return [];
}

function def(s: z.ZodType): SchemaDef {
  return (s as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

function unwrap(s: z.ZodType): z.ZodType[] {
  const d = def(s);
  if (d.innerType) return unwrap(d.innerType);
  if (d.type === 'union' && d.options) return d.options.flatMap(unwrap);
  if (d.type === 'pipe' && d.in) return unwrap(d.in);
  return [s];
}
