import { graphErrors } from '../errors.js';
import { json, type EmuResponse } from '../http.js';
import type { GraphCtx } from '../context.js';
import { entityProperties, eventual, project } from './odata-shared.js';
import { applyExpand, parseExpand, selectList, type ExpandItem, type ExpandSpec } from './expand.js';
import { parseOrderBy, sortItems, type OrderSpec } from './orderby.js';
import { searchFilter, type SearchSpec } from './search.js';

/** Re-exported: the route modules import them from here. */
export { entityProperties, eventual, project } from './odata-shared.js';

// ---------------------------------------------------------------- $filter

type Value = string | number | boolean | null;
type Predicate = (o: Record<string, unknown>) => boolean;

/** A compiled $filter, and whether it used an operator Graph serves only as an advanced query. */
export interface CompiledFilter {
  predicate: Predicate;
  /**
   * `ne` or `not` (true) or `endsWith` appeared: on directory objects they need `ConsistencyLevel: eventual` +
   * `$count=true`; false otherwise.
   */
  advanced: boolean | 'endsWith';
}

/** Values one `in (…)` may list (https://learn.microsoft.com/graph/filter-query-parameter, the note on `in`). */
export const MAX_IN_VALUES = 15;

/** OData comparison operators this compiler does not model: 501, never a guess. */
const UNMODELLED_OPERATORS = ['ge', 'le', 'gt', 'lt', 'has'];

/**
 * A small $filter compiler for the clauses Graph supports on the properties we emulate:
 * `p eq 'v'`, `p ne 'v'`, `startswith(p,'v')`, `coll/any(x:x eq 'v')`, `coll/any(x:startswith(x,'v'))`, `not`, `and`, `or`,
 * parentheses.
 * Filtering on a property the resource does not allow answers Request_UnsupportedQuery, as Graph does.
 * `p in ('a','b')` (at most 15 values). Other operators (`ge`, `le`, …), functions (`endswith`, …), `/all` and `/$count` answer 501 NotImplemented.
 * https://learn.microsoft.com/graph/filter-query-parameter
 */
