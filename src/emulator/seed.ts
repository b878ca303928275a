import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AppRole, Application, PermissionScope, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import graphPermissions from './data/microsoft-graph-permissions.json' with { type: 'json' };
import { DEFAULT_LICENSES, checkLicenses, type LicenseSku } from './licenses.js';
import type { SigningKey, TenantState } from './store/index.js';
import type { TestUserSpec } from './users.js';

export const MICROSOFT_GRAPH_APP_ID = graphPermissions.resourceAppId;
/** Microsoft's own tenant, owner of first-party apps such as Microsoft Graph. */
export const MICROSOFT_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

/**
 * Microsoft Graph app roles beyond reference/microsoft-graph-permissions.json that the emulator needs:
 * GET /organization requires Organization.Read.All (https://learn.microsoft.com/graph/api/organization-get);
 * Policy.Read.ConditionalAccess reads conditional access policies
 * (https://learn.microsoft.com/graph/api/conditionalaccessroot-list-policies; id from the permissions reference).
 */
const EXTRA_GRAPH_ROLES: Record<string, string> = {
  'Organization.Read.All': '498476ce-e0fe-48b0-b801-37ba7e2685c6',
  'Policy.Read.ConditionalAccess': '37730810-e9ba-4e46-b07e-8ca78d182097',
};

/**
 * What the bootstrap admin client holds: enough to run tenantform end to end against the local tenant,
 * conditional access included (Policy.ReadWrite.ConditionalAccess + Policy.Read.All, with Application.ReadWrite.All
 * standing in for the docs' Application.Read.All), and test users (User.ReadWrite.All: /users).
 */
export const ADMIN_ROLES = [
  'Application.ReadWrite.All',
  'User.ReadWrite.All',
  'AppRoleAssignment.ReadWrite.All',
  'DelegatedPermissionGrant.ReadWrite.All',
  'Organization.Read.All',
  'Policy.ReadWrite.ConditionalAccess',
  'Policy.Read.All',
];

