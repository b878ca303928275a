import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { noContent, type EmuResponse } from '../http.js';
import { parseKey } from '../router.js';
import { homeServicePrincipal, softDeleteServicePrincipal } from './lifecycle.js';
import { entityResponse, listResponse } from './odata.js';
import {
  applyWritable,
  assertCanManageApp,
  buildServicePrincipal,
  duplicateSpError,
  findServicePrincipal,
  objectBody,
  replicatedApplication,
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

export const servicePrincipalRoutes: GraphRoute[] = [
  { method: 'POST', pattern: 'servicePrincipals', anyOf: PERMS.appWrite, handler: createServicePrincipal },
  {
    method: 'GET',
    pattern: 'servicePrincipals',
    anyOf: PERMS.appRead,
    handler: (ctx) =>
      listResponse(ctx, {
        entitySet: 'servicePrincipals',
        type: 'servicePrincipal',
        items: ctx.env.tenant.list('servicePrincipals'),
        filterable: FILTERABLE,
        resource: 'servicePrincipal',
      }),
  },
  {
    method: 'GET',
    pattern: 'servicePrincipals/:sp',
    anyOf: PERMS.appRead,
    handler: (ctx) => entityResponse(ctx, 'servicePrincipals', 'servicePrincipal', findServicePrincipal(ctx.env.tenant, ctx.params.sp)),
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
      softDeleteServicePrincipal(ctx.env.tenant, sp.id!);
      return noContent();
    },
  },
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
  const existing = homeServicePrincipal(tenant, appId);
  if (existing) throw duplicateSpError(existing.appId!);
  const app = replicatedApplication(tenant, appId);
  assertCanManageApp(ctx, app.appId);
  const sp = buildServicePrincipal(tenant, app, { ...body, appId: app.appId });
  tenant.put('servicePrincipals', sp.id!, sp);
  return entityResponse(ctx, 'servicePrincipals', 'servicePrincipal', sp, 201);
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
    const existing = homeServicePrincipal(tenant, key.value);
    if (!existing) return create(ctx, key.value, body);
    spId = existing.id!;
  } else {
    spId = findServicePrincipal(tenant, ctx.params.sp).id!;
  }
  const current = tenant.get('servicePrincipals', spId)!.value;
  assertCanManageApp(ctx, current.appId);
  tenant.put('servicePrincipals', spId, applyWritable(current, body));
  return noContent();
}

function prefers(ctx: GraphCtx, preference: string): boolean {
  const header = ctx.req.headers.prefer;
  const values = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim().toLowerCase());
  return values.includes(preference);
}
