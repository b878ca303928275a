import type { GraphRoute } from '../context.js';
import { GraphFault, graphErrors } from '../errors.js';
import type { EmuRequest } from '../http.js';

/**
 * Which OData query options a route honours. Everything else is refused out loud — a 501 NotImplemented
 * for a real Graph option the emulator does not model (`$expand`, `$orderby`, `$search`, …), never a
 * silent ignore that would let a test pass against behaviour the real service does not have
 * (DESIGN.md style 7). https://learn.microsoft.com/graph/query-parameters
 */

/** OData system query options Microsoft Graph knows (https://learn.microsoft.com/graph/query-parameters). */
const SYSTEM_OPTIONS = new Set([
  '$apply',
  '$compute',
  '$count',
  '$deltatoken',
  '$expand',
  '$filter',
  '$format',
  '$id',
  '$index',
  '$levels',
  '$orderby',
  '$schemaversion',
  '$search',
  '$select',
  '$skip',
  '$skiptoken',
  '$top',
]);

/** What listResponse() implements (odata.ts): filter, projection, paging and the advanced-query count. */
export const LIST_QUERY: readonly string[] = ['$filter', '$select', '$top', '$count', '$skiptoken'];
/** A single entity: projection only. */
export const ENTITY_QUERY: readonly string[] = ['$select'];

/** The options a route honours: its own list, else `$select` for a GET and nothing for a write or action. */
export function routeQueryOptions(route: GraphRoute): readonly string[] {
  return route.query ?? (route.method === 'GET' ? ENTITY_QUERY : []);
}

/**
 * Throws for the first query option the route does not honour. Names compare exactly: `$SELECT` or a
 * bare `select` (Graph v1.0 accepts the dollar-less form only on some APIs) would otherwise be ignored by
 * the handlers, so they are refused too. Custom (non-system) parameters are ignored, as OData specifies.
 */
export function checkQueryOptions(req: EmuRequest, route: GraphRoute): void {
  const allowed = routeQueryOptions(route);
  for (const key of new Set(req.query.keys())) {
    if (allowed.includes(key)) continue;
    const lower = key.toLowerCase();
    const asSystem = lower.startsWith('$') ? lower : `$${lower}`;
    if (SYSTEM_OPTIONS.has(asSystem)) {
      throw graphErrors.notImplemented(`the query option '${key}' on ${route.method} /${route.pattern}`);
    }
    if (lower.startsWith('$')) {
      // OData: a service fails a request with a system query option it does not know. Graph's text is
      // UNCONFIRMED; this is ODataLib's wording for an unknown $-option.
      throw new GraphFault(400, 'BadRequest', `The query parameter '${key}' is not supported.`);
    }
  }
}
