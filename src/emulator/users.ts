import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import type { User } from '@microsoft/microsoft-graph-types';
import { generateSecret, generateURI } from 'otplib';
import { DIRECTORY_ROLE_NAMES, directoryRoleId, directoryRoleName } from './directory-roles.js';
import type { PasswordHash, Tenant, UserInternals } from './store/index.js';

/**
 * Test users of the local tenant: what a user object looks like when the emulator creates it (the `users` option,
 * `emulator.addUser()`, `tenantform emulator --user`, and `POST /users`), how its password is kept (node:crypto
 * scrypt with a random salt; the password itself is never stored) and its one MFA method, a TOTP authenticator
 * (RFC 6238, through otplib) whose secret a developer can add to an authenticator app.
 */

/** A test user to provision: `userPrincipalName` without `@` gets the tenant's initial domain. */
export interface TestUserSpec {
  userPrincipalName: string;
  displayName?: string;
  password: string;
  /** Register an MFA method (a TOTP authenticator); without one, a policy requiring MFA answers AADSTS50079. */
  mfa?: boolean;
  /**
   * Built-in directory roles, by display name (`Global Administrator`, `Application Administrator`, …) or template
   * id (directory-roles.ts). Without any, the user is a member user: it may read the directory and manage the
   * applications it owns, which is what its delegated Graph tokens allow.
   */
  roles?: string[];
}

/** A provisioned test user, with what a test or a developer needs to sign in as it. */
export interface TestUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  password: string;
  /** Base32 TOTP secret of the MFA method (MFA users only). */
  totpSecret?: string;
  /** `otpauth://totp/…` URI of the same secret, what authenticator apps scan as a QR code (MFA users only). */
  otpauthUri?: string;
  /** Display names of the user's directory roles (empty for a member user). */
  roles: string[];
}

/** A test user the emulator cannot provision as given: the CLI shows it as a usage error of `--user`. */
export class TestUserError extends Error {
  override readonly name = 'EmulatorOptionError';
  readonly flag = '--user';
}

/** The issuer shown by authenticator apps for the TOTP secret. */
export const TOTP_ISSUER = 'tenantform emulator';

/**
 * scrypt cost (N = 2^14, r = 8, p = 1: node's defaults and the interactive-login parameters of the scrypt paper).
 * A hash costs ~50 ms, which is what checking a password should cost.
 */
const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 64 };

export function hashPassword(password: string): PasswordHash {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFC'), salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return { algorithm: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export function verifyPassword(password: string, stored: PasswordHash): boolean {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = scryptSync(password.normalize('NFC'), Buffer.from(stored.salt, 'base64'), expected.length, {
    N: stored.N,
    r: stored.r,
    p: stored.p,
  });
  return timingSafeEqual(actual, expected);
}

export function newTotpSecret(): string {
  return generateSecret();
}

export function otpauthUri(userPrincipalName: string, secret: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: userPrincipalName, secret });
}

/**
 * Characters Entra allows in the part of a userPrincipalName before `@` ("A - Z, a - z, 0 - 9, ' . - _ ! # ^ ~",
 * https://learn.microsoft.com/graph/api/user-post-users), at most 64 of them, no leading or trailing dot.
 */
