import type { Application } from '@microsoft/microsoft-graph-types';
import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { foreignApplication, isMultiTenant } from '../directory.js';
import { GraphFault, graphErrors } from '../errors.js';
import type { Tenant } from '../store/index.js';
import { ownedByOnly } from './app-access.js';
import { noContent, type EmuResponse } from '../http.js';
import { parseKey } from '../router.js';
import { countCollection } from './counts.js';
import { SERVICE_PRINCIPAL_EXPAND } from './navigations.js';
import { entityProperties, entityResponse, listResponse } from './odata.js';
import type { OrderSpec } from './orderby.js';
import type { SearchSpec } from './search.js';
import { spPasswordRoutes } from './passwords.js';
import { EXPANDABLE_ENTITY_QUERY, EXPANDABLE_LIST_QUERY } from './query-options.js';
import {
  applyWritable,
  assertCanManageApp,
  buildServicePrincipal,
  duplicateSpError,
  findServicePrincipal,
  objectBody,
  replicatedApplication,
  servicePrincipalView,
} from './sp-model.js';

/**
 * /servicePrincipals: create, list, get, update (incl. upsert by appId), delete.
 * https://learn.microsoft.com/graph/api/resources/serviceprincipal
 */

/** $filter support per https://learn.microsoft.com/graph/api/resources/serviceprincipal (property table). */
const FILTERABLE = [
  'id',
  'appId',
  'displayName',
  'servicePrincipalNames',
  'tags',
  'accountEnabled',
  'appOwnerOrganizationId',
  'servicePrincipalType',
  'appRoleAssignmentRequired',
];

/** `$search`: tokenized on displayName and description, `startsWith` on the other $filter properties (graph/search.ts). */
const SEARCH: SearchSpec = {
  tokenized: ['displayName', 'description'],
  startsWith: FILTERABLE.filter((p) => p !== 'displayName'),
  resource: 'servicePrincipal',
};

/** `$orderby`: displayName (servicePrincipal resource, property table), only as an advanced query (graph/orderby.ts). */
const ORDERBY: OrderSpec = { byDefault: [], advanced: ['displayName'], type: 'servicePrincipal', properties: entityProperties('servicePrincipal') };

const visibleServicePrincipals = (ctx: GraphCtx) => ctx.env.tenant.servicePrincipals.list().map((sp) => servicePrincipalView(ctx.env.tenant, sp));

export const servicePrincipalRoutes: GraphRoute[] = [
  { method: 'POST', pattern: 'servicePrincipals', anyOf: PERMS.appWrite, handler: createServicePrincipal },
  {
    method: 'GET',
    pattern: 'servicePrincipals',
    anyOf: PERMS.appRead,
    query: EXPANDABLE_LIST_QUERY,
    handler: (ctx) =>
      listResponse(ctx, {
        entitySet: 'servicePrincipals',
        type: 'servicePrincipal',
        items: visibleServicePrincipals(ctx),
        filterable: FILTERABLE,
        resource: 'servicePrincipal',
        search: SEARCH,
        orderby: ORDERBY,
        expand: SERVICE_PRINCIPAL_EXPAND,
      }),
  },
  {
    // https://learn.microsoft.com/graph/api/serviceprincipal-list, example "Get only a count" (graph/counts.ts).
    method: 'GET',
    pattern: 'servicePrincipals/$count',
    anyOf: PERMS.appRead,
    query: ['$filter'],
    handler: (ctx) => countCollection(ctx, visibleServicePrincipals(ctx), FILTERABLE, 'servicePrincipal'),
  },
  {
    method: 'GET',
    pattern: 'servicePrincipals/:sp',
    anyOf: PERMS.appRead,
    query: EXPANDABLE_ENTITY_QUERY,
    handler: (ctx) =>
      entityResponse(
        ctx,
        'servicePrincipals',
        'servicePrincipal',
        servicePrincipalView(ctx.env.tenant, findServicePrincipal(ctx.env.tenant, ctx.params.sp)),
        200,
        SERVICE_PRINCIPAL_EXPAND,
      ),
  },
  { method: 'PATCH', pattern: 'servicePrincipals/:sp', anyOf: PERMS.appWrite, handler: updateServicePrincipal },
  {
    method: 'DELETE',
    pattern: 'servicePrincipals/:sp',
    anyOf: PERMS.appWrite,
    handler: (ctx) => {
      // https://learn.microsoft.com/graph/api/serviceprincipal-delete: 204, and the SP goes to deletedItems.
      const sp = findServicePrincipal(ctx.env.tenant, ctx.params.sp);
      assertCanManageApp(ctx, sp.appId);
      ctx.env.tenant.servicePrincipals.softDelete(sp.id!);
      return noContent();
    },
  },
  ...spPasswordRoutes,
];

