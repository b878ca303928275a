/**
 * The emulator's persisted data: the shape of the state file, the replication-lag record and the file I/O.
 * Only the store (this folder) reads or writes a TenantState; handlers go through Tenant's operations.
 */
import { readFileSync, existsSync } from 'node:fs';
import { DEFAULT_LICENSES, checkLicenses, type LicenseSku } from '../licenses.js';
import type {
  Application,
  AppRoleAssignment,
  ConditionalAccessPolicy,
  FederatedIdentityCredential,
  OAuth2PermissionGrant,
  Organization,
  ServicePrincipal,
  User,
} from '@microsoft/microsoft-graph-types';

/**
 * One stored object with replication lag modelled: `value` is what the write master holds; a read
 * before `visibleAt` sees `prev` (a stale replica), or nothing when the object is new.
 * https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra
 */
export interface Versioned<T> {
  value: T;
  prev: T | null;
  visibleAt: number;
}

/** Emulator-only facts about an application that Graph never returns. */
export interface AppInternals {
  /** sha256 (hex) of each client secret, by keyId; the secret itself is never stored. */
  secrets: Array<{ keyId: string; sha256: string }>;
  /** Object ids of the service principals that own the app (creator under Application.ReadWrite.OwnedBy). */
  owners: string[];
  federatedIdentityCredentials: Array<Versioned<FederatedIdentityCredential>>;
}

/**
 * Emulator-only facts about a test user that Graph never returns: the password as an scrypt hash (with its
 * salt) and the TOTP secret of its authenticator-app MFA method, when it has one.
 */
export interface UserInternals {
  password: PasswordHash;
  /** Base32 TOTP secret (RFC 6238) of the user's one MFA method; kept in clear because codes are verified with it. */
  totpSecret?: string;
  /** passwordProfile.forceChangePasswordNextSignIn: the password must be changed before a sign-in succeeds. */
  forceChangePasswordNextSignIn?: boolean;
  /** Template ids of the built-in directory roles the user holds (directory-roles.ts); none: a member user. */
  roleIds?: string[];
}

/** node:crypto scrypt of a password: base64 salt and derived key, with the cost parameters used. */
export interface PasswordHash {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
}

/**
 * What the token service keeps about a refresh token it issued (by the sha256 of the token; the token itself is
 * never stored): enough to redeem it later for the same client, user and scopes.
 */
export interface RefreshTokenRecord {
  /** The client application (appId) it was issued to; only that client may redeem it. */
  clientId: string;
  /** Object id of the signed-in user. */
  userId: string;
  /** The scopes of the original request, as sent (OIDC scopes included). */
  scopes: string[];
  /** amr values of the authentication it carries forward (`pwd`, `mfa`). */
  authMethods: string[];
  /** Unix seconds of the authentication (auth_time). */
  authTime: number;
  /** Unix ms when issued and when it expires (90 days by default; 24 h for a single-page app). */
  issuedAt: number;
  expiresAt: number;
  /** Issued to a single-page application redirect (fixed 24 h lifetime, AADSTS700084 afterwards). */
  spa?: boolean;
  /** Issued to a public client (no credential): redeeming it needs none, and refuses one (absent in older records). */
  publicClient?: boolean;
  /** The conditional access client app type of the sign-in (`browser`, `mobileAppsAndDesktopClients`), re-evaluated on refresh. */
  clientAppType?: string;
}

export interface DeletedItem {
  type: 'application' | 'servicePrincipal' | 'user';
  value: Application | ServicePrincipal | User;
  internals?: AppInternals;
  /** For a user: its password hash and MFA method, which come back with it on restore. */
  userInternals?: UserInternals;
  /** For a service principal: the assignments and grants that go and come back with it. */
  appRoleAssignments?: AppRoleAssignment[];
  oauth2PermissionGrants?: OAuth2PermissionGrant[];
}

export interface SigningKey {
  kid: string;
  privatePem: string;
  certPem: string;
}

export interface TenantState {
  version: 1;
  tenantId: string;
  organization: Organization;
  applications: Record<string, Versioned<Application>>;
  appInternals: Record<string, AppInternals>;
  servicePrincipals: Record<string, Versioned<ServicePrincipal>>;
  appRoleAssignments: Record<string, Versioned<AppRoleAssignment>>;
  oauth2PermissionGrants: Record<string, Versioned<OAuth2PermissionGrant>>;
  /** Conditional access policies (GET/POST /identity/conditionalAccess/policies). Absent in older state files. */
  conditionalAccessPolicies: Record<string, Versioned<ConditionalAccessPolicy>>;
  /** The tenant's Entra ID licenses (GET /subscribedSkus; what conditional access may use). Absent in older state files. */
  licenses: LicenseSku[];
  /** Test users (GET/POST /users). Absent in older state files. */
  users: Record<string, Versioned<User>>;
  /** Password hashes and MFA methods of the users, by user object id. Absent in older state files. */
  userInternals: Record<string, UserInternals>;
  /** Refresh tokens issued by the token endpoint, by the sha256 (hex) of the token. Absent in older state files. */
  refreshTokens: Record<string, RefreshTokenRecord>;
  deletedItems: Record<string, DeletedItem>;
  signingKey: SigningKey;
  /** The bootstrap admin client (its secret is kept so every start can print it). */
  admin: { appId: string; clientSecret: string };
  /**
   * Other tenants hosted by the same emulator (only on the first tenant's state, which is what the state
   * file holds). Each is a complete TenantState of its own; see directory.ts.
   */
  extraTenants?: TenantState[];
}

/** A new version of an object: the previous visible value stays readable until the lag has passed. */
export function versioned<T>(value: T, existing: Versioned<T> | undefined, now: number, lagMs: number): Versioned<T> {
  const prevVisible = existing ? (now >= existing.visibleAt ? existing.value : existing.prev) : null;
  return { value, prev: lagMs > 0 ? prevVisible : null, visibleAt: now + lagMs };
}

/** What a read replica returns for this object at `now`. */
export function visibleValue<T>(v: Versioned<T> | undefined, now: number): T | undefined {
  if (!v) return undefined;
  return now >= v.visibleAt ? v.value : (v.prev ?? undefined);
}

export function loadState(file: string): TenantState | undefined {
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as TenantState;
  if (state.version !== 1) throw new Error(`${file}: unsupported emulator state version ${String(state.version)}`);
  return state;
}

/**
 * Fill in what state files written before a field existed lack (no conditional access policies; the default
 * license, Entra ID P1; no users and no refresh tokens). Idempotent; the next save writes the fields.
 */
export function upgradeState(state: TenantState): void {
  const s = state as Partial<TenantState>;
  s.conditionalAccessPolicies ??= {};
  s.users ??= {};
  s.userInternals ??= {};
  s.refreshTokens ??= {};
  s.licenses = s.licenses ? checkLicenses(s.licenses, 'emulator state licenses') : [...DEFAULT_LICENSES];
}
