import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DesiredOutput, DesiredStack, JsonTemplate, OutputRef, TemplatePart } from '../model/desired.js';
import { parseDotenv } from '../outputs/dotenv.js';

/**
 * The config the apps really use: the output files as written on disk, read back value by value and
 * paired with the template that produced each value, so verify knows which value is the client id, the
 * secret, the authority or the scope — whatever the keys are called. (Verify tests the FILE, not what
 * tenantform would write now: a stale file is one of the failures it exists to catch.)
 */
export interface WrittenValue {
  /** The output path as the manifest names it. */
  file: string;
  /** The dotenv/JSON key, or a JSON path such as `auth.clientId`. */
  key: string;
  parts: TemplatePart[];
  /** The value in the file. Secret for secret/private-key references: never print it. */
  value: string;
}

export interface WrittenConfig {
  values: WrittenValue[];
  /** Output files the manifests declare that are not on disk. */
  missing: string[];
}

export function readWrittenConfig(stacks: readonly DesiredStack[], cwd: string): WrittenConfig {
  const values: WrittenValue[] = [];
  const missing: string[] = [];
  for (const o of stacks.flatMap((s) => s.outputs)) {
    const file = resolve(cwd, o.path);
    if (!existsSync(file)) {
      missing.push(o.path);
      continue;
    }
    values.push(...readOutput(o, readFileSync(file, 'utf8')));
  }
  return { values, missing };
}

function readOutput(o: DesiredOutput, text: string): WrittenValue[] {
  const shape = (o as { shape?: JsonTemplate | null }).shape ?? null;
  if (String(o.format) === 'pem') {
    // The whole file is one certificate + private key (a generated certificate's keyFile).
    const refs = o.values.flatMap((v) => v.parts).filter((p) => 'ref' in p && p.ref.kind === 'certificate');
    return refs.slice(0, 1).map((p) => ({ file: o.path, key: '(file)', parts: [p], value: text }));
  }
  if (o.format === 'dotenv') {
    // Read as the apps read it (Node's own parser), not as tenantform meant it: a misquoted file must fail verify.
    const parsed = parseDotenv(text);
    return o.values.flatMap((v) => (parsed[v.key] === undefined ? [] : [{ file: o.path, key: v.key, parts: v.parts, value: parsed[v.key] }]));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const out: WrittenValue[] = [];
  if (shape) walk(shape, doc, '', (key, parts, value) => out.push({ file: o.path, key, parts, value }));
  const flat = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  for (const v of o.values) if (typeof flat[v.key] === 'string') out.push({ file: o.path, key: v.key, parts: v.parts, value: flat[v.key] as string });
  return out;
}

/** Walk a JSON template and the parsed file side by side; every string leaf pairs a template with its value. */
function walk(t: JsonTemplate, doc: unknown, path: string, emit: (key: string, parts: TemplatePart[], value: string) => void): void {
  if (t === null || typeof t !== 'object') return;
  if (Array.isArray(t)) {
    if (Array.isArray(doc)) t.forEach((item, i) => walk(item, doc[i], `${path}[${i}]`, emit));
    return;
  }
  if ('parts' in t) {
    if (typeof doc === 'string') emit(path, t.parts, doc);
    return;
  }
  if (!doc || typeof doc !== 'object') return;
  for (const [k, v] of t.object) walk(v, (doc as Record<string, unknown>)[k], path ? `${path}.${k}` : k, emit);
}

/** The value whose template is exactly one reference matching `pred` (e.g. `${apps.daemon.appId}`). */
export function valueOf(c: WrittenConfig, pred: (ref: OutputRef) => boolean, preferFile?: string): WrittenValue | undefined {
  const hits = c.values.filter((v) => v.parts.length === 1 && 'ref' in v.parts[0] && pred(v.parts[0].ref));
  return hits.find((v) => v.file === preferFile) ?? hits[0];
}

/**
 * The scope the written config holds for an API: a value whose template names the API (its identifier URI or
 * appId) and that either ends in `.default` or sits under a key that says "scope". That is how a daemon's config
 * carries it (`WEB_API_SCOPE: ${apps.api.identifierUri}/.default`), and exactly where a missing `/.default` or a
 * single slash after a URI ending in `/` hides.
 */
export function scopeOf(c: WrittenConfig, apiKey: string, preferFile?: string): WrittenValue | undefined {
  const names = (v: WrittenValue) => v.parts.some((p) => 'ref' in p && (p.ref.kind === 'identifierUri' || p.ref.kind === 'appId') && p.ref.app === apiKey);
  const hits = c.values.filter((v) => names(v) && (v.value.trim().endsWith('.default') || /scope/i.test(v.key)));
  return hits.find((v) => v.file === preferFile) ?? hits[0];
}
