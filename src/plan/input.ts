import type { AppRole, OptionalClaims, PermissionScope } from '@microsoft/microsoft-graph-types';

/**
 * What the planner needs to know about the desired state — a narrow view of the manifest model
 * (src/model), so diffing stays independent of how manifests are written.
 */
export interface PlanApplication {
  stack: string;
  /** Logical name in the manifest. */
  key: string;
  uniqueName: string;
  ownershipTag: string;
  displayName: string;
  description?: string | null;
  signInAudience: string;
  /** May contain `{appId}` for the application's own appId. */
  identifierUris: string[];
  requestedAccessTokenVersion: number | null;
  appRoles: AppRole[];
  oauth2PermissionScopes: PermissionScope[];
  optionalClaims: OptionalClaims | null;
  servicePrincipal: { appRoleAssignmentRequired: boolean; tags: string[] };
  secrets: Array<{ name: string; lifetimeMs: number }>;
  permissions: PlanPermission[];
}

export interface PlanPermission {
  /** Another application of the same stack (by key), or an API in the tenant (by display name or appId). */
  api: { kind: 'stack'; key: string } | { kind: 'tenant'; name: string };
  roles: string[];
  scopes: string[];
  adminConsent: boolean;
}

export interface PlanStack {
  name: string;
  applications: PlanApplication[];
}

/** A known client secret from the local 0600 cache (value never leaves memory except into outputs). */
export interface KnownSecret {
  keyId: string;
  value: string;
}

/** Secrets we know, by stack → app key → secret name. */
export type SecretCache = Record<string, Record<string, Record<string, KnownSecret>>>;
