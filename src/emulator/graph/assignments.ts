import { randomBytes } from 'node:crypto';
import type { AppRoleAssignment, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { hasAny, PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { noContent, type EmuResponse } from '../http.js';
import { MICROSOFT_GRAPH_APP_ID } from '../seed.js';
import type { Tenant } from '../store/index.js';
import { mayGrantGraphAppRoles } from './delegated-access.js';
import { countText } from './counts.js';
import { entityResponse, listResponse } from './odata.js';
import { LIST_QUERY } from './query-options.js';
import { findServicePrincipal, objectBody } from './sp-model.js';
import { validateBody } from './validate-body.js';

/**
 * App role assignments of service principals, from both ends:
 * - resource side: /servicePrincipals/{resource}/appRoleAssignedTo
 *   (https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto)
 * - principal side: /servicePrincipals/{principal}/appRoleAssignments
 *   (https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignments)
 * Only service principals are principals here: the emulator has no users or groups.
 */

export type Side = 'appRoleAssignedTo' | 'appRoleAssignments';

/** "Default access": the role id to assign when the resource app defines no app roles. */
export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

const FILTERABLE = ['id', 'principalId', 'resourceId', 'appRoleId', 'principalType'];

export const assignmentRoutes: GraphRoute[] = (['appRoleAssignedTo', 'appRoleAssignments'] as const).flatMap((side): GraphRoute[] => [
  { method: 'POST', pattern: `servicePrincipals/:sp/${side}`, anyOf: PERMS.assignmentWrite, handler: (ctx) => createAssignment(ctx, side) },
  {
    method: 'GET',
    pattern: `servicePrincipals/:sp/${side}`,
    anyOf: PERMS.appRead,
    query: LIST_QUERY,
    handler: (ctx) => {
      const sp = findServicePrincipal(ctx.env.tenant, ctx.params.sp);
      const items = assignmentsOf(ctx.env.tenant, sp.id!, side);
      return listResponse(ctx, {
        entitySet: `servicePrincipals('${sp.id}')/${side}`,
        type: 'appRoleAssignment',
        items,
        filterable: FILTERABLE,
        resource: 'appRoleAssignment',
      });
    },
  },
  {
    // `$count` of the navigation: an advanced query (aad-advanced-queries lists appRoleAssignments and appRoleAssignedTo
    // of servicePrincipal among the relationships with advanced query support; graph/counts.ts).
    method: 'GET',
    pattern: `servicePrincipals/:sp/${side}/$count`,
    anyOf: PERMS.appRead,
    query: [],
    handler: (ctx) => countText(ctx, assignmentsOf(ctx.env.tenant, findServicePrincipal(ctx.env.tenant, ctx.params.sp).id!, side).length),
  },
  {
    // One assignment by id (the navigation entity; the SDKs generate this call).
    method: 'GET',
    pattern: `servicePrincipals/:sp/${side}/:assignment`,
    anyOf: PERMS.appRead,
    handler: (ctx) => {
      const a = findAssignment(ctx, side);
      return entityResponse(ctx, `servicePrincipals('${ctx.params.sp}')/${side}`, 'appRoleAssignment', a);
    },
  },
  {
    // https://learn.microsoft.com/graph/api/serviceprincipal-delete-approleassignedto → 204
    method: 'DELETE',
    pattern: `servicePrincipals/:sp/${side}/:assignment`,
    anyOf: PERMS.assignmentWrite,
    handler: (ctx) => {
      ctx.env.tenant.appRoleAssignments.remove(findAssignment(ctx, side).id!);
      return noContent();
    },
  },
]);

/** The app role assignments hanging off a service principal on one side, as a replica sees them. */
export function assignmentsOf(tenant: Tenant, spId: string, side: Side): AppRoleAssignment[] {
  return tenant.appRoleAssignments.where(side === 'appRoleAssignedTo' ? 'resourceId' : 'principalId', spId).filter((a) => endOf(a, side) === spId);
}

/** The assignment a URL names, as a replica sees it, hanging off the URL's SP on the given side; else 404. */
function findAssignment(ctx: GraphCtx, side: Side): AppRoleAssignment {
  const tenant = ctx.env.tenant;
  const sp = findServicePrincipal(tenant, ctx.params.sp);
  const id = ctx.params.assignment;
  const a = tenant.appRoleAssignments.visible(id);
  if (!a || endOf(a, side) !== sp.id) throw graphErrors.notFound(id);
  return a;
}

/** The service principal an assignment hangs off, seen from one side. */
function endOf(a: AppRoleAssignment, side: Side): string | null | undefined {
  return side === 'appRoleAssignedTo' ? a.resourceId : a.principalId;
}

function createAssignment(ctx: GraphCtx, side: Side): EmuResponse {
  // Both pages need AppRoleAssignment.ReadWrite.All AND an app read permission; the route checked the first
  // (https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/3476, reference/graph-api.md §1.10).
  if (!hasAny(ctx.caller, PERMS.appRead)) throw graphErrors.denied();
  const tenant = ctx.env.tenant;
  const urlSp = findServicePrincipal(tenant, ctx.params.sp);
  const body = objectBody(ctx.req.body);
  validateBody('appRoleAssignment', body);
  const principalId = guidField(body, 'principalId');
  const resourceId = guidField(body, 'resourceId');
  const appRoleId = guidField(body, 'appRoleId');
  for (const k of Object.keys(body)) {
    if (!['principalId', 'resourceId', 'appRoleId', 'principalType', '@odata.type'].includes(k)) {
      throw graphErrors.badRequest(`Property '${k}' is read-only and cannot be set.`);
    }
  }
  // The URL's SP must be the matching end of the assignment. UNCONFIRMED message.
  const urlEnd = side === 'appRoleAssignedTo' ? resourceId : principalId;
  if (urlEnd.toLowerCase() !== urlSp.id!.toLowerCase()) {
    const prop = side === 'appRoleAssignedTo' ? 'resourceId' : 'principalId';
    throw graphErrors.badRequest(`The '${prop}' of the app role assignment must be the service principal in the request URL.`);
  }
  const principal = referencedServicePrincipal(tenant, principalId);
  const resource = referencedServicePrincipal(tenant, resourceId);
  checkRole(resource, appRoleId);
  // A user may grant Microsoft Graph's application permissions only as a Privileged Role Administrator or Global
  // Administrator; the application administrators may grant every other API's
  // (https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent#prerequisites).
  if (ctx.caller.user && resource.appId?.toLowerCase() === MICROSOFT_GRAPH_APP_ID && !mayGrantGraphAppRoles(ctx.caller.user.roleIds)) {
    throw graphErrors.denied();
  }
  const duplicate = tenant.appRoleAssignments
    .masters()
    .some((a) => a.principalId === principal.id && a.resourceId === resource.id && a.appRoleId?.toLowerCase() === appRoleId.toLowerCase());
  if (duplicate) throw graphErrors.badRequest('Permission being assigned already exists on the object.');
  const assignment: AppRoleAssignment = {
    // Real ids are opaque 43-char base64url strings, not GUIDs (see the response example on the docs page).
    id: randomBytes(32).toString('base64url'),
    appRoleId: appRoleId.toLowerCase(),
    createdDateTime: ctx.env.clock.iso(),
    deletedDateTime: null,
    principalDisplayName: principal.displayName,
    principalId: principal.id,
    principalType: 'ServicePrincipal',
    resourceDisplayName: resource.displayName,
    resourceId: resource.id,
  };
  tenant.appRoleAssignments.create(assignment);
  return entityResponse(ctx, `servicePrincipals('${urlSp.id}')/${side}`, 'appRoleAssignment', assignment, 201);
}

/** A required GUID of the body (its shape was already checked by validateBody against Edm.Guid). */
function guidField(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string') throw graphErrors.badRequest(`Property '${name}' is required when creating the entity.`);
  return v;
}

/**
 * A principal/resource named in the body. One the write master has but a replica does not is the
 * replication-lag case clients retry on: 400 "Not a valid reference update." (TFAD app_role_assignment_resource.go,
 * HAM app_role_assignments.go; reference/graph-api.md §5.1). One that does not exist at all: 404 (UNCONFIRMED).
 */
function referencedServicePrincipal(tenant: Tenant, id: string): ServicePrincipal {
  const key = id.toLowerCase();
  const visible = tenant.servicePrincipals.visible(key);
  if (visible) return visible;
  if (tenant.servicePrincipals.master(key)) {
    throw graphErrors.badRequest('Not a valid reference update.');
  }
  throw graphErrors.notFound(id);
}

/**
 * The role must be an enabled app role of the resource that service principals may hold
 * (allowedMemberTypes contains "Application"), or default access when the resource defines no roles
 * (https://learn.microsoft.com/graph/api/resources/approleassignment). The error text is the one a
 * third-party emulator uses — UNCONFIRMED (reference/graph-api.md §1.10).
 */
function checkRole(resource: ServicePrincipal, appRoleId: string): void {
  const roles = resource.appRoles ?? [];
  if (appRoleId === DEFAULT_ACCESS_ROLE_ID && roles.length === 0) return;
  const role = roles.find((r) => r.id?.toLowerCase() === appRoleId.toLowerCase());
  if (!role || role.isEnabled === false || !(role.allowedMemberTypes ?? []).includes('Application')) {
    throw graphErrors.badRequest('Permission being assigned was not found on application.');
  }
}
