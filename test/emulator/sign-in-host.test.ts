import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { ProxyAgent, fetch as undiciFetch } from 'undici';
import type { TestUser } from '../../src/emulator/index.js';
import { TokenKeys } from '../../src/emulator/keys.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import { interactiveClient, WEB_REDIRECT, type InteractiveClient } from '../helpers/interactive.js';
import { createMiddleTier, type MiddleTierFixture } from '../helpers/obo.js';
import { createApi, createClient, grant, type ApiFixture, type ClientFixture } from '../helpers/users.js';
import { msalApp } from '../helpers/tokens.js';

/**
 * Sign-in metadata follows the `Host` a client asked on (login/origin.ts): a client that reaches the emulator through an
 * HTTPS proxy answering for login.microsoftonline.com stays on that origin — discovery, instance discovery, device
 * code, error_uri — and gets tokens whose `iss` is the issuer it saw; Graph and the On-Behalf-Of check take those
 * tokens back, and still refuse an issuer the emulator never answered as (auth.ts acceptedIssuers).
 */

const LOGIN = 'login.microsoftonline.com';

type HostRequest = { method?: string; body?: string; host?: string };

/** A plain HTTPS request to the emulator's port with another Host header (what a TLS-terminating proxy forwards). */
function rawViaHost(port: number, ca: string, path: string, o: HostRequest = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: o.host ?? LOGIN };
    if (o.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    // servername: node would take it from the Host header; the certificate names localhost (and 127.0.0.1).
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers, ca, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

async function viaHost(port: number, ca: string, path: string, o: HostRequest = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await rawViaHost(port, ca, path, o);
  return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
}

/**
 * A tiny HTTPS CONNECT proxy that tunnels `login.microsoftonline.com:443` to the emulator's port (and refuses any
 * other target): the client does TLS with the emulator itself through the tunnel, as with a corporate proxy and a
 * hosts entry. It records every CONNECT target, so a test can prove nothing else was asked for.
 */
async function tunnelProxy(port: number): Promise<{ url: string; targets: string[]; server: Server }> {
  const targets: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    if (req.url !== `${LOGIN}:443`) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', close);
    client.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, targets, server };
}

/**
 * msal-node's network module over undici's ProxyAgent. The emulator's certificate names 127.0.0.1 and localhost, so TLS
 * through the tunnel checks the name `localhost` (SNI); the HTTP request itself is for login.microsoftonline.com.
 */
function proxiedNetwork(proxyUrl: string, ca: string): { network: INetworkModule; urls: string[]; dispatcher: ProxyAgent } {
  const dispatcher = new ProxyAgent({ uri: proxyUrl, requestTls: { ca, servername: 'localhost' } });
  const urls: string[] = [];
  const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    urls.push(url);
    const res = await undiciFetch(url, { method, headers: options?.headers, body: options?.body, dispatcher });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body: (await res.json()) as T };
  };
  return { network: { sendGetRequestAsync: (u, o) => send('GET', u, o), sendPostRequestAsync: (u, o) => send('POST', u, o) }, urls, dispatcher };
}

