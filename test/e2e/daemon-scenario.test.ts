import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AppRole, Application, AppRoleAssignment, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { Agent } from 'undici';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { certificateCredential, makeCert } from '../helpers/tokens.js';

/**
 * The "daemon calls a web API" tutorial (seeds/000: ciam-ToDoList-api + ciam-client-app), done with raw
 * Graph calls through @microsoft/microsoft-graph-client, then a token for the API fetched by the daemon
 * (secret, then certificate) and validated the way the web API would: v2 discovery → jwks_uri → signature,
 * issuer, audience, roles, idtyp.
 */
describe('e2e: daemon → web API (client credentials)', () => {
  let graph: Client;
  let api: Application;
  let apiSp: ServicePrincipal;
  let daemon: Application;
  let secret: string;
  const roles = ['ToDoList.Read.All', 'ToDoList.ReadWrite.All'];

  const emu = useEmulator();
  before(async () => {
    graph = graphClient(emu);
  });

  /** How a web API validates an access token: everything comes from the v2 discovery document. */
  async function validateAsWebApi(token: string, audience: string): Promise<{ payload: JWTPayload; issuer: string }> {
    const dispatcher = new Agent({ connect: { ca: emu.ca } });
    const metadataUrl = `${emu.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`;
    const doc = (await (await fetch(metadataUrl, { dispatcher } as RequestInit)).json()) as { issuer: string; jwks_uri: string };
    const jwks = (await (await fetch(doc.jwks_uri, { dispatcher } as RequestInit)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: doc.issuer, audience, algorithms: ['RS256'] });
    return { payload, issuer: doc.issuer };
  }

  it('registers the web API ciam-ToDoList-api with app roles, idtyp and v2 tokens', async () => {
    api = (await graph.api('/applications').post({ displayName: 'ciam-ToDoList-api', signInAudience: 'AzureADMyOrg' })) as Application;
    assert.ok(api.id && api.appId);
    await graph.api(`/applications/${api.id}`).patch({ identifierUris: [`api://${api.appId}`] });
    const appRoles: AppRole[] = [
      { value: roles[0], displayName: roles[0], description: "Allow the app to read every user's ToDo list using the 'TodoListApi'" },
      { value: roles[1], displayName: roles[1], description: "Allow the app to read and write every user's ToDo list using the 'ToDoListApi'" },
    ].map((r) => ({ ...r, id: crypto.randomUUID(), allowedMemberTypes: ['Application'], isEnabled: true }));
    await graph.api(`/applications/${api.id}`).patch({
      appRoles,
      optionalClaims: { accessToken: [{ name: 'idtyp', essential: false, additionalProperties: [] }], idToken: [], saml2Token: [] },
      api: { requestedAccessTokenVersion: 2 },
    });
    apiSp = (await graph.api('/servicePrincipals').post({ appId: api.appId })) as ServicePrincipal;
    api = (await graph.api(`/applications/${api.id}`).get()) as Application;
    assert.deepEqual(api.identifierUris, [`api://${api.appId}`]);
    assert.equal(api.api?.requestedAccessTokenVersion, 2);
    assert.deepEqual(api.appRoles?.map((r) => r.value).sort(), roles);
  });

  it('registers the daemon ciam-client-app with a secret and its service principal', async () => {
    daemon = (await graph.api('/applications').post({
      displayName: 'ciam-client-app',
      signInAudience: 'AzureADMyOrg',
      requiredResourceAccess: [{ resourceAppId: api.appId, resourceAccess: api.appRoles!.map((r) => ({ id: r.id, type: 'Role' })) }],
    })) as Application;
    const pwd = (await graph.api(`/applications/${daemon.id}/addPassword`).post({
      passwordCredential: { displayName: 'ciam app client secret' },
    })) as PasswordCredential;
    assert.ok(pwd.secretText);
    secret = pwd.secretText;
    const sp = (await graph.api('/servicePrincipals').post({ appId: daemon.appId })) as ServicePrincipal;
    assert.equal(sp.appId, daemon.appId);
  });

  it('grants admin consent: one appRoleAssignedTo per role on the API service principal', async () => {
    const daemonSp = ((await graph.api('/servicePrincipals').filter(`appId eq '${daemon.appId}'`).get()) as { value: ServicePrincipal[] }).value[0];
    for (const role of api.appRoles!) {
      const a = (await graph.api(`/servicePrincipals/${apiSp.id}/appRoleAssignedTo`).post({
        principalId: daemonSp.id,
        resourceId: apiSp.id,
        appRoleId: role.id,
      })) as AppRoleAssignment;
      assert.equal(a.principalId, daemonSp.id);
    }
    const assigned = (await graph.api(`/servicePrincipals/${apiSp.id}/appRoleAssignedTo`).get()) as { value: AppRoleAssignment[] };
    assert.equal(assigned.value.length, 2);
  });

  it('gives the daemon (secret) a v2 token the web API accepts: both roles, idtyp=app, aud = API appId', async () => {
    const credential = new ClientSecretCredential(emu.tenantId, daemon.appId!, secret, {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.ca },
    });
    const { token } = await credential.getToken(`api://${api.appId}/.default`);
    const { payload, issuer } = await validateAsWebApi(token, api.appId!);
    assert.equal(payload.iss, issuer);
    assert.equal(payload.aud, api.appId);
    assert.deepEqual([...(payload.roles as string[])].sort(), roles);
    assert.equal(payload.idtyp, 'app');
    assert.equal(payload.azp, daemon.appId);
    assert.equal(payload.azpacr, '1');
    assert.equal(payload.ver, '2.0');
    assert.equal(payload.tid, emu.tenantId);
  });

  it('gives the daemon the same token with a certificate credential registered through keyCredentials', async () => {
    const cert = await makeCert('ciam-client-app');
    await graph.api(`/applications/${daemon.id}`).patch({
      keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.derBase64, displayName: 'CN=ciam-client-app' }],
    });
    const { token } = await certificateCredential(emu, daemon.appId!, cert).getToken(`api://${api.appId}/.default`);
    const { payload } = await validateAsWebApi(token, api.appId!);
    assert.deepEqual([...(payload.roles as string[])].sort(), roles);
    assert.equal(payload.idtyp, 'app');
    assert.equal(payload.azpacr, '2');
  });

  it('talked only to the emulator, and never logged the secret', () => {
    const text = JSON.stringify(emu.requestLog.entries);
    assert.ok(!text.includes(secret));
    const tokenCalls = emu.requestLog.entries.filter((e) => e.service === 'login' && e.path.endsWith('/oauth2/v2.0/token'));
    assert.ok(tokenCalls.every((e) => e.status === 200));
  });
});
