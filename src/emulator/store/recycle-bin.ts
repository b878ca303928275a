import type { Application, ServicePrincipal, User } from '@microsoft/microsoft-graph-types';
import { graphErrors } from '../errors.js';
import type { StoreCore } from './collection.js';
import type { DeletedItem } from './state.js';

/**
 * directory/deletedItems: soft delete, restore and purge of applications, service principals and users
 * (https://learn.microsoft.com/graph/api/resources/directory). The invariants of the directory are checked
 * here, on the write master, as the real directory does: a restore may not collide with a live object.
 */
export class RecycleBin {
  constructor(private readonly core: StoreCore) {}

  /** A deleted object by its id (exactly as stored). */
  get(id: string): DeletedItem | undefined {
    return this.core.deletedItems[id];
  }

  list(type: DeletedItem['type']): DeletedItem[] {
    return Object.values(this.core.deletedItems).filter((d) => d.type === type);
  }

  /**
   * The soft-deleted applications, as stored. They keep their unique values (uniqueName, identifierUris) reserved
   * until purged, so that a restore (https://learn.microsoft.com/graph/api/directory-deleteditems-restore) brings
   * them back unchanged (issue 10). That the directory answers a reserved identifier URI with the live duplicate's
   * error is UNCONFIRMED by an observed answer.
   */
  applications(): Application[] {
    return this.list('application').map((d) => d.value as Application);
  }

  /**
   * POST /directory/deletedItems/{id}/restore. Restoring an application also restores its home service
   * principal. A restore that would collide with a live object's unique values fails.
   */
  restore(id: string): DeletedItem {
    const core = this.core;
    const item = core.deletedItems[id];
    if (!item) throw graphErrors.notFound(id);
    if (item.type === 'application') {
      const app = item.value as Application;
      const live = core.applications.masters();
      if (app.uniqueName && live.some((a) => a.uniqueName?.toLowerCase() === app.uniqueName!.toLowerCase())) {
        throw graphErrors.badRequest('Another object with the same value for property uniqueName already exists.');
      }
      for (const uri of app.identifierUris ?? []) {
        if (live.some((a) => a.identifierUris?.includes(uri))) {
          throw graphErrors.badRequest('Another object with the same value for property identifierUris already exists.');
        }
      }
      delete core.deletedItems[id];
      core.applications.put(id, { ...app, deletedDateTime: null });
      core.state.appInternals[id] = item.internals ?? { secrets: [], owners: [], federatedIdentityCredentials: [] };
      const spItem = Object.entries(core.deletedItems).find(([, d]) => d.type === 'servicePrincipal' && (d.value as ServicePrincipal).appId === app.appId);
      if (spItem && !homeServicePrincipal(core, app.appId!)) restoreServicePrincipal(core, spItem[0], spItem[1]);
    } else if (item.type === 'user') {
      const user = item.value as User;
      // A live user has taken the userPrincipalName meanwhile: the directory's uniqueness text (as on POST /users).
      if (core.users.masters().some((u) => u.userPrincipalName?.toLowerCase() === user.userPrincipalName?.toLowerCase())) {
        throw graphErrors.badRequest('Another object with the same value for property userPrincipalName already exists.', [
          { code: 'ObjectConflict', message: 'Another object with the same value for property userPrincipalName already exists.', target: 'userPrincipalName' },
        ]);
      }
      delete core.deletedItems[id];
      core.users.put(id, { ...user, deletedDateTime: null });
      if (item.userInternals) core.state.userInternals[id] = item.userInternals;
    } else {
      const sp = item.value as ServicePrincipal;
      if (homeServicePrincipal(core, sp.appId!)) {
        throw graphErrors.conflict(
          `The service principal cannot be created, updated, or restored because the service principal name ${sp.appId} is already in use.`,
        );
      }
      restoreServicePrincipal(core, id, item);
    }
    return item;
  }

  /** DELETE /directory/deletedItems/{id}: gone for good. Purging an app does not purge its deleted SP. */
  purge(id: string): void {
    if (!this.core.deletedItems[id]) throw graphErrors.notFound(id);
    delete this.core.deletedItems[id];
    this.core.changed();
  }
}

function homeServicePrincipal(core: StoreCore, appId: string): ServicePrincipal | undefined {
  return core.servicePrincipals.masters().find((sp) => sp.appId?.toLowerCase() === appId.toLowerCase());
}

/**
 * DELETE /applications/{id}: the app goes to directory/deletedItems for 30 days, and so does its home
 * service principal (https://learn.microsoft.com/graph/api/application-delete,
 * https://learn.microsoft.com/entra/identity/enterprise-apps/restore-application).
 */
export function softDeleteApplication(core: StoreCore, appObjectId: string): void {
  const app = core.applications.master(appObjectId);
  if (!app) throw graphErrors.notFound(appObjectId);
  const deletedDateTime = new Date(core.now()).toISOString();
  core.deletedItems[appObjectId] = {
    type: 'application',
    value: { ...app, deletedDateTime },
    internals: core.state.appInternals[appObjectId],
  };
  delete core.state.appInternals[appObjectId];
  core.applications.remove(appObjectId);
  const sp = homeServicePrincipal(core, app.appId!);
  if (sp) softDeleteServicePrincipal(core, sp.id!);
}

/** DELETE /servicePrincipals/{id}: to deletedItems, with its app role assignments and grants. */
export function softDeleteServicePrincipal(core: StoreCore, spId: string): void {
  const sp = core.servicePrincipals.master(spId);
  if (!sp) throw graphErrors.notFound(spId);
  const involves = (a: { principalId?: string | null; resourceId?: string | null; clientId?: string | null }) =>
    a.principalId === spId || a.resourceId === spId || a.clientId === spId;
  const assignments = core.appRoleAssignments.masters().filter(involves);
  const grants = core.oauth2PermissionGrants.masters().filter(involves);
  for (const a of assignments) core.appRoleAssignments.remove(a.id!);
  for (const g of grants) core.oauth2PermissionGrants.remove(g.id!);
  core.deletedItems[spId] = {
    type: 'servicePrincipal',
    value: { ...sp, deletedDateTime: new Date(core.now()).toISOString() },
    appRoleAssignments: assignments,
    oauth2PermissionGrants: grants,
    // The hashes of its own secrets (servicePrincipal addPassword) go and come back with it.
    ...(core.state.appInternals[spId] ? { internals: core.state.appInternals[spId] } : {}),
  };
  delete core.state.appInternals[spId];
  core.servicePrincipals.remove(spId);
}

function restoreServicePrincipal(core: StoreCore, id: string, item: DeletedItem): void {
  delete core.deletedItems[id];
  core.servicePrincipals.put(id, { ...(item.value as ServicePrincipal), deletedDateTime: null });
  if (item.internals) core.state.appInternals[id] = item.internals;
  const live = new Set(core.servicePrincipals.masters().map((s) => s.id));
  for (const a of item.appRoleAssignments ?? []) {
    if (live.has(a.principalId!) && live.has(a.resourceId!)) core.appRoleAssignments.put(a.id!, a);
  }
  for (const g of item.oauth2PermissionGrants ?? []) {
    if (live.has(g.clientId!) && live.has(g.resourceId!)) core.oauth2PermissionGrants.put(g.id!, g);
  }
}
