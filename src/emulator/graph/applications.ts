import type { IncomingHttpHeaders } from 'node:http';
import type { Application } from '@microsoft/microsoft-graph-types';
import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { noContent, type EmuResponse } from '../http.js';
import { applicationKey, assertAppAccess, findVisibleApplication, isOwner, masterApplication, ownedByOnly, requireApplication } from './app-access.js';
import { applyApplicationWrite, ownersFromBind, rejectOtherBinds } from './applications-write.js';
import { federatedRoutes } from './federated.js';
import { APPLICATION_EXPAND } from './navigations.js';
import { compileFilter, entityProperties, entityResponse, eventual, listResponse } from './odata.js';
import type { OrderSpec } from './orderby.js';
import type { SearchSpec } from './search.js';
import { passwordRoutes } from './passwords.js';
import { EXPANDABLE_ENTITY_QUERY, EXPANDABLE_LIST_QUERY } from './query-options.js';

/**
 * /applications: create, list, get, update (incl. upsert by uniqueName), delete, plus the credential
 * sub-resources. https://learn.microsoft.com/graph/api/resources/application
 */

/**
 * $filter per the property table of https://learn.microsoft.com/graph/api/resources/application.
 * `uniqueName` is not listed there (reference §1.2: UNCONFIRMED); the emulator accepts it anyway.
 */
const FILTERABLE = ['id', 'appId', 'displayName', 'uniqueName', 'tags', 'identifierUris', 'applicationTemplateId', 'signInAudience', 'publisherDomain'];

/**
 * `$search`: tokenized on displayName and description, `startsWith` on the other $filter properties
 * (https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections; the
 * application property table lists $search on displayName, description and tags).
 */
const SEARCH: SearchSpec = { tokenized: ['displayName', 'description'], startsWith: FILTERABLE.filter((p) => p !== 'displayName'), resource: 'application' };

/** `$orderby`: displayName and createdDateTime (application resource, property table), only as advanced queries (graph/orderby.ts). */
const ORDERBY: OrderSpec = { byDefault: [], advanced: ['displayName', 'createdDateTime'], type: 'application', properties: entityProperties('application') };

export const applicationRoutes: GraphRoute[] = [
  { method: 'POST', pattern: 'applications', anyOf: PERMS.appWrite, handler: createApplication },
  { method: 'GET', pattern: 'applications', anyOf: PERMS.appRead, query: EXPANDABLE_LIST_QUERY, handler: listApplications },
  { method: 'GET', pattern: 'applications/$count', anyOf: PERMS.appRead, query: ['$filter'], handler: (ctx) => countResponse(ctx, applicationsOf(ctx)) },
  {
    method: 'GET',
    pattern: 'applications/:app',
    anyOf: PERMS.appRead,
    query: EXPANDABLE_ENTITY_QUERY,
    handler: (ctx) => entityResponse(ctx, 'applications', 'application', requireApplication(ctx, ctx.params.app, 'read'), 200, APPLICATION_EXPAND),
  },
  { method: 'PATCH', pattern: 'applications/:app', anyOf: PERMS.appWrite, handler: updateApplication },
  {
    method: 'DELETE',
    pattern: 'applications/:app',
    anyOf: PERMS.appWrite,
    handler: (ctx) => {
      // https://learn.microsoft.com/graph/api/application-delete: 204; to deletedItems with its home SP.
      const app = requireApplication(ctx, ctx.params.app, 'write');
      ctx.env.tenant.applications.softDelete(app.id!);
      return noContent();
    },
  },
  ...passwordRoutes,
  ...federatedRoutes,
];

export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) throw graphErrors.badRequest('Empty Payload. JSON content expected.');
  if (typeof body !== 'object' || Array.isArray(body)) {
    const found = Array.isArray(body) ? 'StartArray' : 'PrimitiveValue';
    throw graphErrors.bodyRead(`An unexpected '${found}' node was found when reading from the JSON reader. A 'StartObject' node was expected.`);
  }
  return body as Record<string, unknown>;
}

