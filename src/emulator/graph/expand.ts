import type { GraphCtx } from '../context.js';
import { GraphFault, graphErrors } from '../errors.js';
import appTypes from '../data/graph-v1.0-app-types.json' with { type: 'json' };
import { entityProperties, eventual, project } from './odata-shared.js';

/**
 * `$expand` on applications and service principals (https://learn.microsoft.com/graph/query-parameters#expand-parameter).
 *
 * What Graph documents for directory objects, and what the emulator does with it:
 * - "With Microsoft Entra resources that derive from directoryObject … `$expand` typically returns a maximum of 20
 *   items for the expanded relationship and has no @odata.nextLink" (query-parameters): at most 20, no link.
 * - "No support for more than 1 level of expand" and no `$filter` inside an expand (known-issues, query parameter
 *   limitations): nested `$expand`, `$filter`, `$top`, `$orderby`, … answer 501 (Graph's own answer is UNCONFIRMED).
 * - "`$expand` is not currently supported with advanced queries" (aad-advanced-queries, note under the scenarios
 *   table): `$expand` with `ConsistencyLevel: eventual` + `$count=true`, or with `$search`, answers 501 (the real
 *   answer is UNCONFIRMED, so none is guessed).
 * - `$select` inside the expand: for `owners` (typed directoryObject) Graph answered 400 Request_BadRequest "Invalid
 *   $select properties." to a property of a derived type (`owners($select=userPrincipalName)`,
 *   microsoftgraph/microsoft-graph-docs#12838), so only directoryObject's own properties (id, deletedDateTime) are
 *   accepted there; for appRoleAssignment and federatedIdentityCredential navigations, that type's properties.
 * - A name the type does not have, or a structural property: ODataLib's texts (UNCONFIRMED for Graph), 400.
 * - A real navigation property the emulator does not model (extensionProperties, memberOf, owners of a service
 *   principal, …), and `*`: 501.
 */

/** One expandable navigation property of a type. */
export interface Navigation {
  /** The v1.0 type of the expanded objects. */
  type: 'directoryObject' | 'appRoleAssignment' | 'federatedIdentityCredential';
  /** The related objects of one entity, as a collection would list them (`@odata.type` first for directory objects). */
  load: (ctx: GraphCtx, entity: Record<string, unknown>) => Array<Record<string, unknown>>;
}

export interface ExpandSpec {
  /** The v1.0 type being read (`application`, `servicePrincipal`). */
  type: string;
  navigations: Readonly<Record<string, Navigation>>;
  /** Why a real navigation the type has is not expandable here, by name (default: "not modelled"). */
  unmodelled?: Readonly<Record<string, string>>;
}

export interface ExpandItem {
  name: string;
  select?: string[];
  navigation: Navigation;
}

/** "Typically returns a maximum of 20 items for the expanded relationship" (query-parameters, $expand). */
export const MAX_EXPANDED = 20;

/** The `$expand` of a request, checked; undefined when there is none. */
export function parseExpand(ctx: GraphCtx, spec: ExpandSpec | undefined): ExpandItem[] | undefined {
  const raw = ctx.req.query.get('$expand');
  if (raw === null) return undefined;
  if (!spec) throw graphErrors.notImplemented('$expand here');
  const q = ctx.req.query;
  if ((q.get('$count') === 'true' && eventual(ctx)) || q.has('$search')) {
    throw graphErrors.notImplemented('$expand in an advanced query (Graph documents it as not supported; its answer is not modelled)');
  }
  const navs = (appTypes.types as Record<string, { navigation?: Record<string, string> }>)[spec.type]?.navigation ?? {};
  const structural = entityProperties(spec.type);
  const items: ExpandItem[] = [];
  for (const part of splitTopLevel(raw)) {
    const m = /^([^()]+?)\s*(?:\((.*)\))?$/s.exec(part);
    if (!m) throw graphErrors.badRequest(`Invalid $expand expression '${raw}'.`); // UNCONFIRMED text
    const name = m[1].trim();
    if (name === '*') throw graphErrors.notImplemented('$expand=*');
    if (name.includes('/')) throw graphErrors.notImplemented(`$expand of the path '${name}'`);
    const navigation = spec.navigations[name];
    if (!navigation) {
      if (name in navs) throw graphErrors.notImplemented(`$expand=${name} on ${spec.type} (${spec.unmodelled?.[name] ?? 'not modelled'})`);
      if (structural.has(name)) {
        throw new GraphFault(
          400,
          'BadRequest',
          `Property '${name}' on type 'microsoft.graph.${spec.type}' is not a navigation property or complex property. Only navigation properties can be expanded.`,
        );
      }
      throw new GraphFault(400, 'BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.${spec.type}'.`);
    }
    items.push({ name, navigation, select: m[2] === undefined ? undefined : nestedSelect(m[2], navigation.type) });
  }
  return items;
}

/** `$select=a,b` inside an expand; any other nested option answers 501. */
function nestedSelect(options: string, type: Navigation['type']): string[] | undefined {
  let select: string[] | undefined;
  for (const opt of options
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq).trim();
    if (key !== '$select') throw graphErrors.notImplemented(`'${key}' inside $expand`);
    select = opt
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (!select) return undefined;
  const props = entityProperties(type);
  for (const name of select) {
    if (props.has(name)) continue;
    if (type === 'directoryObject') throw graphErrors.badRequest('Invalid $select properties.');
    throw graphErrors.badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.${type}'.`);
  }
  return select;
}

/** Adds each expanded navigation to `out` (the projected entity), at most MAX_EXPANDED objects each. */
export function applyExpand(ctx: GraphCtx, items: ExpandItem[] | undefined, entity: object, out: Record<string, unknown>): Record<string, unknown> {
  for (const item of items ?? []) {
    const related = item.navigation.load(ctx, entity as Record<string, unknown>).slice(0, MAX_EXPANDED);
    out[item.name] = related.map((o) => {
      if (!item.select) return o;
      const typed = o['@odata.type'] === undefined ? {} : { '@odata.type': o['@odata.type'] };
      return { ...typed, ...project(o, item.select) };
    });
  }
  return out;
}

/**
 * The select list of the context URL with the expansions: `applications(owners())`, `applications(id,owners(id))`
 * — the form ODataLib writes (e.g. `#chats(members())` in https://learn.microsoft.com/graph/api/chat-list).
 */
export function selectList(select: string[] | undefined, items: ExpandItem[] | undefined): string {
  const names = [...(select ?? []), ...(items ?? []).map((i) => `${i.name}(${(i.select ?? []).join(',')})`)];
  return names.length ? `(${names.join(',')})` : '';
}

/** Splits on commas outside parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