describe('sign-in on the Host the client asked (an HTTPS proxy for login.microsoftonline.com)', () => {
  const emu = useEmulator();
  let admin: Client;
  let proxy: Awaited<ReturnType<typeof tunnelProxy>>;
  let api: ApiFixture;
  let frontend: ClientFixture;
  let middle: MiddleTierFixture;
  let downstream: ApiFixture;
  let alice: TestUser;
  let web: InteractiveClient;

  before(async () => {
    admin = graphClient(emu);
    proxy = await tunnelProxy(emu.port);
    api = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    frontend = await createClient(emu, admin, { public: true });
    middle = await createMiddleTier(emu, admin);
    downstream = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    await grant(emu, admin, frontend.sp, middle.sp, 'access_as_user');
    await grant(emu, admin, middle.sp, downstream.sp, 'access_as_user');
    alice = emu.addUser({ userPrincipalName: 'alice-host', password: 'alice-pass-1' });
    web = await interactiveClient(emu, admin);
  });
  after(() => {
    proxy.server.closeAllConnections();
    proxy.server.close();
  });

  const origin = `https://${LOGIN}`;

  it('names endpoints and issuer of both OpenID configurations and the JWKS on that origin', async () => {
    const v2 = await viaHost(emu.port, emu.ca, `/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(v2.status, 200);
    const base = `${origin}/${emu.tenantId}`;
    assert.equal(v2.body.issuer, `${base}/v2.0`);
    for (const [k, p] of Object.entries({
      token_endpoint: 'oauth2/v2.0/token',
      jwks_uri: 'discovery/v2.0/keys',
      authorization_endpoint: 'oauth2/v2.0/authorize',
    })) {
      assert.equal(v2.body[k], `${base}/${p}`, k);
    }
    assert.equal(v2.body.device_authorization_endpoint, `${base}/oauth2/v2.0/devicecode`);
    assert.equal(v2.body.kerberos_endpoint, `${base}/kerberos`);
    const v1 = await viaHost(emu.port, emu.ca, `/${emu.tenantId}/.well-known/openid-configuration`);
    assert.equal(v1.body.issuer, `https://sts.windows.net/${emu.tenantId}/`, 'the v1 issuer is sts.windows.net on every host');
    assert.equal(v1.body.token_endpoint, `${base}/oauth2/token`);
    const keys = await viaHost(emu.port, emu.ca, `/${emu.tenantId}/discovery/v2.0/keys`);
    assert.equal((keys.body.keys as Array<Record<string, unknown>>)[0].issuer, `${base}/v2.0`);
    // The templated multi-tenant document, and a default port that must not print (`:443`).
    const common = await viaHost(emu.port, emu.ca, '/common/v2.0/.well-known/openid-configuration', { host: `${LOGIN}:443` });
    assert.equal(common.body.issuer, `${origin}/{tenantid}/v2.0`);
    // The emulator's own origin is unchanged for everyone else.
    const own = await viaHost(emu.port, emu.ca, `/${emu.tenantId}/v2.0/.well-known/openid-configuration`, { host: new URL(emu.authorityHost).host });
    assert.equal(own.body.issuer, `${emu.authorityHost}/${emu.tenantId}/v2.0`);
  });

  it('keeps instance discovery, device code verification_uri, error_uri and the sign-in form on that origin; ignores a Host that is not a host', async () => {
    const q = new URLSearchParams({ 'api-version': '1.1', authorization_endpoint: `${origin}/${emu.tenantId}/oauth2/v2.0/authorize` });
    const inst = await viaHost(emu.port, emu.ca, `/common/discovery/instance?${q}`);
    assert.equal(inst.status, 200);
    assert.equal(inst.body.tenant_discovery_endpoint, `${origin}/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    const dc = await viaHost(emu.port, emu.ca, `/${emu.tenantId}/oauth2/v2.0/devicecode`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: frontend.app.appId!, scope: 'openid' }).toString(),
    });
    assert.equal(dc.status, 200, JSON.stringify(dc.body));
    assert.equal(dc.body.verification_uri, `${origin}/devicelogin`);
    const bad = await viaHost(emu.port, emu.ca, `/${emu.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: 'grant_type=client_credentials' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error_uri, `${origin}/error?code=900144`);
    // The sign-in page posts to a relative URL, so the browser stays on the proxy's origin.
    const q2 = new URLSearchParams({ client_id: web.app.appId!, response_type: 'code', redirect_uri: WEB_REDIRECT, scope: 'openid' });
    const page = await rawViaHost(emu.port, emu.ca, `/${emu.tenantId}/oauth2/v2.0/authorize?${q2}`);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.match(page.text, new RegExp(`<form id="credentials" method="post" action="/${emu.tenantId}/login">`));
    assert.doesNotMatch(page.text, /https:\/\/127\.0\.0\.1/);
    for (const host of ['evil.example/x?', 'login.microsoftonline.com:99999']) {
      const odd = await viaHost(emu.port, emu.ca, `/${emu.tenantId}/v2.0/.well-known/openid-configuration`, { host });
      assert.equal(odd.body.issuer, `${emu.authorityHost}/${emu.tenantId}/v2.0`, `an unusable Host (${host}) falls back to the emulator origin`);
    }
  });

  it('msal-node through a CONNECT proxy: discovery and tokens on login.microsoftonline.com, the v2 issuer it saw', async () => {
    const { network, urls, dispatcher } = proxiedNetwork(proxy.url, emu.ca);
    const cca = new ConfidentialClientApplication({
      auth: { clientId: emu.adminClientId, clientSecret: emu.adminClientSecret, authority: `${origin}/${emu.tenantId}` },
      system: { networkClient: network },
    });
    const graph = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.ok(graph?.accessToken);
    const own = await cca.acquireTokenByClientCredential({ scopes: [`api://${api.app.appId}/.default`] });
    const claims = decodeJwt(own!.accessToken);
    assert.equal(claims.iss, `${origin}/${emu.tenantId}/v2.0`);
    // It verifies against the keys that origin publishes, as an API behind the same proxy would check it.
    const jwks = (await (await undiciFetch(`${origin}/${emu.tenantId}/discovery/v2.0/keys`, { dispatcher })).json()) as { keys: [] };
    await jwtVerify(own!.accessToken, createLocalJWKSet(jwks), { issuer: `${origin}/${emu.tenantId}/v2.0`, currentDate: new Date(emu.clock.now()) });
    assert.ok(
      urls.every((u) => u.startsWith(`${origin}/`)),
      urls.join('\n'),
    );
    // msal-node knows login.microsoftonline.com's endpoints itself (built-in cloud metadata): it only asks the token endpoint.
    assert.ok(urls.some((u) => u.startsWith(`${origin}/${emu.tenantId}/oauth2/v2.0/token`)));
    assert.deepEqual([...new Set(proxy.targets)], [`${LOGIN}:443`]);
    // The Graph token works against the emulator's Graph.
    const org = await rawFetch(emu, '/v1.0/organization', { token: graph!.accessToken });
    assert.equal(org.status, 200);
    await dispatcher.close();
  });

  it('takes back a user token issued on that origin as an On-Behalf-Of assertion', async () => {
    const form = {
      grant_type: 'password',
      client_id: frontend.app.appId!,
      username: alice.userPrincipalName,
      password: alice.password,
      scope: `api://${middle.app.appId}/access_as_user`,
    };
    const user = await viaHost(emu.port, emu.ca, `/${emu.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form).toString() });
    assert.equal(user.status, 200, JSON.stringify(user.body));
    const assertion = String(user.body.access_token);
    assert.equal(decodeJwt(assertion).iss, `${origin}/${emu.tenantId}/v2.0`);
    const r = await msalApp(emu, middle.app.appId!, { clientSecret: middle.secret }).acquireTokenOnBehalfOf({
      oboAssertion: assertion,
      scopes: [`api://${downstream.app.appId}/access_as_user`],
    });
    assert.equal(decodeJwt(r!.accessToken).oid, alice.id);
  });

  it('Graph accepts the v2 issuer of an origin the emulator issued on and refuses one it never answered as', async () => {
    // TEST-ONLY re-signing with the tenant's key: the one way to put a chosen `iss` on a token the signature accepts.
    const keys = await TokenKeys.load(emu.tenant.signingKey);
    const base = decodeJwt(await graphToken(emu));
    const sign = (iss: string) => keys.sign({ ...base, iss, ver: '2.0' }, '2.0');
    // login.microsoftonline.com: the emulator issued v2 tokens there (the tests above).
    const served = await rawFetch(emu, '/v1.0/organization', { token: await sign(`${origin}/${emu.tenantId}/v2.0`) });
    assert.equal(served.status, 200, await served.clone().text());
    const forged = await rawFetch(emu, '/v1.0/organization', { token: await sign(`https://login.evil.example/${emu.tenantId}/v2.0`) });
    assert.equal(forged.status, 401);
    const body = (await forged.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    assert.equal(body.error.message, 'Access token validation failure. Invalid issuer.');
  });
});
