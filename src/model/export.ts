/**
 * What `tenantform export` reads from the tenant (graph/export-reader.ts) and turns into a manifest
 * (export/): plain data, so the pure core can be tested on hand-built objects.
 */
import type { AppRoleAssignment, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { LiveApplication, LiveTenant, ReadRefusal } from './live.js';

/** An owner of an application, as `GET /applications/{id}/owners` lists it (a directoryObject of some type). */
export interface ExportOwner {
  type: 'user' | 'servicePrincipal' | 'group' | 'other';
  id: string;
  displayName?: string;
  /** Users: their sign-in name; service principals: their appId. */
  name?: string;
}

/** One application to export: what plan reads for a managed application, and what it does not manage but reports. */
export interface ExportedApplication extends LiveApplication {
  /** Owners; `refused` when the tenant would not list them (then they are reported as unknown, never as none). */
  owners: ExportOwner[] | { refused: ReadRefusal };
  /** App role assignments granted ON this application's service principal (its roles given to users, groups, apps). */
  assignedTo: AppRoleAssignment[];
}

export interface ExportRead {
  tenant: LiveTenant;
  /** The applications to export, in the order they were found (the core sorts them itself). */
  applications: ExportedApplication[];
  /**
   * Service principals the applications name but that are not exported: resources of their permissions,
   * assignments and grants, known and pre-authorized clients. Exported applications' own SPs are on them.
   */
  servicePrincipals: ServicePrincipal[];
  /**
   * For each display name a resource would be named by, how many service principals carry it: the manifest names a
   * tenant API by display name only when that name is unique (the planner refuses an ambiguous one).
   */
  displayNameCounts: Record<string, number>;
  /**
   * The users behind per-user delegated grants (consentType Principal): principal object id (lower-case) →
   * userPrincipalName, null when the user could not be read (deleted, or the read refused: User.ReadBasic.All).
   */
  users?: Record<string, string | null>;
}