/** POST /servicePrincipals {appId, …} → 201 (https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals). */
function createServicePrincipal(ctx: GraphCtx): EmuResponse {
  const body = objectBody(ctx.req.body);
  if (typeof body.appId !== 'string' || !body.appId) {
    throw graphErrors.badRequest("Property 'appId' is required when creating the entity.");
  }
  return create(ctx, body.appId, body);
}

function create(ctx: GraphCtx, appId: string, body: Record<string, unknown>): EmuResponse {
  const tenant = ctx.env.tenant;
  // The uniqueness check runs on the master, so it also catches an SP that is not replicated yet (and the
  // first-party SPs such as Microsoft Graph's, whose application lives in another tenant).
  const existing = tenant.servicePrincipals.home(appId);
  if (existing) throw duplicateSpError(existing.appId!);
  const foreign = foreignApplicationForSp(ctx, appId);
  if (foreign) {
    // A multi-tenant application of another tenant: its SP here is owned by the app's home organization.
    const sp = { ...buildServicePrincipal(tenant, foreign.app, { ...body, appId: foreign.app.appId }), appOwnerOrganizationId: foreign.home.tenantId };
    tenant.servicePrincipals.create(sp);
    return entityResponse(ctx, 'servicePrincipals', 'servicePrincipal', sp, 201);
  }
  const app = replicatedApplication(tenant, appId);
  assertCanManageApp(ctx, app.appId);
  const sp = buildServicePrincipal(tenant, app, { ...body, appId: app.appId });
  tenant.servicePrincipals.create(sp);
  return entityResponse(ctx, 'servicePrincipals', 'servicePrincipal', servicePrincipalView(tenant, sp), 201);
}

/**
 * PATCH /servicePrincipals/{id} → 204 (https://learn.microsoft.com/graph/api/serviceprincipal-update).
 * PATCH /servicePrincipals(appId='…') with `Prefer: create-if-missing` is an upsert: 201 + the new SP when
 * none exists, 204 when one does, 404 without the header (https://learn.microsoft.com/graph/api/serviceprincipal-upsert).
 */
function updateServicePrincipal(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  const body = objectBody(ctx.req.body);
  const key = parseKey(ctx.params.sp);
  const upsert = key.kind === 'alternate' && key.property === 'appId' && prefers(ctx, 'create-if-missing');
  let spId: string;
  if (upsert) {
    // An upsert is decided by the write master: an SP created a moment ago is updated, not duplicated.
    const existing = tenant.servicePrincipals.home(key.value);
    if (!existing) return create(ctx, key.value, body);
    spId = existing.id!;
  } else {
    spId = findServicePrincipal(tenant, ctx.params.sp).id!;
  }
  const current = tenant.servicePrincipals.master(spId)!;
  assertCanManageApp(ctx, current.appId);
  tenant.servicePrincipals.update(applyWritable(current, body));
  return noContent();
}

/**
 * The application behind a new SP when it is registered in ANOTHER tenant of the emulator (directory.ts):
 * a multi-tenant app is returned; a single-tenant one answers what a missing app does — 400 "does not
 * reference a valid application object", as seen when copying SPs of single-tenant apps into another tenant
 * (Microsoft365DSC/Microsoft365DSC#3390). Application.ReadWrite.OwnedBy alone may only create SPs for apps of
 * its own tenant: 403 with the service's text (Azure/azure-cli#28009).
 */
function foreignApplicationForSp(ctx: GraphCtx, appId: string): { home: Tenant; app: Application } | undefined {
  const tenant = ctx.env.tenant;
  if (tenant.applications.byAppId(appId)) return undefined;
  const foreign = foreignApplication(tenant, appId);
  if (!foreign || !isMultiTenant(foreign.app)) return undefined;
  if (ownedByOnly(ctx.caller, 'write')) {
    throw new GraphFault(
      403,
      'Authorization_RequestDenied',
      'When using this permission, the backing application of the service principal being created must in the local tenant',
    );
  }
  return { home: foreign.home, app: foreign.home.applications.master(foreign.app.id!) ?? foreign.app };
}

function prefers(ctx: GraphCtx, preference: string): boolean {
  const header = ctx.req.headers.prefer;
  const values = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim().toLowerCase());
  return values.includes(preference);
}
