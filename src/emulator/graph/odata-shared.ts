import type { GraphCtx } from '../context.js';
import appTypes from '../data/graph-v1.0-app-types.json' with { type: 'json' };

/** The building blocks odata.ts and expand.ts share (kept apart so the two do not import each other). */

/** Properties of an entity type including its base types (entity → directoryObject → …), from the v1.0 CSDL extract. */
export function entityProperties(type: string): Set<string> {
  const props = new Set<string>(['id']);
  const t = (appTypes.types as Record<string, { properties?: Record<string, string> }>)[type];
  if (!t) throw new Error(`no v1.0 type ${type}`);
  for (const p of Object.keys(t.properties ?? {})) props.add(p);
  if (['application', 'servicePrincipal', 'organization'].includes(type)) props.add('deletedDateTime');
  return props;
}

/** The request is an advanced query's: `ConsistencyLevel: eventual` (https://learn.microsoft.com/graph/aad-advanced-queries). */
export function eventual(ctx: GraphCtx): boolean {
  return String(ctx.req.headers.consistencylevel ?? '').toLowerCase() === 'eventual';
}

/**
 * The JSON Graph returns for an object: every property by default except `keyCredentials[].key`, which
 * appears only when `$select` names keyCredentials (https://learn.microsoft.com/graph/api/application-get).
 */
export function project<T extends object>(obj: T, select: string[] | undefined): Record<string, unknown> {
  const src = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of select ?? Object.keys(src)) out[k] = src[k] === undefined ? null : structuredClone(src[k]);
  if (!select?.includes('keyCredentials') && Array.isArray(out.keyCredentials)) {
    out.keyCredentials = (out.keyCredentials as Array<Record<string, unknown>>).map((k) => ({ ...k, key: null }));
  }
  return out;
}