/** POST /applications → 201 + the full object (https://learn.microsoft.com/graph/api/application-post-applications). */
function createApplication(ctx: GraphCtx): EmuResponse {
  return create(ctx, objectBody(ctx.req.body));
}

function create(ctx: GraphCtx, body: Record<string, unknown>, uniqueNameKey?: string): EmuResponse {
  const tenant = ctx.env.tenant;
  rejectOtherBinds(body, ['owners@odata.bind']);
  const app = applyApplicationWrite({ ctx, body, uniqueNameKey });
  const owners = ownersFromBind(tenant, body);
  // The creating service principal becomes an owner, which is what lets an Application.ReadWrite.OwnedBy
  // caller manage what it created (https://learn.microsoft.com/graph/permissions-reference).
  tenant.applications.create(app, [...new Set([ctx.caller.principalId, ...owners].filter(Boolean))]);
  return entityResponse(ctx, 'applications', 'application', app, 201);
}

function applicationsOf(ctx: GraphCtx): Application[] {
  const tenant = ctx.env.tenant;
  const items = tenant.applications.list();
  return ownedByOnly(ctx.caller, 'read') ? items.filter((a) => isOwner(tenant, a.id!, ctx.caller)) : items;
}

function listApplications(ctx: GraphCtx): EmuResponse {
  return listResponse(ctx, {
    entitySet: 'applications',
    type: 'application',
    items: applicationsOf(ctx),
    filterable: FILTERABLE,
    resource: 'application',
    search: SEARCH,
    orderby: ORDERBY,
    expand: APPLICATION_EXPAND,
  });
}

/**
 * `GET /applications/$count`: the number as text/plain, an advanced query — without `ConsistencyLevel: eventual`
 * 400 "$count is not currently supported." (https://learn.microsoft.com/graph/aad-advanced-queries).
 */
function countResponse(ctx: GraphCtx, items: Application[]): EmuResponse {
  if (!eventual(ctx)) throw graphErrors.badRequest('$count is not currently supported.');
  const filter = ctx.req.query.get('$filter');
  const counted = filter ? items.filter(compileFilter(filter, FILTERABLE, 'application').predicate as (a: Application) => boolean) : items;
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, text: String(counted.length) };
}

function prefersCreate(headers: IncomingHttpHeaders): boolean {
  const prefer = headers.prefer;
  const values = (Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '')).split(',').map((p) => p.trim().toLowerCase());
  return values.includes('create-if-missing');
}

/**
 * PATCH /applications/{key} → 204. Upsert: `PATCH /applications(uniqueName='x')` with
 * `Prefer: create-if-missing` creates (201 + object) when a replica does not know the key; without the
 * header a missing app is 404 (https://learn.microsoft.com/graph/api/application-upsert).
 * A PATCH right after a create lands on a replica that may not have the app yet → 404 (§5.1); an upsert
 * in that window tries to create and hits the master's uniqueName check (400), so clients re-read and retry.
 */
function updateApplication(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  const key = applicationKey(ctx.params.app);
  const body = objectBody(ctx.req.body);
  const uniqueNameKey = key.kind === 'alternate' && key.property.toLowerCase() === 'uniquename' ? key.value : undefined;
  const visible = findVisibleApplication(tenant, key);
  if (!visible) {
    if (uniqueNameKey !== undefined && prefersCreate(ctx.req.headers)) return create(ctx, body, uniqueNameKey);
    throw graphErrors.notFound(key.value);
  }
  assertAppAccess(ctx, visible, 'write');
  rejectOtherBinds(body, []);
  const master = masterApplication(tenant, visible.id!);
  const next = applyApplicationWrite({ ctx, body, visible, master, uniqueNameKey });
  tenant.applications.update(next);
  return noContent();
}
