import type { GraphCtx } from '../context.js';
import { graphErrors } from '../errors.js';
import type { EmuResponse } from '../http.js';
import { compileFilter, eventual } from './odata.js';

/**
 * `$count` as a URL segment (`/servicePrincipals/$count`, `/users/$count`, `/applications/{id}/owners/$count`,
 * `/servicePrincipals/{id}/appRoleAssignedTo/$count`): the bare number as text/plain. On directory objects it is an
 * advanced query — without `ConsistencyLevel: eventual` Graph answers 400 Request_BadRequest "$count is not currently
 * supported." (https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects,
 * the documented payload for `/users/$count`). A 2025 beta payload words it "Raw count (/$count) is not supported because
 * the 'ConsistencyLevel:eventual' header is missing. …" with Request_UnsupportedQuery (azurekid/ScEntra#17); the
 * emulator keeps the documented v1.0 text, as `/applications/$count` always did.
 */
export function countText(ctx: GraphCtx, count: number): EmuResponse {
  if (!eventual(ctx)) throw graphErrors.badRequest('$count is not currently supported.');
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, text: String(count) };
}

/** `$count` of a collection, after its `$filter` (the same properties the list filters on). */
export function countCollection(ctx: GraphCtx, items: object[], filterable: readonly string[], resource: string): EmuResponse {
  if (!eventual(ctx)) throw graphErrors.badRequest('$count is not currently supported.');
  const filter = ctx.req.query.get('$filter');
  const counted = filter ? (items as Array<Record<string, unknown>>).filter(compileFilter(filter, filterable, resource).predicate) : items;
  return countText(ctx, counted.length);
}