const UPN_LOCAL = /^[A-Za-z0-9'\-_!#^~]([A-Za-z0-9'.\-_!#^~]{0,62}[A-Za-z0-9'\-_!#^~])?$/;

/** Why a userPrincipalName is malformed (local part, or not exactly one `@`), else undefined. The domain is checked apart. */
export function upnShapeProblem(upn: string): string | undefined {
  const at = upn.indexOf('@');
  if (at < 0 || at !== upn.lastIndexOf('@')) return 'a userPrincipalName is alias@domain';
  if (!UPN_LOCAL.test(upn.slice(0, at)) || upn.slice(0, at).includes('..')) {
    return "the part before '@' may hold only A-Z a-z 0-9 ' . - _ ! # ^ ~ (at most 64, no leading, trailing or double dot)";
  }
  return undefined;
}

/** The tenant's initial `*.onmicrosoft.com` domain. */
export function initialDomain(tenant: Tenant): string {
  const org = tenant.organization();
  return org.verifiedDomains?.find((d) => d.isInitial)?.name ?? tenant.verifiedDomains()[0] ?? '';
}

/**
 * A user object as Graph v1.0 stores it: the given properties, every other modelled property null (collections
 * empty), userType Member, creationType null (created by an administrator, not self-service sign-up).
 */
export function buildUser(props: Partial<User> & { userPrincipalName: string; displayName: string }, nowIso: string): User {
  const user: User & Record<string, unknown> = {
    id: randomUUID(),
    deletedDateTime: null,
    accountEnabled: true,
    businessPhones: [],
    city: null,
    companyName: null,
    country: null,
    createdDateTime: nowIso,
    creationType: null,
    department: null,
    employeeId: null,
    faxNumber: null,
    givenName: null,
    jobTitle: null,
    mail: null,
    mailNickname: props.userPrincipalName.split('@')[0],
    mobilePhone: null,
    officeLocation: null,
    otherMails: [],
    passwordPolicies: null,
    postalCode: null,
    preferredLanguage: null,
    proxyAddresses: [],
    state: null,
    streetAddress: null,
    surname: null,
    usageLocation: null,
    userType: 'Member',
  };
  return Object.assign(user, props);
}

/**
 * Provision a test user from the emulator's own inputs (not Graph: no password complexity rule, the user is
 * visible at once). `mode` `create` refuses a userPrincipalName in use; `ensure` (the `users` option, applied on
 * every start of a persisted tenant) keeps an existing user and its TOTP secret, resets its password and adds an
 * MFA method when asked for one.
 */
export function provisionTestUser(tenant: Tenant, spec: TestUserSpec, mode: 'create' | 'ensure', nowIso: string): TestUser {
  const upn = spec.userPrincipalName.includes('@') ? spec.userPrincipalName : `${spec.userPrincipalName}@${initialDomain(tenant)}`;
  const shape = upnShapeProblem(upn);
  if (shape) throw new TestUserError(`emulator test user '${spec.userPrincipalName}': ${shape}`);
  const domain = upn.slice(upn.indexOf('@') + 1).toLowerCase();
  if (!tenant.verifiedDomains().some((d) => d.toLowerCase() === domain)) {
    throw new TestUserError(`emulator test user '${upn}': the domain must be one of the tenant's verified domains (${tenant.verifiedDomains().join(', ')})`);
  }
  // Entra's password grant does not accept passwords with leading or trailing whitespace
  // (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc).
  if (spec.password === '' || spec.password.trim() !== spec.password) {
    throw new TestUserError(`emulator test user '${upn}': the password must be non-empty, without leading or trailing whitespace`);
  }
  const roleIds = (spec.roles ?? []).map((r) => {
    const id = directoryRoleId(r);
    if (!id) throw new TestUserError(`emulator test user '${upn}': unknown directory role '${r}' (known: ${DIRECTORY_ROLE_NAMES.join(', ')})`);
    return id;
  });
  const roles = roleIds.length ? { roleIds: [...new Set(roleIds)] } : {};
  const existing = tenant.users.masterByUserPrincipalName(upn);
  if (existing && mode === 'create') throw new TestUserError(`emulator test user '${upn}' already exists`);
  if (existing) {
    const current = tenant.users.credentials(existing.id!)!;
    const totpSecret = current.totpSecret ?? (spec.mfa ? newTotpSecret() : undefined);
    // The `users` option is declarative: roles it names replace the user's; without any, the user keeps its own.
    const kept = spec.roles ? roles.roleIds : current.roleIds;
    tenant.users.setCredentials(existing.id!, {
      password: hashPassword(spec.password),
      ...(totpSecret ? { totpSecret } : {}),
      ...(kept ? { roleIds: kept } : {}),
    });
    return testUser(existing, spec.password, totpSecret, kept);
  }
  const user = buildUser({ userPrincipalName: upn, displayName: spec.displayName ?? upn.split('@')[0] }, nowIso);
  const internals: UserInternals = { password: hashPassword(spec.password), ...roles };
  if (spec.mfa) internals.totpSecret = newTotpSecret();
  tenant.users.create(user, internals, true);
  return testUser(user, spec.password, internals.totpSecret, roles.roleIds);
}

function testUser(user: User, password: string, totpSecret: string | undefined, roleIds: string[] = []): TestUser {
  const out: TestUser = {
    id: user.id!,
    userPrincipalName: user.userPrincipalName!,
    displayName: user.displayName ?? '',
    password,
    roles: roleIds.map(directoryRoleName),
  };
  if (totpSecret) Object.assign(out, { totpSecret, otpauthUri: otpauthUri(user.userPrincipalName!, totpSecret) });
  return out;
}
