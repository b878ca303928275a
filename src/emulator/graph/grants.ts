import type { OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { noContent, type EmuResponse } from '../http.js';
import { parseKey } from '../router.js';
import type { Tenant } from '../store/index.js';
import { entityResponse, listResponse } from './odata.js';
import { LIST_QUERY } from './query-options.js';
import { findServicePrincipal, objectBody } from './sp-model.js';
import { validateBody } from './validate-body.js';
import { GUID } from '../guid.js';

/**
 * Delegated permission grants (admin consent for delegated scopes).
 * https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant
 */

const TYPE = 'oAuth2PermissionGrant';
const FILTERABLE = ['id', 'clientId', 'resourceId', 'consentType', 'principalId'];
/** https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant — scope "must not exceed 3,850 characters". */
const MAX_SCOPE_LENGTH = 3850;

export const grantRoutes: GraphRoute[] = [
  { method: 'POST', pattern: 'oauth2PermissionGrants', anyOf: PERMS.grantWrite, handler: createGrant },
  {
    method: 'GET',
    pattern: 'oauth2PermissionGrants',
    anyOf: PERMS.grantRead,
    query: LIST_QUERY,
    handler: (ctx) => list(ctx, 'oauth2PermissionGrants', ctx.env.tenant.oauth2PermissionGrants.list()),
  },
  {
    method: 'GET',
    pattern: 'oauth2PermissionGrants/:id',
    anyOf: PERMS.grantRead,
    handler: (ctx) => entityResponse(ctx, 'oauth2PermissionGrants', TYPE, findGrant(ctx.env.tenant, ctx.params.id)),
  },
  { method: 'PATCH', pattern: 'oauth2PermissionGrants/:id', anyOf: PERMS.grantWrite, handler: updateGrant },
  {
    // https://learn.microsoft.com/graph/api/oauth2permissiongrant-delete → 204
    method: 'DELETE',
    pattern: 'oauth2PermissionGrants/:id',
    anyOf: PERMS.grantWrite,
    handler: (ctx) => {
      const grant = findGrant(ctx.env.tenant, ctx.params.id);
      ctx.env.tenant.oauth2PermissionGrants.remove(grant.id!);
      return noContent();
    },
  },
  {
    // Grants whose client is this SP: https://learn.microsoft.com/graph/api/serviceprincipal-list-oauth2permissiongrants
    method: 'GET',
    pattern: 'servicePrincipals/:sp/oauth2PermissionGrants',
    anyOf: [...PERMS.appRead, ...PERMS.grantRead],
    query: LIST_QUERY,
    handler: (ctx) => {
      const sp = findServicePrincipal(ctx.env.tenant, ctx.params.sp);
      return list(
        ctx,
        'oauth2PermissionGrants',
        ctx.env.tenant.oauth2PermissionGrants.where('clientId', sp.id!).filter((g) => g.clientId === sp.id),
      );
    },
  },
];

function list(ctx: GraphCtx, entitySet: string, items: OAuth2PermissionGrant[]): EmuResponse {
  return listResponse(ctx, { entitySet, type: TYPE, items, filterable: FILTERABLE, resource: TYPE });
}

function findGrant(tenant: Tenant, segment: string): OAuth2PermissionGrant {
  const key = parseKey(segment);
  const grant = key.kind === 'id' ? tenant.oauth2PermissionGrants.visible(key.value) : undefined;
  if (!grant) throw graphErrors.notFound(key.value);
  return grant;
}

/** POST /oauth2PermissionGrants → 201 (https://learn.microsoft.com/graph/api/oauth2permissiongrant-post). */
function createGrant(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  const body = objectBody(ctx.req.body);
  validateBody(TYPE, body);
  for (const k of Object.keys(body)) {
    if (!['clientId', 'consentType', 'principalId', 'resourceId', 'scope', '@odata.type'].includes(k)) {
      throw graphErrors.badRequest(`Property '${k}' is read-only and cannot be set.`);
    }
  }
  const clientId = requiredGuid(body, 'clientId');
  const resourceId = requiredGuid(body, 'resourceId');
  const consentType = body.consentType;
  if (consentType !== 'AllPrincipals' && consentType !== 'Principal') throw invalidValue('consentType');
  let principalId: string | null = null;
  if (consentType === 'Principal') {
    // The user the grant is for: a test user a replica can see, else the ResourceDoesNotExist 400 of the other
    // references (UNCONFIRMED for principalId).
    principalId = requiredGuid(body, 'principalId');
    if (!tenant.users.visible(principalId)) {
      throw graphErrors.badRequest(`Resource '${principalId}' does not exist or one of its queried reference-property objects are not present.`);
    }
  } else if (body.principalId !== undefined && body.principalId !== null) {
    // AllPrincipals grants have principalId null (resource page). UNCONFIRMED error text.
    throw invalidValue('principalId');
  }
  const client = referencedServicePrincipal(tenant, clientId);
  const resource = referencedServicePrincipal(tenant, resourceId);
  const scope = checkScope(resource, body.scope ?? null);
  const id = grantId(client.id!, resource.id!, principalId);
  // One grant per (client, resource, principal): TFAD #690 shows 409 Request_MultipleObjectsWithSameKeyValue
  // "Permission entry already exists." for a second one.
  if (tenant.oauth2PermissionGrants.master(id)) throw graphErrors.conflict('Permission entry already exists.');
  const grant: OAuth2PermissionGrant = { id, clientId: client.id, consentType, principalId, resourceId: resource.id, scope };
  tenant.oauth2PermissionGrants.create(grant);
  return entityResponse(ctx, 'oauth2PermissionGrants', TYPE, grant, 201);
}

/** PATCH /oauth2PermissionGrants/{id} {scope} → 204; scope replaces the whole string (oauth2permissiongrant-update). */
function updateGrant(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  const grant = findGrant(tenant, ctx.params.id);
  const body = objectBody(ctx.req.body);
  validateBody(TYPE, body);
  for (const k of Object.keys(body)) {
    if (k !== 'scope' && k !== '@odata.type') throw graphErrors.badRequest(`Property '${k}' is read-only and cannot be set.`);
  }
  const current = tenant.oauth2PermissionGrants.master(grant.id!)!;
  if (!('scope' in body)) return noContent();
  const resource = tenant.servicePrincipals.visible(current.resourceId!);
  const scope = resource ? checkScope(resource, body.scope) : checkScopeShape(body.scope);
  tenant.oauth2PermissionGrants.setScope(grant.id!, scope);
  return noContent();
}

function requiredGuid(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (v === undefined || v === null || v === '') throw graphErrors.badRequest(`Property '${name}' is required when creating the entity.`);
  if (typeof v !== 'string' || !GUID.test(v)) throw invalidValue(name);
  return v.toLowerCase();
}

// The directory's "Invalid value specified for property 'x' of resource 'y'." shape; UNCONFIRMED per property.
const invalidValue = (p: string) => graphErrors.badRequest(`Invalid value specified for property '${p}' of resource 'OAuth2PermissionGrant'.`);

/**
 * A client/resource SP the replica cannot see yet — or at all — answers 400 with the ResourceDoesNotExist
 * text; TFAD and HAM retry on it right after creating the SP (reference/graph-api.md §5.1).
 */
function referencedServicePrincipal(tenant: Tenant, id: string): ServicePrincipal {
  const sp = tenant.servicePrincipals.visible(id);
  if (!sp) {
    throw graphErrors.badRequest(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  }
  return sp;
}

function checkScopeShape(scope: unknown): string {
  if (scope !== null && typeof scope !== 'string') throw invalidValue('scope');
  const s = scope ?? '';
  if (s.length > MAX_SCOPE_LENGTH) throw invalidValue('scope');
  return s;
}

/**
 * Every space-separated value must be an enabled delegated scope the resource SP publishes. Whether Graph
 * rejects unknown values is UNCONFIRMED (reference/graph-api.md §1.11); the emulator is strict so a typo in
 * a manifest shows up locally rather than as a silently useless grant.
 */
function checkScope(resource: ServicePrincipal, scope: unknown): string {
  const s = checkScopeShape(scope);
  const published = new Set((resource.oauth2PermissionScopes ?? []).filter((p) => p.isEnabled !== false).map((p) => p.value?.toLowerCase()));
  for (const value of s.split(/\s+/).filter(Boolean)) {
    if (!published.has(value.toLowerCase())) throw invalidValue('scope');
  }
  return s;
}

/**
 * Grant ids are not GUIDs: they are the base64url of the client and resource object ids (+ the principal's
 * for a Principal grant), in .NET Guid byte order — 43 or 64 characters (azure-cli#20974 shows both shapes).
 */
export function grantId(clientId: string, resourceId: string, principalId: string | null): string {
  const ids = [clientId, resourceId, ...(principalId ? [principalId] : [])];
  return Buffer.concat(ids.map(dotnetGuidBytes)).toString('base64url');
}

function dotnetGuidBytes(guid: string): Buffer {
  const b = Buffer.from(guid.replace(/-/g, ''), 'hex');
  // Data1 (4 bytes), Data2 (2) and Data3 (2) are little-endian in System.Guid.ToByteArray().
  return Buffer.concat([b.subarray(0, 4).reverse(), b.subarray(4, 6).reverse(), b.subarray(6, 8).reverse(), b.subarray(8)]);
}
