/**
 * Registrations made the way people make them without tenantform — the admin center, AppCreationScripts — i.e.
 * straight through Microsoft Graph with the SDK, for the export tests. Shapes of the seed tutorials:
 * 000 (a daemon holding two app roles of a web API, admin consent) and 004 (SPA → middle tier → downstream API,
 * delegated scopes, known client, pre-authorization, tenant-wide consent).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { Emulator } from '../../src/emulator/index.js';
import { msGraphSp, settle } from './directory.js';

export interface Registration {
  app: Application;
  sp: ServicePrincipal;
}

/** POST the app (the portal's "Register"), then set what needs its appId, then create its service principal. */
async function register(
  emu: Emulator,
  client: Client,
  body: Partial<Application>,
  later: (app: Application) => Partial<Application> = () => ({}),
): Promise<Registration> {
  const app = (await client.api('/applications').post({ signInAudience: 'AzureADMyOrg', ...body })) as Application;
  settle(emu);
  const patch = later(app);
  if (Object.keys(patch).length) await client.api(`/applications/${app.id}`).patch(patch);
  const sp = (await client.api('/servicePrincipals').post({ appId: app.appId, tags: ['WindowsAzureActiveDirectoryIntegratedApp'] })) as ServicePrincipal;
  settle(emu);
  return { app: (await client.api(`/applications/${app.id}`).get()) as Application, sp };
}

async function grantRole(client: Client, principal: ServicePrincipal, resource: ServicePrincipal, appRoleId: string): Promise<void> {
  await client.api(`/servicePrincipals/${resource.id}/appRoleAssignedTo`).post({ principalId: principal.id, resourceId: resource.id, appRoleId });
}

async function grantScopes(client: Client, clientSp: ServicePrincipal, resource: ServicePrincipal, scope: string): Promise<void> {
  await client.api('/oauth2PermissionGrants').post({ clientId: clientSp.id, resourceId: resource.id, consentType: 'AllPrincipals', scope });
}

/** Seed 000: `ciam-ToDoList-api` (two application permissions, idtyp, v2 tokens) and `ciam-client-app` with admin consent. */
export async function seed000(emu: Emulator, client: Client, prefix = ''): Promise<{ api: Registration; daemon: Registration }> {
  const roles = ['ToDoList.Read.All', 'ToDoList.ReadWrite.All'].map((value) => ({
    id: randomUUID(),
    value,
    displayName: value,
    description: `Allow the app to ${value.includes('Write') ? 'read and write' : 'read'} every user's ToDo list using the 'ToDoListApi'`,
    allowedMemberTypes: ['Application'],
    isEnabled: true,
  }));
  const api = await register(
    emu,
    client,
    {
      displayName: `${prefix}ciam-ToDoList-api`,
      appRoles: roles,
      // External ID tenants give new registrations v2 access tokens; the tutorial relies on it.
      api: { requestedAccessTokenVersion: 2 },
      optionalClaims: { accessToken: [{ name: 'idtyp', source: null, essential: false, additionalProperties: [] }], idToken: [], saml2Token: [] },
    },
    (app) => ({ identifierUris: [`api://${app.appId}`] }),
  );
  const daemon = await register(emu, client, {
    displayName: `${prefix}ciam-client-app`,
    api: { requestedAccessTokenVersion: 2 },
    requiredResourceAccess: [{ resourceAppId: api.app.appId!, resourceAccess: roles.map((r) => ({ id: r.id, type: 'Role' })) }],
  });
  (await client
    .api(`/applications/${daemon.app.id}/addPassword`)
    .post({ passwordCredential: { displayName: 'ciam app client secret' } })) as PasswordCredential;
  for (const r of roles) await grantRole(client, daemon.sp, api.sp, r.id);
  settle(emu);
  return { api, daemon: { ...daemon, app: (await client.api(`/applications/${daemon.app.id}`).get()) as Application } };
}

/** Seed 004: downstream API ← middle tier (OBO, secret, known client spa, pre-authorizes spa) ← SPA, with tenant-wide consent. */
export async function seed004(emu: Emulator, client: Client): Promise<{ downstream: Registration; middle: Registration; spa: Registration }> {
  const scope = (name: string) => ({
    id: randomUUID(),
    value: 'user_impersonation',
    type: 'User',
    adminConsentDisplayName: `Access ${name}`,
    adminConsentDescription: `Allows the app to access ${name} as the signed-in user.`,
    userConsentDisplayName: `Access ${name}`,
    userConsentDescription: `Allow the application to access ${name} on your behalf.`,
    isEnabled: true,
  });
  const downstreamScope = scope('ms-identity-javascript-tutorial-c4s1-api1');
  const middleScope = scope('ms-identity-javascript-tutorial-c4s1-api2');
  const downstream = await register(
    emu,
    client,
    { displayName: 'ms-identity-javascript-tutorial-c4s1-api1', api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [downstreamScope] } },
    (app) => ({ identifierUris: [`api://${app.appId}`] }),
  );
  const spa = await register(emu, client, {
    displayName: 'ms-identity-javascript-tutorial-c4s1-spa',
    api: { requestedAccessTokenVersion: 2 },
    spa: { redirectUris: ['http://localhost:3000/'] },
  });
  const graph = await msGraphSp(client);
  const userRead = graph.oauth2PermissionScopes!.find((s) => s.value === 'User.Read')!;
  const middle = await register(
    emu,
    client,
    {
      displayName: 'ms-identity-javascript-tutorial-c4s1-api2',
      api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [middleScope], knownClientApplications: [spa.app.appId!] },
      requiredResourceAccess: [{ resourceAppId: downstream.app.appId!, resourceAccess: [{ id: downstreamScope.id, type: 'Scope' }] }],
    },
    (app) => ({
      identifierUris: [`api://${app.appId}`],
      api: { preAuthorizedApplications: [{ appId: spa.app.appId!, delegatedPermissionIds: [middleScope.id] }] },
    }),
  );
  await client.api(`/applications/${middle.app.id}/addPassword`).post({ passwordCredential: { displayName: 'app secret' } });
  await client.api(`/applications/${spa.app.id}`).patch({
    requiredResourceAccess: [
      { resourceAppId: middle.app.appId!, resourceAccess: [{ id: middleScope.id, type: 'Scope' }] },
      { resourceAppId: graph.appId!, resourceAccess: [{ id: userRead.id, type: 'Scope' }] },
    ],
  });
  await grantScopes(client, middle.sp, downstream.sp, 'user_impersonation');
  await grantScopes(client, spa.sp, middle.sp, 'user_impersonation');
  await grantScopes(client, spa.sp, graph, 'User.Read');
  settle(emu);
  const reread = async (r: Registration) => ({ ...r, app: (await client.api(`/applications/${r.app.id}`).get()) as Application });
  return { downstream: await reread(downstream), middle: await reread(middle), spa: await reread(spa) };
}
