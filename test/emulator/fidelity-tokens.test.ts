import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { ConfidentialClientApplication } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { decodeJwt } from 'jose';
import { createApp, settle } from '../helpers/directory.js';
import { graphClient, secretCredential, useEmulator } from '../helpers/emulator.js';
import { loginFetch, msalApp, msalNetworkClient, postToken, verifyWithDiscovery, type OAuthErrorBody } from '../helpers/tokens.js';
import { createApi, createClient, grantGraphSignIn, passwordGrant } from '../helpers/users.js';

const GRAPH = 'https://graph.microsoft.com/.default';

/** AADSTS7000229 (https://learn.microsoft.com/entra/identity-platform/deprecate-service-principal-less-authentication). */
describe('emulator fidelity: a client application without a service principal', () => {
  const emu = useEmulator();
  let admin: Client;
  let app: Application;
  let secret: string;

  before(async () => {
    admin = graphClient(emu);
    app = await createApp(admin);
    settle(emu);
    secret = ((await admin.api(`/applications/${app.id}/addPassword`).post({})) as PasswordCredential).secretText!;
    settle(emu);
  });

  it("answers 401 invalid_client AADSTS7000229 with Entra's text (raw HTTPS)", async () => {
    const res = await postToken(emu, { grant_type: 'client_credentials', client_id: app.appId!, client_secret: secret, scope: GRAPH });
    assert.equal(res.status, 401);
    const body = (await res.json()) as OAuthErrorBody & { error_uri: string };
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [7000229]);
    assert.ok(
      body.error_description.startsWith(
        `AADSTS7000229: The client application ${app.appId} is missing service principal in the tenant ${emu.tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119\r\nTrace ID: `,
      ),
      body.error_description,
    );
    assert.match(body.error_uri, /\/error\?code=7000229$/);
  });

  it('surfaces AADSTS7000229 to @azure/identity and msal-node; with a service principal the same secret works', async () => {
    await assert.rejects(secretCredential(emu, app.appId!, secret).getToken(GRAPH), /AADSTS7000229/);
    await assert.rejects(msalApp(emu, app.appId!, { clientSecret: secret }).acquireTokenByClientCredential({ scopes: [GRAPH] }), /AADSTS7000229/);
    const other = await createApp(admin);
    settle(emu);
    const otherSecret = ((await admin.api(`/applications/${other.id}/addPassword`).post({})) as PasswordCredential).secretText!;
    await admin.api('/servicePrincipals').post({ appId: other.appId });
    settle(emu);
    assert.ok((await secretCredential(emu, other.appId!, otherSecret).getToken(GRAPH))?.token);
  });

  it('an application that does not exist at all stays 400 unauthorized_client AADSTS700016', async () => {
    const unknown = randomUUID();
    const res = await postToken(emu, { grant_type: 'client_credentials', client_id: unknown, client_secret: 'x', scope: GRAPH });
    assert.equal(res.status, 400);
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(body.error, 'unauthorized_client');
    assert.deepEqual(body.error_codes, [700016]);
  });
});

