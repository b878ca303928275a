import type { AppRoleAssignment, OAuth2PermissionGrant } from '@microsoft/microsoft-graph-types';
import { graphErrors } from '../errors.js';
import type { StoreCore } from './collection.js';

/** App role assignments (admin consent to application permissions) between service principals. */
export class AssignmentStore {
  constructor(private readonly core: StoreCore) {}

  visible(id: string): AppRoleAssignment | undefined {
    return this.core.appRoleAssignments.visible(id);
  }

  list(): AppRoleAssignment[] {
    return this.core.appRoleAssignments.list();
  }

  /** The visible assignments of a principal or of a resource (indexed). */
  where(field: 'principalId' | 'resourceId', id: string): AppRoleAssignment[] {
    return this.core.appRoleAssignments.where(field, id);
  }

  /** The write master's assignments (for the duplicate check). */
  masters(): AppRoleAssignment[] {
    return this.core.appRoleAssignments.masters();
  }

  create(assignment: AppRoleAssignment): void {
    this.core.appRoleAssignments.put(assignment.id!, assignment);
  }

  /** Removals are seen by every read at once (docs/emulator.md: not every lag is modelled). */
  remove(id: string): void {
    this.core.appRoleAssignments.remove(id);
  }
}

/** Delegated permission grants (admin consent to scopes). */
export class GrantStore {
  constructor(private readonly core: StoreCore) {}

  visible(id: string): OAuth2PermissionGrant | undefined {
    return this.core.oauth2PermissionGrants.visible(id);
  }

  list(): OAuth2PermissionGrant[] {
    return this.core.oauth2PermissionGrants.list();
  }

  /** The visible grants of a client or of a resource (indexed). */
  where(field: 'clientId' | 'resourceId', id: string): OAuth2PermissionGrant[] {
    return this.core.oauth2PermissionGrants.where(field, id);
  }

  master(id: string): OAuth2PermissionGrant | undefined {
    return this.core.oauth2PermissionGrants.master(id);
  }

  create(grant: OAuth2PermissionGrant): void {
    this.core.oauth2PermissionGrants.put(grant.id!, grant);
  }

  /** A grant's scope string is all a PATCH can change. */
  setScope(id: string, scope: string): void {
    const current = this.core.oauth2PermissionGrants.master(id);
    if (!current) throw graphErrors.notFound(id);
    this.core.oauth2PermissionGrants.put(id, { ...current, scope });
  }

  remove(id: string): void {
    this.core.oauth2PermissionGrants.remove(id);
  }
}
