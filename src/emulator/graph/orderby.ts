import { GraphFault, graphErrors } from '../errors.js';

/**
 * `$orderby` on directory object collections (https://learn.microsoft.com/graph/aad-advanced-queries).
 *
 * - "Use of `$orderby` on select properties" is listed among the queries supported only as advanced queries
 *   (`ConsistencyLevel: eventual` + `$count=true`), with `applications?$orderby=displayName&$count=true` as the example;
 *   "Using `$filter` and `$orderBy` together is supported only with advanced queries".
 * - Without the advanced parameters Graph answers 400 Request_UnsupportedQuery "Sorting not supported for current
 *   query." (observed: microsoftgraph/microsoft-graph-docs#13762 and #9711 for servicePrincipals, and for
 *   users with a $filter).
 * - Some orderings work by default: `/users?$orderby=displayName desc` is the query-parameters page's own example
 *   (https://learn.microsoft.com/graph/query-parameters#orderby-parameter), sent with no header; user-list names
 *   displayName and userPrincipalName as sortable. For applications and service principals no default ordering is
 *   documented, so the emulator requires the advanced parameters there (the doc's example is an application one).
 *
 * One sort key only: `$orderby=a,b` answers 501 (whether the directory sorts by two keys is UNCONFIRMED).
 */

export interface OrderSpec {
  /** Properties sortable without advanced query parameters (when no $filter or $search is present). */
  byDefault: readonly string[];
  /** Properties sortable as an advanced query. */
  advanced: readonly string[];
  /** The v1.0 type name for the unknown-property error. */
  type: string;
  /** Every property of the type (a real one that is not sortable gets a different answer than a typo). */
  properties: ReadonlySet<string>;
}

export interface OrderBy {
  property: string;
  descending: boolean;
}

const notSupported = () => new GraphFault(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');

/**
 * Parses and checks `$orderby` for a request. `advancedQuery`: ConsistencyLevel eventual and $count=true are both
 * present; `combined`: a $filter or $search is present too.
 */
export function parseOrderBy(raw: string, spec: OrderSpec, opts: { advancedQuery: boolean; combined: boolean }): OrderBy {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length > 1) throw graphErrors.notImplemented('$orderby with more than one sort key');
  const m = /^([A-Za-z][\w/]*)(?:\s+(asc|desc))?$/i.exec(parts[0]);
  if (!m) throw graphErrors.badRequest(`Invalid $orderby expression '${raw}'.`); // UNCONFIRMED text
  const property = m[1];
  if (property.includes('/')) throw graphErrors.notImplemented(`$orderby on the path '${property}'`);
  if (!spec.properties.has(property)) {
    // ODataLib's text for a name the type does not have (as $select's in odata.ts parseSelect).
    throw graphErrors.badRequest(`Could not find a property named '${property}' on type 'microsoft.graph.${spec.type}'.`);
  }
  const byDefault = spec.byDefault.includes(property) && !opts.combined;
  if (!byDefault && !(opts.advancedQuery && (spec.advanced.includes(property) || spec.byDefault.includes(property)))) {
    // A real property that is not sortable at all gets the same text: UNCONFIRMED.
    throw notSupported();
  }
  return { property, descending: m[2]?.toLowerCase() === 'desc' };
}

/**
 * A sorted copy. Strings compare case-insensitively; "null values come before non-null values when sorting in
 * ascending order and after non-null values when sorting in descending order" (OData 4.01 URL conventions,
 * §5.1.1.6.2 / system query option $orderby). Ties keep their order.
 */
export function sortItems<T extends object>(items: T[], order: OrderBy): T[] {
  const key = (o: T): string | number | null => {
    const v = (o as Record<string, unknown>)[order.property];
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return v;
    return String(v).toLowerCase();
  };
  const sign = order.descending ? -1 : 1;
  return items
    .map((item, index) => ({ item, index, k: key(item) }))
    .sort((a, b) => {
      if (a.k === b.k) return a.index - b.index;
      if (a.k === null) return -sign;
      if (b.k === null) return sign;
      return (a.k < b.k ? -1 : 1) * sign;
    })
    .map((x) => x.item);
}