export function compileFilter(filter: string, allowed: readonly string[], resource: string): CompiledFilter {
  const tokens = tokenize(filter);
  let advanced: boolean | 'endsWith' = false;
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t: string) => {
    if (next()?.toLowerCase() !== t) throw invalid();
  };
  const invalid = () => graphErrors.badRequest(`Invalid filter clause: '${filter}'`);
  const checkProp = (p: string) => {
    if (!allowed.includes(p)) {
      throw graphErrors.unsupportedQuery(`Unsupported or invalid query filter clause specified for property '${p}' of resource '${resource}'.`);
    }
  };
  const literal = (): Value => {
    const t = next();
    if (t === undefined) throw invalid();
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    if (/^[0-9a-f-]{36}$/i.test(t)) return t;
    throw invalid();
  };
  const primary = (): Predicate => {
    const t = next();
    if (t === undefined) throw invalid();
    if (t === '(') {
      const e = orExpr();
      expect(')');
      return e;
    }
    if (t.toLowerCase() === 'not') {
      advanced = true;
      const p = primary();
      return (o) => !p(o);
    }
    if (t.toLowerCase() === 'startswith' || t.toLowerCase() === 'endswith') {
      // endsWith is served on directory objects only as an advanced query (aad-advanced-queries, "endsWith").
      const ends = t.toLowerCase() === 'endswith';
      if (ends) advanced = 'endsWith';
      expect('(');
      const prop = next()!;
      checkProp(prop);
      expect(',');
      const v = literal();
      expect(')');
      return (o) => {
        if (typeof o[prop] !== 'string' || typeof v !== 'string') return false;
        const value = (o[prop] as string).toLowerCase();
        return ends ? value.endsWith(v.toLowerCase()) : value.startsWith(v.toLowerCase());
      };
    }
    const any = /^([A-Za-z]+)\/any$/.exec(t);
    if (any) {
      const prop = any[1];
      checkProp(prop);
      expect('(');
      const v = next()!;
      expect(':');
      if (peek()?.toLowerCase() === 'startswith') {
        // `tags/any(t:startswith(t,'x'))`: the lambda form of startsWith on a string collection, e.g.
        // `proxyAddresses/any(x:startswith(x,'smtp:'))` in https://learn.microsoft.com/graph/filter-query-parameter;
        // tags and identifierUris list startsWith among their $filter operators (graph-api.md §1.2).
        next();
        expect('(');
        if (next() !== v) throw invalid();
        expect(',');
        const prefix = literal();
        expect(')');
        expect(')');
        if (typeof prefix !== 'string') throw invalid();
        const lower = prefix.toLowerCase();
        return (o) => Array.isArray(o[prop]) && (o[prop] as unknown[]).some((x) => typeof x === 'string' && x.toLowerCase().startsWith(lower));
      }
      if (next() !== v) throw invalid();
      const op = operator(next());
      const val = literal();
      expect(')');
      return (o) => Array.isArray(o[prop]) && (o[prop] as unknown[]).some((x) => compare(op, x, val));
    }
    if (t.includes('/')) throw graphErrors.notImplemented(`the $filter path '${t}'`);
    if (peek() === '(') throw graphErrors.notImplemented(`the $filter function '${t}'`);
    checkProp(t);
    // `p in ('a','b')`: works wherever `eq` does (https://learn.microsoft.com/graph/filter-query-parameter#operators-and-functions-supported-in-filter-expressions).
    if (peek()?.toLowerCase() === 'in') {
      next();
      expect('(');
      const values: Value[] = [literal()];
      while (peek() === ',') {
        next();
        values.push(literal());
      }
      expect(')');
      // With `in`, a request is limited to 15 expressions in the filter clause by default (filter-query-parameter, the
      // note in the operators table; advanced queries are held to a 2,048-character URL instead, not modelled: the cap
      // applies to them too). Graph's answer past that is UNCONFIRMED, so none is guessed.
      if (values.length > MAX_IN_VALUES)
        throw graphErrors.notImplemented(`'in' with more than ${MAX_IN_VALUES} values (Graph limits it; its answer is not modelled)`);
      // As `eq` compares (strings case-insensitively), by one lookup: a fleet's reads list 15 appIds against every SP.
      const strings = new Set(values.flatMap((v) => (typeof v === 'string' ? [v.toLowerCase()] : [])));
      const others = values.filter((v) => typeof v !== 'string');
      return (o) => {
        const actual = o[t];
        return typeof actual === 'string' ? strings.has(actual.toLowerCase()) : others.some((v) => (actual ?? null) === v);
      };
    }
    const op = operator(next());
    const val = literal();
    return (o) => compare(op, o[t], val);
  };
  const andExpr = (): Predicate => {
    let left = primary();
    while (peek()?.toLowerCase() === 'and') {
      next();
      const l = left;
      const r = primary();
      left = (o) => l(o) && r(o);
    }
    return left;
  };
  const orExpr = (): Predicate => {
    let left = andExpr();
    while (peek()?.toLowerCase() === 'or') {
      next();
      const l = left;
      const r = andExpr();
      left = (o) => l(o) || r(o);
    }
    return left;
  };
  function operator(raw: string | undefined): 'eq' | 'ne' {
    const op = raw?.toLowerCase();
    if (op === 'ne') advanced = true;
    if (op === 'eq' || op === 'ne') return op;
    if (op && UNMODELLED_OPERATORS.includes(op)) throw graphErrors.notImplemented(`the $filter operator '${op}'`);
    throw invalid();
  }
  const predicate = orExpr();
  if (i !== tokens.length) throw invalid();
  return { predicate, advanced };
}

function compare(op: string | undefined, actual: unknown, expected: Value): boolean {
  // Directory string comparisons are case-insensitive.
  const eq = typeof actual === 'string' && typeof expected === 'string' ? actual.toLowerCase() === expected.toLowerCase() : (actual ?? null) === expected;
  if (op === 'eq') return eq;
  if (op === 'ne') return !eq;
  throw graphErrors.badRequest(`Invalid filter operator '${op}'`);
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*('(?:[^']|'')*'|[(),:]|[A-Za-z_][\w.]*\/any|[^\s(),:']+)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    out.push(m[1]);
    if (re.lastIndex >= s.length) break;
  }
  if (out.join('').replace(/\s/g, '').length !== s.replace(/\s/g, '').length) throw graphErrors.badRequest(`Invalid filter clause: '${s}'`);
  return out;
}

// ---------------------------------------------------------------- $select and projection

/** Parsed `$select`, validated against the type (Graph answers 400 for unknown names). */
export function parseSelect(ctx: GraphCtx, type: string, properties?: ReadonlySet<string>): string[] | undefined {
  const raw = ctx.req.query.get('$select');
  if (!raw) return undefined;
  const props = properties ?? entityProperties(type);
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!props.has(n)) throw graphErrors.badRequest(`Could not find a property named '${n}' on type 'microsoft.graph.${type}'.`);
  }
  return names;
}

