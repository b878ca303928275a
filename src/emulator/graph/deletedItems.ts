import { hasAny, PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { json, noContent, type EmuResponse } from '../http.js';
import { parseKey } from '../router.js';
import type { DeletedItem } from '../store/index.js';
import { listResponse, parseSelect, project } from './odata.js';
import { LIST_QUERY } from './query-options.js';
import { USER_DEFAULT_SELECT, USER_MODELLED } from './users.js';

/**
 * directory/deletedItems — the recycle bin for applications, service principals and users (30 days).
 * https://learn.microsoft.com/graph/api/resources/directory
 */

const CASTS = {
  'microsoft.graph.application': 'application',
  'microsoft.graph.servicePrincipal': 'servicePrincipal',
  'microsoft.graph.user': 'user',
} as const;
type ItemType = (typeof CASTS)[keyof typeof CASTS];
const FILTERABLE: Record<ItemType, string[]> = {
  application: ['id', 'appId', 'displayName', 'uniqueName', 'identifierUris', 'tags'],
  servicePrincipal: ['id', 'appId', 'displayName', 'servicePrincipalNames', 'tags'],
  user: ['id', 'displayName', 'userPrincipalName', 'mail', 'mailNickname'],
};
/** Casts Graph supports that the emulator does not model (it has no groups or administrative units). */
const UNMODELLED_CASTS = ['microsoft.graph.group', 'microsoft.graph.administrativeUnit'];
/** The permissions per kind of deleted object (directory-deleteditems-list: users need the User.* permissions). */
const READ: Record<ItemType, readonly string[]> = { application: PERMS.deletedRead, servicePrincipal: PERMS.deletedRead, user: PERMS.deletedUserRead };
const WRITE: Record<ItemType, readonly string[]> = { application: PERMS.deletedWrite, servicePrincipal: PERMS.deletedWrite, user: PERMS.deletedUserWrite };
const ANY_READ = [...new Set([...PERMS.deletedRead, ...PERMS.deletedUserRead])];
const ANY_WRITE = [...new Set([...PERMS.deletedWrite, ...PERMS.deletedUserWrite])];
const USER_PROPS = new Set<string>(USER_MODELLED);

export const deletedItemRoutes: GraphRoute[] = [
  {
    // The OData cast is a required part of the URI (https://learn.microsoft.com/graph/api/directory-deleteditems-list);
    // without it Graph answers Request_UnsupportedQuery (microsoft-graph-docs-contrib#4424, msgraph-sdk-powershell#832).
    method: 'GET',
    pattern: 'directory/deletedItems',
    anyOf: ANY_READ,
    query: LIST_QUERY,
    handler: () => {
      throw graphErrors.unsupportedQuery('Searches against this resource are not supported. Only specific instances can be queried.');
    },
  },
  ...Object.entries(CASTS).map(([cast, type]): GraphRoute => ({
    method: 'GET',
    pattern: `directory/deletedItems/${cast}`,
    anyOf: READ[type],
    // The list page names $orderby on deletedDateTime/displayName besides the usual list options.
    query: [...LIST_QUERY, '$orderby'],
    handler: (ctx) => listDeleted(ctx, cast, type),
  })),
  {
    // https://learn.microsoft.com/graph/api/directory-deleteditems-get
    method: 'GET',
    pattern: 'directory/deletedItems/:id',
    anyOf: ANY_READ,
    handler: (ctx) => {
      const item = findDeleted(ctx, READ);
      const select = parseSelect(ctx, item.type, item.type === 'user' ? USER_PROPS : undefined);
      return json(200, {
        '@odata.context': `${ctx.env.graphUrl}/v1.0/$metadata#directoryObjects${select ? `(${select.join(',')})` : ''}/$entity`,
        ...render(item, select),
      });
    },
  },
  {
    // https://learn.microsoft.com/graph/api/directory-deleteditems-restore → 200 + the object with @odata.type.
    // Restoring an application also restores its home service principal (store/recycle-bin.ts).
    method: 'POST',
    pattern: 'directory/deletedItems/:id/restore',
    anyOf: ANY_WRITE,
    handler: (ctx) => {
      const item = findDeleted(ctx, WRITE);
      ctx.env.tenant.deletedItems.restore(item.value.id!);
      return json(200, {
        '@odata.context': `${ctx.env.graphUrl}/v1.0/$metadata#directoryObjects/$entity`,
        ...render({ ...item, value: { ...item.value, deletedDateTime: null } }, undefined),
      });
    },
  },
  {
    // https://learn.microsoft.com/graph/api/directory-deleteditems-delete → 204; can't be undone.
    method: 'DELETE',
    pattern: 'directory/deletedItems/:id',
    anyOf: ANY_WRITE,
    handler: (ctx) => {
      const item = findDeleted(ctx, WRITE);
      ctx.env.tenant.deletedItems.purge(item.value.id!);
      return noContent();
    },
  },
];

/** The deleted object of the URL, which the caller may read (or write): the permissions depend on its type. */
function findDeleted(ctx: GraphCtx, perms: Record<ItemType, readonly string[]>): DeletedItem {
  const raw = ctx.params.id;
  if (UNMODELLED_CASTS.includes(raw)) throw graphErrors.notImplemented(`directory/deletedItems/${raw}`);
  const key = parseKey(raw);
  const bin = ctx.env.tenant.deletedItems;
  const item = key.kind === 'id' ? (bin.get(key.value.toLowerCase()) ?? bin.get(key.value)) : undefined;
  if (!item) throw graphErrors.notFound(key.value);
  if (!hasAny(ctx.caller, perms[item.type])) throw graphErrors.denied();
  return item;
}

function render(item: DeletedItem, select: string[] | undefined): Record<string, unknown> {
  // A deleted user reads like a live one: its default properties unless $select names others.
  const props = select ?? (item.type === 'user' ? [...USER_DEFAULT_SELECT, 'deletedDateTime'] : undefined);
  return { '@odata.type': `#microsoft.graph.${item.type}`, ...project(item.value, props) };
}

/**
 * GET /directory/deletedItems/microsoft.graph.{type}: $filter/$select/$top/$count as for live objects, plus
 * $orderby on deletedDateTime or displayName (the two properties the list page names).
 */
function listDeleted(ctx: GraphCtx, cast: string, type: ItemType): EmuResponse {
  let items = ctx.env.tenant.deletedItems.list(type).map((d) => ({ '@odata.type': `#microsoft.graph.${type}`, ...d.value }) as Record<string, unknown>);
  items = orderBy(ctx, items);
  const users = type === 'user' ? { properties: USER_PROPS, defaultSelect: ['@odata.type', ...USER_DEFAULT_SELECT, 'deletedDateTime'] } : {};
  return listResponse(ctx, { entitySet: `directory/deletedItems/${cast}`, type, items, filterable: FILTERABLE[type], resource: type, ...users });
}

function orderBy(ctx: GraphCtx, items: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const raw = ctx.req.query.get('$orderby');
  if (!raw) return items;
  const m = /^\s*(deletedDateTime|displayName)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  // UNCONFIRMED message; the code is the one Graph uses for unsupported query options.
  if (!m) throw graphErrors.unsupportedQuery(`Unsupported sort property '${raw.trim().split(/\s+/)[0]}'.`);
  const prop = m[1].toLowerCase() === 'deleteddatetime' ? 'deletedDateTime' : 'displayName';
  const dir = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => dir * String(a[prop] ?? '').localeCompare(String(b[prop] ?? '')));
}
