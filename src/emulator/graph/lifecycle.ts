import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { graphErrors } from '../errors.js';
import { tenantsOf } from '../directory.js';
import type { DeletedItem, Tenant } from '../store.js';

/**
 * Cross-object rules of the directory, shared by the application and service principal routes.
 */

/**
 * Graph keeps a home-tenant service principal in step with its application: appRoles,
 * oauth2PermissionScopes, servicePrincipalNames (appId + identifierUris) and appDisplayName.
 * https://learn.microsoft.com/entra/identity-platform/app-objects-and-service-principals
 */
export function syncServicePrincipal(tenant: Tenant, app: Application): void {
  // A multi-tenant app's service principals in other tenants of the emulator follow it too (directory.ts).
  for (const other of tenantsOf(tenant)) {
    if (other === tenant) continue;
    const foreign = homeServicePrincipal(other, app.appId!);
    if (foreign && foreign.appOwnerOrganizationId?.toLowerCase() === tenant.tenantId.toLowerCase()) mirrorApplication(other, foreign, app);
  }
  const sp = homeServicePrincipal(tenant, app.appId!);
  if (sp) mirrorApplication(tenant, sp, app);
}

function mirrorApplication(tenant: Tenant, sp: ServicePrincipal, app: Application): void {
  tenant.put('servicePrincipals', sp.id!, {
    ...sp,
    appDisplayName: app.displayName,
    appRoles: structuredClone(app.appRoles ?? []),
    oauth2PermissionScopes: structuredClone(app.api?.oauth2PermissionScopes ?? []),
    servicePrincipalNames: [app.appId!, ...(app.identifierUris ?? [])],
    signInAudience: app.signInAudience,
  });
}

/** The (master, unlagged) service principal of an appId in this tenant. */
export function homeServicePrincipal(tenant: Tenant, appId: string): ServicePrincipal | undefined {
  return tenant.all('servicePrincipals').find((sp) => sp.appId?.toLowerCase() === appId.toLowerCase());
}

/**
 * DELETE /applications/{id}: the app goes to directory/deletedItems for 30 days, and so does its home
 * service principal (https://learn.microsoft.com/graph/api/application-delete,
 * https://learn.microsoft.com/entra/identity/enterprise-apps/restore-application).
 */
export function softDeleteApplication(tenant: Tenant, appObjectId: string): void {
  const entry = tenant.get('applications', appObjectId);
  if (!entry) throw graphErrors.notFound(appObjectId);
  const app = entry.value;
  const deletedDateTime = new Date(tenant.now()).toISOString();
  tenant.state.deletedItems[appObjectId] = {
    type: 'application',
    value: { ...app, deletedDateTime },
    internals: tenant.state.appInternals[appObjectId],
  };
  delete tenant.state.appInternals[appObjectId];
  tenant.remove('applications', appObjectId);
  const sp = homeServicePrincipal(tenant, app.appId!);
  if (sp) softDeleteServicePrincipal(tenant, sp.id!);
}

/** DELETE /servicePrincipals/{id}: to deletedItems, with its app role assignments and grants. */
export function softDeleteServicePrincipal(tenant: Tenant, spId: string): void {
  const entry = tenant.get('servicePrincipals', spId);
  if (!entry) throw graphErrors.notFound(spId);
  const involves = (a: { principalId?: string | null; resourceId?: string | null; clientId?: string | null }) =>
    a.principalId === spId || a.resourceId === spId || a.clientId === spId;
  const assignments = tenant.all('appRoleAssignments').filter(involves);
  const grants = tenant.all('oauth2PermissionGrants').filter(involves);
  for (const a of assignments) tenant.remove('appRoleAssignments', a.id!);
  for (const g of grants) tenant.remove('oauth2PermissionGrants', g.id!);
  tenant.state.deletedItems[spId] = {
    type: 'servicePrincipal',
    value: { ...entry.value, deletedDateTime: new Date(tenant.now()).toISOString() },
    appRoleAssignments: assignments,
    oauth2PermissionGrants: grants,
  };
  tenant.remove('servicePrincipals', spId);
}

/**
 * POST /directory/deletedItems/{id}/restore. Restoring an application also restores its home service
 * principal. A restore that would collide with a live object's unique values fails.
 */
export function restoreDeleted(tenant: Tenant, id: string): DeletedItem {
  const item = tenant.state.deletedItems[id];
  if (!item) throw graphErrors.notFound(id);
  if (item.type === 'application') {
    const app = item.value as Application;
    if (app.uniqueName && tenant.all('applications').some((a) => a.uniqueName?.toLowerCase() === app.uniqueName!.toLowerCase())) {
      throw graphErrors.badRequest('Another object with the same value for property uniqueName already exists.');
    }
    for (const uri of app.identifierUris ?? []) {
      if (tenant.all('applications').some((a) => a.identifierUris?.includes(uri))) {
        throw graphErrors.badRequest('Another object with the same value for property identifierUris already exists.');
      }
    }
    delete tenant.state.deletedItems[id];
    tenant.put('applications', id, { ...app, deletedDateTime: null });
    tenant.state.appInternals[id] = item.internals ?? { secrets: [], owners: [], federatedIdentityCredentials: [] };
    const spItem = Object.entries(tenant.state.deletedItems).find(
      ([, d]) => d.type === 'servicePrincipal' && (d.value as ServicePrincipal).appId === app.appId,
    );
    if (spItem && !homeServicePrincipal(tenant, app.appId!)) restoreServicePrincipal(tenant, spItem[0], spItem[1]);
  } else {
    const sp = item.value as ServicePrincipal;
    if (homeServicePrincipal(tenant, sp.appId!)) {
      throw graphErrors.conflict(
        `The service principal cannot be created, updated, or restored because the service principal name ${sp.appId} is already in use.`,
      );
    }
    restoreServicePrincipal(tenant, id, item);
  }
  return item;
}

function restoreServicePrincipal(tenant: Tenant, id: string, item: DeletedItem): void {
  delete tenant.state.deletedItems[id];
  tenant.put('servicePrincipals', id, { ...(item.value as ServicePrincipal), deletedDateTime: null });
  const live = new Set(tenant.all('servicePrincipals').map((s) => s.id));
  for (const a of item.appRoleAssignments ?? []) {
    if (live.has(a.principalId!) && live.has(a.resourceId!)) tenant.put('appRoleAssignments', a.id!, a);
  }
  for (const g of item.oauth2PermissionGrants ?? []) {
    if (live.has(g.clientId!) && live.has(g.resourceId!)) tenant.put('oauth2PermissionGrants', g.id!, g);
  }
}

/** DELETE /directory/deletedItems/{id}: gone for good. Purging an app does not purge its deleted SP. */
export function purgeDeleted(tenant: Tenant, id: string): void {
  if (!tenant.state.deletedItems[id]) throw graphErrors.notFound(id);
  delete tenant.state.deletedItems[id];
  tenant.changed();
}