function contextUrl(ctx: GraphCtx, entitySet: string, select: string[] | undefined, single: boolean, expand?: ExpandItem[]): string {
  return `${ctx.env.graphUrl}/v1.0/$metadata#${entitySet}${selectList(select, expand)}${single ? '/$entity' : ''}`;
}

/** 200 with one object; `$expand` of the navigations `expand` models (graph/expand.ts). */
export function entityResponse(ctx: GraphCtx, entitySet: string, type: string, obj: object, status = 200, expand?: ExpandSpec): EmuResponse {
  const select = parseSelect(ctx, type);
  const expanded = parseExpand(ctx, expand);
  const body = applyExpand(ctx, expanded, obj, project(obj, select));
  return json(status, { '@odata.context': contextUrl(ctx, entitySet, select, true, expanded), ...body });
}

/**
 * 200 with a collection: $filter (on the allowed properties), $select, $top (max 999) and paging by
 * @odata.nextLink, $count=true with `ConsistencyLevel: eventual` (https://learn.microsoft.com/graph/aad-advanced-queries).
 */
export function listResponse(
  ctx: GraphCtx,
  opts: {
    entitySet: string;
    type: string;
    items: object[];
    filterable: readonly string[];
    resource: string;
    /** The type's properties for `$select`, when the v1.0 type table (data/graph-v1.0-app-types.json) lacks the type. */
    properties?: ReadonlySet<string>;
    /** What Graph returns without `$select` when it is not every property (users: a default subset). */
    defaultSelect?: readonly string[];
    /** `$search` (graph/search.ts); a route that lists `$search` without this answers 501. */
    search?: SearchSpec;
    /** `$orderby` (graph/orderby.ts). */
    orderby?: OrderSpec;
    /** `$expand` (graph/expand.ts). */
    expand?: ExpandSpec;
  },
): EmuResponse {
  const q = ctx.req.query;
  let items = opts.items as Array<Record<string, unknown>>;
  const filter = q.get('$filter');
  if (filter) {
    const { predicate, advanced } = compileFilter(filter, opts.filterable, opts.resource);
    // `ne` and `not` on directory objects are advanced queries (https://learn.microsoft.com/graph/aad-advanced-queries):
    // without ConsistencyLevel: eventual and $count=true Graph refuses them (observed text for ne: Azure/logicapps#283;
    // that `not` gets the same text is UNCONFIRMED).
    const advancedQuery = q.get('$count') === 'true' && eventual(ctx);
    if (advanced && !advancedQuery) {
      throw graphErrors.unsupportedQuery(
        advanced === 'endsWith'
          ? "Unsupported Query. The operator 'endsWith' requires ConsistencyLevel: eventual and $count=true."
          : "Unsupported property filter clause operator 'NotEqualsMatch'.",
      );
    }
    items = items.filter(predicate);
  }
  const searched = searchFilter(ctx, opts.search);
  if (searched) items = items.filter(searched);
  const orderby = q.get('$orderby');
  // Without a spec the route sorts on its own (deletedItems.ts) or does not list $orderby (checkQueryOptions refused it).
  if (orderby !== null && opts.orderby) {
    const advancedQuery = q.get('$count') === 'true' && eventual(ctx);
    items = sortItems(items, parseOrderBy(orderby, opts.orderby, { advancedQuery, combined: filter !== null || searched !== undefined }));
  }
  const select = parseSelect(ctx, opts.type, opts.properties);
  const expanded = parseExpand(ctx, opts.expand);
  const top = q.has('$top') ? Number(q.get('$top')) : 100;
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    throw graphErrors.badRequest(`Invalid page size specified: '${q.get('$top')}'. Must be between 1 and 999 inclusive.`);
  }
  const skip = q.has('$skiptoken') ? Number(Buffer.from(q.get('$skiptoken')!, 'base64url').toString()) || 0 : 0;
  const page = items.slice(skip, skip + top);
  const body: Record<string, unknown> = { '@odata.context': contextUrl(ctx, opts.entitySet, select, false, expanded) };
  // `$count=true` counts only as an advanced query; without `ConsistencyLevel: eventual` Graph ignores it: 200, no
  // @odata.count (https://learn.microsoft.com/graph/aad-advanced-queries).
  if (q.get('$count') === 'true' && eventual(ctx)) body['@odata.count'] = items.length;
  if (skip + top < items.length) {
    const next = new URLSearchParams(q);
    next.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
    body['@odata.nextLink'] = `${ctx.env.graphUrl}${ctx.req.path}?${next.toString()}`;
  }
  body.value = page.map((o) => applyExpand(ctx, expanded, o, project(o, select ?? (opts.defaultSelect ? [...opts.defaultSelect] : undefined))));
  return json(200, body);
}
