import type {
  Application,
  AppRoleAssignment,
  ConditionalAccessPolicy,
  FederatedIdentityCredential,
  OAuth2PermissionGrant,
  ServicePrincipal,
} from '@microsoft/microsoft-graph-types';

/** What the tenant holds for one managed application (keyed by its uniqueName). */
export interface LiveApplication {
  app: Application;
  servicePrincipal?: ServicePrincipal;
  /** App role assignments where this app's SP is the principal (its application permissions). */
  assignments: AppRoleAssignment[];
  /** Delegated grants where this app's SP is the client. */
  grants: OAuth2PermissionGrant[];
  federatedCredentials: FederatedIdentityCredential[];
}

export interface LiveTenant {
  id: string;
  displayName?: string;
  /** 'AAD' (workforce) or 'CIAM' (External ID customer tenant). */
  tenantType?: string;
  /** The initial `{subdomain}.onmicrosoft.com` domain's subdomain. */
  subdomain?: string;
  verifiedDomains: string[];
}

/** A resource API in the tenant, resolved from a manifest's permission by name or appId. */
export interface LiveResource {
  servicePrincipal: ServicePrincipal;
}

/** Plain data: everything plan needs about the tenant. */
export interface LiveState {
  tenant: LiveTenant;
  /** By uniqueName (lower-cased). Absent = the application does not exist. */
  applications: Record<string, LiveApplication>;
  /** By the name used in the manifest (display name or appId). Absent = not found. */
  resources: Record<string, LiveResource | null>;
  /**
   * Soft-deleted applications (directory/deletedItems) that hold a managed uniqueName, by uniqueName
   * (lower-cased). Graph keeps the uniqueName reserved while they are there; see src/destroy/recover.ts.
   */
  deletedApplications?: Record<string, Application>;
  /** The tenant's conditional access policies that carry a tenantform marker (absent in older snapshots: none). */
  conditionalAccess?: LiveConditionalAccess;
  /** Applications holding each fixed identifier URI a manifest declares, by lower-cased URI (absent: none found). */
  identifierUriHolders?: Record<string, Array<{ appId: string; displayName: string; uniqueName: string | null }>>;
  /** Entra ID P1 from /subscribedSkus, read only when a stack declares policies. */
  premium?: LivePremium;
  /**
   * The users the manifests name (per-user consent, conditional access), by the name as written, lower-cased:
   * a userPrincipalName or an object id. null: no such user. Absent (older snapshots, no user named): none.
   */
  users?: Record<string, LiveUser | null>;
}

export interface LiveUser {
  id: string;
  userPrincipalName: string;
}

/** What a Graph read answered when it was refused: status and code, for the plan's refusal. */
export interface ReadRefusal {
  status: number;
  code: string;
  message: string;
}

export type LiveConditionalAccess = { policies: ConditionalAccessPolicy[] } | { refused: ReadRefusal };

/** `p1`: a service plan AAD_PREMIUM or AAD_PREMIUM_P2 is enabled; `refused`: the read was not allowed. */
export type LivePremium = { p1: boolean; p2: boolean } | { refused: ReadRefusal };

/** A desired application that does not exist, whose uniqueName a soft-deleted application of the stack holds. */
export interface DeletedHolder {
  stack: string;
  key: string;
  uniqueName: string;
  app: Application;
}
