/**
 * Live data as Graph returns it for registrations made by hand (the portal, a script), for the unit tests of
 * the exporter (src/export/). Each builder returns the full Graph shape with Graph's defaults, so a test states
 * only what it is about.
 */
import type { Application, AppRole, AppRoleAssignment, OAuth2PermissionGrant, PermissionScope, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { ExportedApplication, ExportRead } from '../../src/model/export.js';

let n = 0;
/** Hex prefixes that say what an id is in a failure message: `a99…` an app, `5b…` a service principal. */
const KIND = { ob: '0b', ap: 'a9', ro: 'e0', sc: '5c', sp: '5b', as: 'a5', gr: '6e', ke: 'ce' } as const;

/** A GUID, unique in the test run. */
export function guid(kind: keyof typeof KIND): string {
  n += 1;
  return `${KIND[kind]}000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function graphApp(o: Partial<Application> = {}): Application {
  return {
    id: guid('ob'),
    appId: guid('ap'),
    displayName: 'app',
    description: null,
    signInAudience: 'AzureADMyOrg',
    uniqueName: null,
    identifierUris: [],
    tags: [],
    api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [], knownClientApplications: [], preAuthorizedApplications: [], acceptMappedClaims: null },
    appRoles: [],
    optionalClaims: null,
    passwordCredentials: [],
    keyCredentials: [],
    requiredResourceAccess: [],
    spa: { redirectUris: [] },
    web: { redirectUris: [], homePageUrl: null, logoutUrl: null, implicitGrantSettings: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false } },
    publicClient: { redirectUris: [] },
    isFallbackPublicClient: null,
    ...o,
  };
}

export function graphRole(value: string, o: Partial<AppRole> = {}): AppRole {
  return {
    id: guid('ro'),
    value,
    displayName: value,
    description: `Allows ${value}`,
    allowedMemberTypes: ['Application'],
    isEnabled: true,
    origin: 'Application',
    ...o,
  };
}

export function graphScope(value: string, o: Partial<PermissionScope> = {}): PermissionScope {
  return {
    id: guid('sc'),
    value,
    type: 'User',
    adminConsentDisplayName: `Access ${value}`,
    adminConsentDescription: `Allows ${value} as the signed-in user`,
    userConsentDisplayName: `Access ${value}`,
    userConsentDescription: `Allow ${value} on your behalf`,
    isEnabled: true,
    origin: 'Application',
    ...o,
  };
}

/** The service principal of an app (Graph copies the app's roles, scopes and tags). */
export function graphSp(app: Application, o: Partial<ServicePrincipal> = {}): ServicePrincipal {
  return {
    id: guid('sp'),
    appId: app.appId,
    displayName: app.displayName,
    appRoleAssignmentRequired: false,
    tags: [...(app.tags ?? [])],
    appRoles: app.appRoles,
    oauth2PermissionScopes: app.api?.oauth2PermissionScopes ?? [],
    servicePrincipalNames: [String(app.appId)],
    accountEnabled: true,
    ...o,
  };
}

export function assignment(principal: ServicePrincipal, resource: ServicePrincipal, appRoleId: string): AppRoleAssignment {
  return {
    id: guid('as'),
    principalId: principal.id,
    principalType: 'ServicePrincipal',
    principalDisplayName: principal.displayName,
    resourceId: resource.id,
    resourceDisplayName: resource.displayName,
    appRoleId,
  };
}

export function grant(client: ServicePrincipal, resource: ServicePrincipal, scope: string): OAuth2PermissionGrant {
  return { id: guid('gr'), clientId: client.id, resourceId: resource.id, consentType: 'AllPrincipals', principalId: null, scope };
}

export function exported(app: Application, o: Partial<ExportedApplication> = {}): ExportedApplication {
  return { app, assignments: [], grants: [], federatedCredentials: [], owners: [], assignedTo: [], ...o };
}

export const TENANT = { id: '72f988bf-0000-4000-8000-000000000001', displayName: 'Contoso', verifiedDomains: ['contoso.onmicrosoft.com'] };

export function exportRead(applications: ExportedApplication[], servicePrincipals: ServicePrincipal[] = []): ExportRead {
  const names = [...servicePrincipals, ...applications.flatMap((a) => (a.servicePrincipal ? [a.servicePrincipal] : []))].map((s) => String(s.displayName));
  const displayNameCounts: Record<string, number> = {};
  for (const name of names) displayNameCounts[name] = (displayNameCounts[name] ?? 0) + 1;
  return { tenant: TENANT, applications, servicePrincipals, displayNameCounts };
}

/**
 * Seed 000 made by hand: a web API publishing two application permissions (token v2, idtyp) and a daemon
 * holding both with admin consent, with a client secret made in the portal.
 */
export function seed000(): { read: ExportRead; api: Application; daemon: Application } {
  const read = graphRole('ToDoList.Read.All', { description: "Allow the app to read every user's ToDo list using the 'TodoListApi'" });
  const write = graphRole('ToDoList.ReadWrite.All', { description: "Allow the app to read and write every user's ToDo list using the 'ToDoListApi'" });
  const api = graphApp({
    displayName: 'ciam-ToDoList-api',
    appRoles: [read, write],
    optionalClaims: { accessToken: [{ name: 'idtyp', source: null, essential: false, additionalProperties: [] }], idToken: [], saml2Token: [] },
  });
  api.identifierUris = [`api://${api.appId}`];
  const daemon = graphApp({
    displayName: 'ciam-client-app',
    requiredResourceAccess: [
      {
        resourceAppId: api.appId!,
        resourceAccess: [
          { id: read.id, type: 'Role' },
          { id: write.id, type: 'Role' },
        ],
      },
    ],
    passwordCredentials: [
      { displayName: 'ciam app client secret', keyId: guid('ke'), hint: 'abc', startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2025-07-01T00:00:00Z' },
    ],
  });
  const apiSp = graphSp(api, { tags: ['WindowsAzureActiveDirectoryIntegratedApp'] });
  const daemonSp = graphSp(daemon, { tags: ['WindowsAzureActiveDirectoryIntegratedApp'] });
  const assignments = [assignment(daemonSp, apiSp, String(read.id)), assignment(daemonSp, apiSp, String(write.id))];
  return {
    read: exportRead([exported(api, { servicePrincipal: apiSp, assignedTo: assignments }), exported(daemon, { servicePrincipal: daemonSp, assignments })]),
    api,
    daemon,
  };
}