export interface SeedOptions {
  tenantId?: string;
  /** 'AAD' (workforce) or 'CIAM' (External ID customer tenant); read by clients from /organization. */
  tenantType?: 'AAD' | 'CIAM';
  /** Subdomain of the initial verified domain `{subdomain}.onmicrosoft.com`. */
  subdomain?: string;
  displayName?: string;
  /**
   * The tenant's Entra ID licenses (GET /subscribedSkus): `AAD_PREMIUM` (P1) lets conditional access policies be
   * written, `AAD_PREMIUM_P2` adds risk-based conditions; `[]` = none. Default `['AAD_PREMIUM']`. createEmulator
   * also reads TENANTFORM_EMULATOR_LICENSES (comma-separated, `none` = no license).
   */
  licenses?: LicenseSku[];
  /**
   * Test users to provision (created when missing; an existing one keeps its id and TOTP secret and gets the given
   * password). A `userPrincipalName` without `@` gets the tenant's initial domain (`alice` →
   * `alice@tenantformlocal.onmicrosoft.com`). `mfa: true` registers a TOTP authenticator (users.ts).
   */
  users?: TestUserSpec[];
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A client secret shaped like Entra's (40 chars from a URL-safe alphabet incl. `~` `.` `_` `-`). */
export function newSecretText(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~._-';
  return Array.from(randomBytes(40), (b) => alphabet[b % alphabet.length]).join('');
}

function graphServicePrincipal(): ServicePrincipal {
  const roles = { ...graphPermissions.appRoles, ...EXTRA_GRAPH_ROLES };
  const appRoles: AppRole[] = Object.entries(roles).map(([value, id]) => ({
    id,
    value,
    displayName: value,
    description: `Allows the app to use ${value} without a signed-in user.`,
    allowedMemberTypes: ['Application'],
    isEnabled: true,
    origin: 'Application',
  }));
  const scopes: PermissionScope[] = Object.entries(graphPermissions.oauth2PermissionScopes).map(([value, id]) => ({
    id,
    value,
    type: value === 'User.Read' || ['openid', 'profile', 'email', 'offline_access'].includes(value) ? 'User' : 'Admin',
    adminConsentDisplayName: value,
    adminConsentDescription: `Allows the app to use ${value} on behalf of the signed-in user.`,
    userConsentDisplayName: value,
    userConsentDescription: `Allows the app to use ${value} on your behalf.`,
    isEnabled: true,
  }));
  return {
    id: randomUUID(),
    deletedDateTime: null,
    accountEnabled: true,
    appId: MICROSOFT_GRAPH_APP_ID,
    appDisplayName: graphPermissions.displayName,
    displayName: graphPermissions.displayName,
    appOwnerOrganizationId: MICROSOFT_TENANT_ID,
    appRoleAssignmentRequired: false,
    appRoles,
    oauth2PermissionScopes: scopes,
    servicePrincipalNames: [MICROSOFT_GRAPH_APP_ID, 'https://graph.microsoft.com', 'https://graph.microsoft.com/', 'https://canary.graph.microsoft.com'],
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMultipleOrgs',
    tags: [],
    keyCredentials: [],
    passwordCredentials: [],
    replyUrls: [],
    alternativeNames: [],
    notificationEmailAddresses: [],
    addIns: [],
    info: null,
  };
}

export function seedTenant(opts: SeedOptions, signingKey: SigningKey, nowIso: string): TenantState {
  const tenantId = opts.tenantId ?? randomUUID();
  const subdomain = opts.subdomain ?? 'tenantformlocal';
  const graphSp = graphServicePrincipal();
  const state: TenantState = {
    version: 1,
    tenantId,
    organization: {
      id: tenantId,
      deletedDateTime: null,
      displayName: opts.displayName ?? 'tenantform local tenant',
      tenantType: opts.tenantType ?? 'AAD',
      createdDateTime: nowIso,
      countryLetterCode: 'US',
      verifiedDomains: [
        { name: `${subdomain}.onmicrosoft.com`, isDefault: true, isInitial: true, type: 'Managed', capabilities: 'Email, OfficeCommunicationsOnline' },
      ],
    },
    applications: {},
    appInternals: {},
    servicePrincipals: { [graphSp.id!]: { value: graphSp, prev: null, visibleAt: 0 } },
    appRoleAssignments: {},
    oauth2PermissionGrants: {},
    conditionalAccessPolicies: {},
    users: {},
    userInternals: {},
    refreshTokens: {},
    licenses: checkLicenses(opts.licenses ?? DEFAULT_LICENSES, 'emulator option licenses'),
    deletedItems: {},
    signingKey,
    admin: { appId: '', clientSecret: '' },
  };
  addAdminClient(state, graphSp, nowIso);
  return state;
}

/** The bootstrap confidential client: an app + SP with a secret and admin-consented Graph app roles. */
function addAdminClient(state: TenantState, graphSp: ServicePrincipal, nowIso: string): void {
  const appId = randomUUID();
  const appObjectId = randomUUID();
  const spId = randomUUID();
  const secret = newSecretText();
  const keyId = randomUUID();
  const displayName = 'tenantform-admin';
  const app: Application = {
    id: appObjectId,
    appId,
    displayName,
    deletedDateTime: null,
    createdDateTime: nowIso,
    signInAudience: 'AzureADMyOrg',
    identifierUris: [],
    tags: [],
    appRoles: [],
    keyCredentials: [],
    requiredResourceAccess: [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: ADMIN_ROLES.map((r) => ({ id: roleId(graphSp, r), type: 'Role' })) }],
    passwordCredentials: [
      {
        keyId,
        displayName: 'bootstrap',
        hint: secret.slice(0, 3),
        startDateTime: nowIso,
        endDateTime: '2299-12-31T00:00:00Z',
        customKeyIdentifier: null,
        secretText: null,
      },
    ],
    api: {
      requestedAccessTokenVersion: null,
      acceptMappedClaims: null,
      knownClientApplications: [],
      oauth2PermissionScopes: [],
      preAuthorizedApplications: [],
    },
    optionalClaims: null,
    publisherDomain: state.organization.verifiedDomains![0].name,
  };
  const sp: ServicePrincipal = {
    id: spId,
    appId,
    appDisplayName: displayName,
    displayName,
    deletedDateTime: null,
    accountEnabled: true,
    appOwnerOrganizationId: state.tenantId,
    appRoleAssignmentRequired: false,
    appRoles: [],
    oauth2PermissionScopes: [],
    servicePrincipalNames: [appId],
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMyOrg',
    tags: [],
    keyCredentials: [],
    passwordCredentials: [],
    replyUrls: [],
    alternativeNames: [],
    notificationEmailAddresses: [],
    addIns: [],
  };
  state.applications[appObjectId] = { value: app, prev: null, visibleAt: 0 };
  state.appInternals[appObjectId] = { secrets: [{ keyId, sha256: secretHash(secret) }], owners: [], federatedIdentityCredentials: [] };
  state.servicePrincipals[spId] = { value: sp, prev: null, visibleAt: 0 };
  for (const role of ADMIN_ROLES) {
    const id = randomBytes(32).toString('base64url').slice(0, 43);
    state.appRoleAssignments[id] = {
      prev: null,
      visibleAt: 0,
      value: {
        id,
        appRoleId: roleId(graphSp, role),
        createdDateTime: nowIso,
        deletedDateTime: null,
        principalDisplayName: displayName,
        principalId: spId,
        principalType: 'ServicePrincipal',
        resourceDisplayName: graphSp.displayName,
        resourceId: graphSp.id,
      },
    };
  }
  state.admin = { appId, clientSecret: secret };
}

function roleId(sp: ServicePrincipal, value: string): string {
  const role = sp.appRoles?.find((r) => r.value === value);
  if (!role?.id) throw new Error(`Microsoft Graph seed has no app role ${value}`);
  return role.id;
}
