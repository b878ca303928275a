import type { GraphFault } from './errors.js';
import type { Clock, Faults } from './faults.js';
import type { EmuRequest, EmuResponse } from './http.js';
import type { TokenKeys } from './keys.js';
import type { GraphQuotas } from './quotas.js';
import type { SignInState } from './login/sign-in-state.js';
import type { Tenant } from './store/index.js';

/** Everything a handler may use; one per emulator instance. */
export interface EmulatorEnv {
  tenant: Tenant;
  clock: Clock;
  faults: Faults;
  /** Graph's identity and access service limits (quotas.ts), one set of buckets for the whole emulator. */
  quotas: GraphQuotas;
  keys: TokenKeys;
  /** Origin used like https://login.microsoftonline.com. */
  authorityHost: string;
  /** Origin used like https://graph.microsoft.com. */
  graphUrl: string;
  /** Sessions, sign-ins in progress, authorization and device codes of the interactive flows (shared by the tenants). */
  signIns: SignInState;
}

/** Who is calling Graph, from its verified access token. */
export interface Caller {
  /** The calling application (token `appid`/`azp`). */
  appId: string;
  /**
   * Object id of the acting principal (token `oid`): the application's service principal for an app-only token,
   * the signed-in user for a delegated one. What it creates, it owns (Graph adds the creator as owner).
   */
  principalId: string;
  /**
   * The permission names the caller holds: an app-only token's `roles`; for a user token, its scopes as far as
   * the user's directory roles allow them (graph/delegated-access.ts).
   */
  roles: string[];
  /** The signed-in user of a delegated token, with the template ids of its directory roles. */
  user?: { id: string; roleIds: string[] };
}

export interface GraphCtx {
  req: EmuRequest;
  /** Path parameters by name, raw (a key segment may be `{id}` or `(appId='…')`; see parseKey). */
  params: Record<string, string>;
  env: EmulatorEnv;
  caller: Caller;
}

export type GraphHandler = (ctx: GraphCtx) => EmuResponse | Promise<EmuResponse>;

export interface GraphRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Path after the version, e.g. `applications/:app/addPassword`. `:name` matches one segment. */
  pattern: string;
  /** The caller needs at least one of these Microsoft Graph application permissions. */
  anyOf: readonly string[];
  /** And at least one of each of these groups too (an API that needs two permissions, e.g. conditional access writes). */
  alsoAnyOf?: ReadonlyArray<readonly string[]>;
  /** The 403 this API answers when a permission is missing; default Authorization_RequestDenied (errors.ts denied). */
  denied?: () => GraphFault;
  /**
   * OData query options the handler honours (e.g. graph/query-options.ts LIST_QUERY); default `$select` for a
   * GET, none otherwise. Any other system query option answers 501/400, never a silent ignore.
   */
  query?: readonly string[];
  handler: GraphHandler;
}

/** Microsoft Graph application permissions per kind of access (from each API page's permissions table). */
export const PERMS = {
  appRead: ['Application.Read.All', 'Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  appWrite: ['Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy'],
  /** https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto (+ Application.Read.All, checked in the handler) */
  assignmentWrite: ['AppRoleAssignment.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/oauth2permissiongrant-post */
  grantWrite: ['DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'],
  grantRead: ['DelegatedPermissionGrant.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/organization-get (delegated: User.Read is the least privileged) */
  orgRead: ['User.Read', 'Organization.Read.All', 'Directory.Read.All', 'Organization.ReadWrite.All', 'Directory.ReadWrite.All'],
  /** directory/deletedItems: https://learn.microsoft.com/graph/api/directory-deleteditems-list */
  deletedRead: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  deletedWrite: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
  /** Deleted users: directory-deleteditems-list/-get/-restore/-delete name User.Read.All / User.ReadWrite.All for users. */
  deletedUserRead: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  deletedUserWrite: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/conditionalaccessroot-list-policies, conditionalaccesspolicy-get */
  caRead: ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess', 'Policy.Read.ConditionalAccess'],
  /**
   * conditionalaccessroot-post-policies, conditionalaccesspolicy-update, -delete: "Policy.Read.All,
   * Policy.ReadWrite.ConditionalAccess and Application.Read.All" — Policy.ReadWrite.ConditionalAccess AND
   * Application.Read.All (or Application.ReadWrite.All). A token with Policy.ReadWrite.ConditionalAccess and
   * Policy.Read.All only is refused with 403 AccessDenied (hashicorp/terraform-provider-azuread#1687), so
   * Policy.Read.All does not stand in for Application.Read.All.
   */
  caWrite: ['Policy.ReadWrite.ConditionalAccess'],
  caWriteAlso: ['Application.Read.All', 'Application.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/user-list, user-get (application permissions) */
  userRead: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/user-post-users, user-delete */
  userWrite: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/subscribedsku-list (LicenseAssignment.Read.All is its newer least-privileged one) */
  skuRead: ['LicenseAssignment.Read.All', 'Organization.Read.All', 'Directory.Read.All', 'Organization.ReadWrite.All', 'Directory.ReadWrite.All'],
} as const;

export function hasAny(caller: Caller, roles: readonly string[]): boolean {
  return roles.some((r) => caller.roles.includes(r));
}
