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
 * Delegated permissions of Microsoft Graph beyond the reference subset, with the ids Graph's service principal
 * publishes in every tenant (https://learn.microsoft.com/graph/permissions-reference): what the first-party clients
 * (login/first-party.ts) are pre-authorized for, and what a delegated tenantform run needs.
 */
const EXTRA_GRAPH_SCOPES: Record<string, string> = {
  'Application.Read.All': 'c79f8feb-a9db-4090-85f9-90d820caa0eb',
  'AuditLog.Read.All': 'e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20',
  'DelegatedPermissionGrant.ReadWrite.All': '41ce6ca6-6826-4807-84f1-1c82854f7ee5',
  'Directory.AccessAsUser.All': '0e263e50-5827-48a4-b97c-d940288653c7',
  'Directory.Read.All': '06da0dbc-49e2-44d2-8312-53f166ab848a',
  'Directory.ReadWrite.All': 'c5366453-9fb0-48a5-a156-24f0c49a4b84',
  'Group.ReadWrite.All': '4e46008b-f24c-477d-8fff-7bb4ec7aafe0',
  'Organization.Read.All': '4908d5b9-3fb2-4b1e-9336-1888b7937185',
  'Policy.Read.All': '572fea84-0151-49b2-9301-11cb16974376',
  'Policy.ReadWrite.ConditionalAccess': 'ad902697-1014-4ef5-81ef-2b4301988e8c',
  'User.Read.All': 'a154be20-db9c-4678-8ab7-66f6cc099a59',
  'User.ReadBasic.All': 'b340eb25-3456-403f-be2f-af7a0d370277',
  'User.ReadWrite.All': '204e0828-b5ca-4ad8-b9f3-f32a958e7cc4',
};

/** Delegated permissions of Microsoft Graph a user may consent to for themselves (the rest need an administrator). */
const USER_CONSENT_SCOPES = ['User.Read', 'User.ReadBasic.All', 'openid', 'profile', 'email', 'offline_access'];

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
  const scopes: PermissionScope[] = Object.entries({ ...graphPermissions.oauth2PermissionScopes, ...EXTRA_GRAPH_SCOPES }).map(([value, id]) => ({
    id,
    value,
    type: USER_CONSENT_SCOPES.includes(value) ? 'User' : 'Admin',
    adminConsentDisplayName: value,
    adminConsentDescription: `Allows the app to use ${value} on behalf of the signed-in user.`,
    userConsentDisplayName: value,
    userConsentDescription: `Allows the app to use ${value} on your behalf.`,
    isEnabled: true,
  }));
  return firstPartyServicePrincipal({
    appId: MICROSOFT_GRAPH_APP_ID,
    displayName: graphPermissions.displayName,
    appRoles,
    oauth2PermissionScopes: scopes,
    servicePrincipalNames: [MICROSOFT_GRAPH_APP_ID, 'https://graph.microsoft.com', 'https://graph.microsoft.com/', 'https://canary.graph.microsoft.com'],
  });
}

/** A first-party resource's service principal as every tenant holds it: owned by Microsoft's tenant, multi-tenant. */
function firstPartyServicePrincipal(
  o: Required<Pick<ServicePrincipal, 'appId' | 'displayName' | 'appRoles' | 'oauth2PermissionScopes' | 'servicePrincipalNames'>>,
): ServicePrincipal {
  return {
    id: randomUUID(),
    deletedDateTime: null,
    accountEnabled: true,
    appId: o.appId,
    appDisplayName: o.displayName,
    displayName: o.displayName,
    appOwnerOrganizationId: MICROSOFT_TENANT_ID,
    appRoleAssignmentRequired: false,
    appRoles: o.appRoles,
    oauth2PermissionScopes: o.oauth2PermissionScopes,
    servicePrincipalNames: o.servicePrincipalNames,
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

/** Azure Service Management (the Azure Resource Manager audience): a first-party resource every tenant has. */
export const AZURE_SERVICE_MANAGEMENT_APP_ID = '797f4846-ba00-4fd7-ba43-dac1f8f63013';

/**
 * The service principal of "Windows Azure Service Management API", as real tenants hold it: owned by Microsoft's
 * tenant, names `https://management.core.windows.net/` and `https://management.azure.com/`, no app roles, one
 * delegated scope `user_impersonation` (id 41094075-9dad-400e-a0bd-54e686782033) — as public listings of first-party
 * service principals give them; so a client can get a token for
 * `https://management.core.windows.net//.default` (https://learn.microsoft.com/entra/identity-platform/scopes-oidc#trailing-slash-and-default).
 * Its other properties (tags, descriptions) are UNCONFIRMED.
 */
function azureServiceManagementServicePrincipal(): ServicePrincipal {
  const text = 'Allows the application to access the Azure Management Service API acting as users in the organization.';
  return firstPartyServicePrincipal({
    appId: AZURE_SERVICE_MANAGEMENT_APP_ID,
    displayName: 'Windows Azure Service Management API',
    appRoles: [],
    oauth2PermissionScopes: [
      {
        id: '41094075-9dad-400e-a0bd-54e686782033',
        value: 'user_impersonation',
        type: 'User',
        adminConsentDisplayName: 'Access Azure Service Management as organization users',
        adminConsentDescription: text,
        // The user-consent texts are UNCONFIRMED (the listings give the admin ones only).
        userConsentDisplayName: 'Access Azure Service Management as organization users',
        userConsentDescription: text,
        isEnabled: true,
      },
    ],
    servicePrincipalNames: [AZURE_SERVICE_MANAGEMENT_APP_ID, 'https://management.core.windows.net/', 'https://management.azure.com/'],
  });
}

export function seedTenant(opts: SeedOptions, signingKey: SigningKey, nowIso: string): TenantState {
  const tenantId = opts.tenantId ?? randomUUID();
  const subdomain = opts.subdomain ?? 'tenantformlocal';
  const graphSp = graphServicePrincipal();
  const asmSp = azureServiceManagementServicePrincipal();
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
    servicePrincipals: {
      [graphSp.id!]: { value: graphSp, prev: null, visibleAt: 0 },
      [asmSp.id!]: { value: asmSp, prev: null, visibleAt: 0 },
    },
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
