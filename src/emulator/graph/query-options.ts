import type { GraphRoute } from '../context.js';
import { GraphFault, graphErrors } from '../errors.js';
import type { EmuRequest } from '../http.js';

/**
 * Which OData query options a route honours. Everything else is refused out loud — a 501 NotImplemented
 * for a real Graph option the emulator does not model on that route (`$skip`, `$apply`, `$expand` of most
 * collections, …), never a
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
/**
 * Directory collections that the emulator also searches and sorts as advanced queries (graph/search.ts,
 * graph/orderby.ts; https://learn.microsoft.com/graph/aad-advanced-queries).
 */
export const DIRECTORY_LIST_QUERY: readonly string[] = [...LIST_QUERY, '$search', '$orderby'];
/** Collections and entities whose navigations `$expand` can inline (graph/expand.ts). */
export const EXPANDABLE_LIST_QUERY: readonly string[] = [...DIRECTORY_LIST_QUERY, '$expand'];
export const EXPANDABLE_ENTITY_QUERY: readonly string[] = [...ENTITY_QUERY, '$expand'];

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