/** Token timing and the headers and keys around it, as Entra issues them (issue 10). */
describe('emulator fidelity: token timing, JWKS and client-request-id', () => {
  const emu = useEmulator({ users: [{ userPrincipalName: 'tim', password: 'tim-pass' }] });
  let admin: Client;
  before(() => {
    admin = graphClient(emu);
  });

  const seconds = () => Math.floor(emu.clock.now() / 1000);
  /** iat = nbf = issue time − 300 s, exp − iat = 3900 s (exp = issue time + 3600 s). */
  function assertTiming(token: string, issuedBetween: [number, number]): void {
    const c = decodeJwt(token);
    assert.equal(c.nbf, c.iat);
    assert.equal((c.exp as number) - (c.iat as number), 3900);
    assert.ok((c.iat as number) >= issuedBetween[0] - 300 && (c.iat as number) <= issuedBetween[1] - 300, `iat ${c.iat} vs ${issuedBetween}`);
  }

  it('a v1 app-only token (Microsoft Graph, through @azure/identity) is back-dated 5 minutes and lives 65 minutes from iat; Graph accepts it', async () => {
    const from = seconds();
    const t = await secretCredential(emu).getToken(GRAPH);
    assertTiming(t!.token, [from, seconds()]);
    assert.equal(decodeJwt(t!.token).ver, '1.0');
    // @azure/identity reads expires_in (3599), not exp.
    assert.ok(Math.abs(t!.expiresOnTimestamp - (emu.clock.now() + 3599_000)) < 5_000, `expiresOn ${t!.expiresOnTimestamp}`);
    assert.ok(((await admin.api('/organization').get()) as { value: unknown[] }).value.length === 1);
    const { payload } = await verifyWithDiscovery(emu, t!.token, '1.0');
    assert.equal(payload.iat, decodeJwt(t!.token).iat);
  });

  it('a v2 app-only token (msal-node) has the same timing; the raw answer keeps expires_in 3599', async () => {
    const api = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    const from = seconds();
    const r = await msalApp(emu, emu.adminClientId, { clientSecret: emu.adminClientSecret }).acquireTokenByClientCredential({
      scopes: [`api://${api.app.appId}/.default`],
    });
    assertTiming(r!.accessToken, [from, seconds()]);
    assert.equal(decodeJwt(r!.accessToken).ver, '2.0');
    await verifyWithDiscovery(emu, r!.accessToken, '2.0');
    const res = await postToken(emu, { grant_type: 'client_credentials', client_id: emu.adminClientId, client_secret: emu.adminClientSecret, scope: GRAPH });
    const body = (await res.json()) as { expires_in: number; ext_expires_in: number };
    assert.equal(body.expires_in, 3599);
    assert.equal(body.ext_expires_in, 3599);
  });

  it('a delegated (password grant) access token has the same timing; its ID token keeps iat = now', async () => {
    const client = await createClient(emu, admin, { public: true });
    await grantGraphSignIn(emu, admin, client.sp);
    const from = seconds();
    const res = await passwordGrant(emu, {
      client_id: client.app.appId!,
      username: emu.seededUsers[0].userPrincipalName,
      password: 'tim-pass',
      scope: 'User.Read openid profile',
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; id_token: string; expires_in: number };
    assertTiming(body.access_token, [from, seconds()]);
    assert.equal(body.expires_in, 3599);
    assert.ok((decodeJwt(body.id_token).iat as number) >= from);
  });

  it('the JWKS keys carry cloud_instance_name "microsoftonline.com" before issuer', async () => {
    for (const path of [`/${emu.tenantId}/discovery/v2.0/keys`, `/${emu.tenantId}/discovery/keys`]) {
      const { keys } = (await (await loginFetch(emu, path)).json()) as { keys: Array<Record<string, unknown>> };
      assert.equal(keys[0].cloud_instance_name, 'microsoftonline.com', path);
      assert.deepEqual(Object.keys(keys[0]), ['kty', 'use', 'kid', 'x5t', 'n', 'e', 'x5c', 'cloud_instance_name', 'issuer']);
    }
  });

  it('token responses echo the client-request-id header sent, on success and on error; none when none was sent', async () => {
    const id = randomUUID();
    const fields = { grant_type: 'client_credentials', client_id: emu.adminClientId, client_secret: emu.adminClientSecret, scope: GRAPH };
    const ok = await postToken(emu, fields, { headers: { 'client-request-id': id } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('client-request-id'), id);
    const bad = await postToken(emu, { ...fields, client_secret: 'wrong' }, { headers: { 'client-request-id': id } });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('client-request-id'), id);
    assert.equal(((await bad.json()) as OAuthErrorBody).correlation_id, id);
    const none = await postToken(emu, fields);
    assert.equal(none.headers.get('client-request-id'), null);
    // msal-node sends its own client-request-id; the answer it gets carries it back.
    const seen: string[] = [];
    const msal = msalApp(emu, emu.adminClientId, { clientSecret: emu.adminClientSecret }, { onRequest: (_m, url) => seen.push(url) });
    assert.ok((await msal.acquireTokenByClientCredential({ scopes: [GRAPH], correlationId: id }))?.accessToken);
    assert.ok(seen.some((u) => u.includes(`client-request-id=${id}`)));
  });
});

/** Instance discovery (what MSAL asks login.microsoftonline.com before anything else; reference/tokens.md §6.2). */
describe('emulator fidelity: instance discovery', () => {
  const emu = useEmulator();
  const host = () => new URL(emu.authorityHost).host;
  const discover = (authorizationEndpoint?: string) =>
    loginFetch(
      emu,
      `/common/discovery/instance?api-version=1.1${authorizationEndpoint === undefined ? '' : `&authorization_endpoint=${encodeURIComponent(authorizationEndpoint)}`}`,
    );

  it("answers Entra's metadata document for an authorization endpoint on the emulator (raw HTTPS)", async () => {
    const res = await discover(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/authorize`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'max-age=86400, private');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await res.json(), {
      tenant_discovery_endpoint: `https://${host()}/${emu.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host(), preferred_cache: host(), aliases: [host()] }],
    });
    const common = (await (await discover(`${emu.authorityHost}/organizations/oauth2/v2.0/authorize`)).json()) as { tenant_discovery_endpoint: string };
    assert.equal(common.tenant_discovery_endpoint, `https://${host()}/organizations/v2.0/.well-known/openid-configuration`);
  });

  it('an authority host it does not serve, or none: 400 invalid_instance AADSTS50049 "Unknown or invalid instance."', async () => {
    for (const endpoint of ['https://login.example.com/x/oauth2/v2.0/authorize', undefined]) {
      const res = await discover(endpoint);
      assert.equal(res.status, 400);
      const body = (await res.json()) as OAuthErrorBody;
      assert.equal(body.error, 'invalid_instance');
      assert.deepEqual(body.error_codes, [50049]);
      assert.match(body.error_description, /^AADSTS50049: Unknown or invalid instance\.\r\nTrace ID: /);
    }
  });

  it('msal-node without knownAuthorities asks for instance discovery (sent on to the emulator) and then signs in', async () => {
    const seen: string[] = [];
    const network = msalNetworkClient(emu.ca);
    // As an HTTPS proxy would: whatever msal sends to login.microsoftonline.com reaches the emulator.
    const toEmulator = (url: string) => {
      seen.push(url);
      return url.replace('https://login.microsoftonline.com', emu.authorityHost);
    };
    const msal = new ConfidentialClientApplication({
      auth: { clientId: emu.adminClientId, clientSecret: emu.adminClientSecret, authority: `${emu.authorityHost}/${emu.tenantId}` },
      system: {
        networkClient: {
          sendGetRequestAsync: (url, options) => network.sendGetRequestAsync(toEmulator(url), options),
          sendPostRequestAsync: (url, options) => network.sendPostRequestAsync(toEmulator(url), options),
        },
      },
    });
    const r = await msal.acquireTokenByClientCredential({ scopes: [GRAPH] });
    assert.ok(r?.accessToken);
    assert.ok(
      seen.some((u) => u.startsWith('https://login.microsoftonline.com/common/discovery/instance?')),
      seen.join('\n'),
    );
  });
});

