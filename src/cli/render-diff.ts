import type { PlanNames } from './plan-names.js';

/**
 * Field values of a plan for people: collections element by element (a role added, one role's description
 * changed) instead of a line of JSON each side, and GUIDs named by what they stand for. Array elements are
 * matched by their identity (id, keyId, resourceAppId, appId, name), so a reordered list shows no element as
 * removed and added again, and a changed element shows only what changed in it.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const KEYS = ['id', 'keyId', 'resourceAppId', 'appId', 'name'] as const;

/** JSON with sorted keys: equality that does not depend on the order Graph returned properties in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** A scalar as the plan shows it; `{appId}` placeholders get filled when the apps exist. */
function scalar(v: unknown, names: PlanNames): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') {
    const named = names.guid(v);
    if (named) return `${named}${v.startsWith('{appId') ? ' (known after apply)' : ''}`;
    return v.includes('{appId') ? `${JSON.stringify(v)} (known after apply)` : JSON.stringify(v);
  }
  return JSON.stringify(v);
}

/** The property that identifies an element of a collection (Graph's own key for it). */
function keyField(e: unknown): string | undefined {
  if (!isObj(e)) return undefined;
  return KEYS.find((k) => typeof e[k] === 'string');
}
const keyOf = (e: unknown): string | undefined => {
  const k = keyField(e);
  return k ? String((e as Obj)[k]) : undefined;
};
const LABELS = ['value', 'name', 'displayName'] as const;
const labelField = (e: Obj) => LABELS.find((k) => typeof e[k] === 'string' && e[k] !== '');

/** What people call an element: its value or name, a GUID by what it names, else its key. */
function labelOf(e: unknown, names: PlanNames): string {
  if (typeof e === 'string') return names.guid(e) ?? e;
  if (!isObj(e)) return scalar(e, names);
  const field = labelField(e);
  const key = keyOf(e);
  const unnamed = keyField(e) === 'resourceAppId' ? `appId ${key}` : key;
  const text = field ? String(e[field]) : key ? (names.guid(key) ?? unnamed ?? key) : canonical(e);
  return typeof e.type === 'string' ? `${e.type} ${text}` : text;
}

/** The rest of an element on one line: `description "X", allowedMemberTypes [Application], isEnabled true`. */
function summary(e: unknown, names: PlanNames): string {
  if (!isObj(e)) return '';
  const label = labelField(e);
  // Said already by the label, or noise: the key (a GUID), the type, a displayName equal to the value.
  const said = (k: string, v: unknown) => k === label || k === keyField(e) || k === 'type' || (k === 'displayName' && label && v === e[label]);
  return Object.entries(e)
    .filter(([k, v]) => !said(k, v) && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k} ${Array.isArray(v) ? `[${v.map((x) => labelOf(x, names)).join(', ')}]` : isObj(v) ? canonical(v) : scalar(v, names)}`)
    .join(', ');
}

const plus = (e: unknown, names: PlanNames) => {
  if (!isObj(e)) return `+ ${scalar(e, names)}`;
  const rest = summary(e, names);
  return `+ ${labelOf(e, names)}${rest ? `: ${rest}` : ''}`;
};

/** The lines of one field that changes from `before` to `after` (indentation relative to the field). */
export function diffLines(field: string, before: unknown, after: unknown, names: PlanNames): string[] {
  if (same(before, after)) return [];
  const list = (v: unknown) => (v === null || v === undefined ? [] : v);
  if (Array.isArray(list(before)) && Array.isArray(list(after)) && (Array.isArray(before) || Array.isArray(after))) {
    const lines = arrayDiff(list(before) as unknown[], list(after) as unknown[], names);
    if (lines.length) return [`${field}:`, ...lines.map((l) => `  ${l}`)];
    // The planner saw a difference no element shows: their order, or properties Graph adds that the manifest does not set.
    const order = (v: unknown) => (list(v) as unknown[]).map((e) => keyOf(e) ?? canonical(e)).join('\n');
    return [`${field}: the same elements${order(before) !== order(after) ? ' in another order' : ''}`];
  }
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    return keys.flatMap((k) => diffLines(`${field}.${k}`, before[k], after[k], names));
  }
  return [`${field}: ${scalar(before, names)} → ${scalar(after, names)}`];
}

function arrayDiff(before: unknown[], after: unknown[], names: PlanNames): string[] {
  const keyed = [...before, ...after].every((e) => keyOf(e) !== undefined);
  if (!keyed) {
    // Plain values (identifierUris, tags, redirect URIs): which are added, which removed.
    const has = (xs: unknown[], x: unknown) => xs.some((y) => same(x, y));
    return [...after.filter((x) => !has(before, x)).map((x) => plus(x, names)), ...before.filter((x) => !has(after, x)).map((x) => `- ${scalar(x, names)}`)];
  }
  const old = new Map(before.map((e) => [keyOf(e)!, e]));
  const lines: string[] = [];
  for (const e of after) {
    const was = old.get(keyOf(e)!);
    if (was === undefined) lines.push(plus(e, names));
    else if (!same(was, e)) {
      // Only what the manifest sets: Graph adds properties of its own (an app role's `origin`) that are no change.
      const inner = Object.keys(e as Obj).flatMap((k) => diffLines(k, (was as Obj)[k], (e as Obj)[k], names));
      if (!inner.length) continue;
      lines.push(
        inner.length === 1 ? `~ ${labelOf(e, names)}: ${inner[0]}` : `~ ${labelOf(e, names)}:`,
        ...(inner.length === 1 ? [] : inner.map((l) => `    ${l}`)),
      );
    }
  }
  const kept = new Set(after.map(keyOf));
  for (const e of before) if (!kept.has(keyOf(e))) lines.push(`- ${labelOf(e, names)}`);
  return lines;
}

/** The lines of one field of an object to be created: scalars as they are, collections one element a line; empty ones left out. */
export function valueLines(field: string, value: unknown, names: PlanNames): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.length ? [`${field}:`, ...value.map((e) => `  ${plus(e, names)}`)] : [];
  if (isObj(value)) return Object.entries(value).flatMap(([k, v]) => valueLines(`${field}.${k}`, v, names));
  return [`${field}: ${scalar(value, names)}`];
}