/** Azure Service Management is a service principal of every new tenant, as in a real one (issue 10). */
describe('emulator fidelity: Azure Service Management', () => {
  const emu = useEmulator();
  const ASM = '797f4846-ba00-4fd7-ba43-dac1f8f63013';

  it("is listed as Microsoft's service principal with its names and user_impersonation scope (Graph JS client)", async () => {
    const sp = (await graphClient(emu).api(`/servicePrincipals(appId='${ASM}')`).get()) as ServicePrincipal;
    assert.equal(sp.displayName, 'Windows Azure Service Management API');
    assert.equal(sp.appOwnerOrganizationId, 'f8cdef31-a31e-4b4a-93e4-5f571e91255a');
    assert.deepEqual(sp.servicePrincipalNames, [ASM, 'https://management.core.windows.net/', 'https://management.azure.com/']);
    assert.deepEqual(sp.appRoles, []);
    assert.deepEqual(
      sp.oauth2PermissionScopes?.map((s) => [s.value, s.id]),
      [['user_impersonation', '41094075-9dad-400e-a0bd-54e686782033']],
    );
  });

  it('a client gets an app-only token for https://management.core.windows.net//.default (@azure/identity, msal-node)', async () => {
    const t = await secretCredential(emu).getToken('https://management.core.windows.net//.default');
    const c = decodeJwt(t!.token);
    assert.equal(c.aud, 'https://management.core.windows.net/');
    assert.equal(c.ver, '1.0');
    assert.equal(c.appid, emu.adminClientId);
    assert.equal(c.idtyp, 'app');
    assert.equal(c.roles, undefined);
    await verifyWithDiscovery(emu, t!.token, '1.0');
    const r = await msalApp(emu, emu.adminClientId, { clientSecret: emu.adminClientSecret }).acquireTokenByClientCredential({
      scopes: ['https://management.azure.com//.default'],
    });
    assert.equal(decodeJwt(r!.accessToken).aud, 'https://management.azure.com/');
    const byAppId = await postToken(emu, {
      grant_type: 'client_credentials',
      client_id: emu.adminClientId,
      client_secret: emu.adminClientSecret,
      scope: `${ASM}/.default`,
    });
    assert.equal(byAppId.status, 200);
    assert.equal(decodeJwt(((await byAppId.json()) as { access_token: string }).access_token).aud, ASM);
  });
});
