import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ServerError } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { secretCredential, useEmulator } from '../helpers/emulator.js';
import { addApp, addSecret, loginFetch, msalApp, postToken, type OAuthErrorBody } from '../helpers/tokens.js';

const GRAPH = 'https://graph.microsoft.com/.default';

async function oauthError(res: Response): Promise<{ status: number; body: OAuthErrorBody }> {
  return { status: res.status, body: (await res.json()) as OAuthErrorBody };
}

describe('token endpoint: client credentials with a secret', () => {
  const emu = useEmulator();

  const form = (extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: emu.adminClientId,
    client_secret: emu.adminClientSecret,
    scope: GRAPH,
    ...extra,
  });

  it('issues a Graph token to ClientSecretCredential', async () => {
    const t = await secretCredential(emu).getToken(GRAPH);
    const claims = decodeJwt(t.token);
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.equal(claims.appid, emu.adminClientId);
    assert.equal(claims.appidacr, '1');
    assert.equal(claims.tid, emu.tenantId);
    assert.ok(t.expiresOnTimestamp > Date.now());
  });

  it('issues a token to msal-node ConfidentialClientApplication and serves the second call from its cache', async () => {
    const app = msalApp(emu, emu.adminClientId, { clientSecret: emu.adminClientSecret });
    const first = await app.acquireTokenByClientCredential({ scopes: [GRAPH] });
    assert.ok(first?.accessToken);
    assert.equal(first.fromCache, false);
    const second = await app.acquireTokenByClientCredential({ scopes: [GRAPH] });
    assert.equal(second?.fromCache, true);
  });

  it('answers with token_type, expires_in and ext_expires_in, and never a refresh token', async () => {
    const res = await postToken(
      emu,
      form({ 'x-client-SKU': 'msal.js.node', 'client-request-id': randomUUID(), claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}' }),
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3599);
    assert.equal(body.ext_expires_in, 3599);
    assert.equal(typeof body.access_token, 'string');
    assert.equal(body.refresh_token, undefined);
    const c = decodeJwt(body.access_token as string);
    assert.equal((c.exp as number) - (c.iat as number), 3900);
  });

  it('accepts HTTP Basic client authentication', async () => {
    const basic = Buffer.from(`${encodeURIComponent(emu.adminClientId)}:${encodeURIComponent(emu.adminClientSecret)}`).toString('base64');
    const res = await postToken(emu, { grant_type: 'client_credentials', scope: GRAPH }, { headers: { Authorization: `Basic ${basic}` } });
    assert.equal(res.status, 200);
  });

  it('accepts a verified domain name as the tenant', async () => {
    const res = await postToken(emu, form(), { tenant: 'tenantformlocal.onmicrosoft.com' });
    assert.equal(res.status, 200);
  });

  it('refuses a wrong secret with 401 invalid_client AADSTS7000215 (ClientSecretCredential and raw)', async () => {
    await assert.rejects(secretCredential(emu, emu.adminClientId, 'not-the-secret').getToken(GRAPH), /AADSTS7000215/);
    const { status, body } = await oauthError(await postToken(emu, form({ client_secret: 'not-the-secret' })));
    assert.equal(status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [7000215]);
    assert.match(body.error_description, new RegExp(`secret added to app '${emu.adminClientId}'`));
  });

  it('surfaces AADSTS7000215 to msal-node as a ServerError with errorNo and status', async () => {
    const app = msalApp(emu, emu.adminClientId, { clientSecret: 'wrong' });
    await assert.rejects(app.acquireTokenByClientCredential({ scopes: [GRAPH] }), (e: ServerError) => {
      assert.equal(e.errorCode, 'invalid_client');
      assert.equal(String(e.errorNo), '7000215');
      assert.equal(e.status, 401);
      return true;
    });
  });

  it('echoes client-request-id as correlation_id and formats error_description like Entra', async () => {
    const crid = randomUUID();
    const { body } = await oauthError(await postToken(emu, form({ client_secret: 'x' }), { headers: { 'client-request-id': crid } }));
    assert.equal(body.correlation_id, crid);
    assert.match(
      body.error_description,
      new RegExp(
        `^AADSTS7000215: .*\\r\\nTrace ID: ${body.trace_id}\\r\\nCorrelation ID: ${crid}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
        's',
      ),
    );
  });

  it('refuses an expired secret with 401 AADSTS7000222', async () => {
    const { app } = addApp(emu);
    const secret = addSecret(emu, app, { endDateTime: new Date(emu.clock.now() - 1000).toISOString() });
    await assert.rejects(secretCredential(emu, app.appId!, secret).getToken(GRAPH), /AADSTS7000222/);
    const { status, body } = await oauthError(await postToken(emu, form({ client_id: app.appId!, client_secret: secret })));
    assert.equal(status, 401);
    assert.deepEqual(body.error_codes, [7000222]);
  });

  it('lets a secret expire as the emulator clock moves past its endDateTime', async () => {
    const { app } = addApp(emu);
    const secret = addSecret(emu, app, { endDateTime: new Date(emu.clock.now() + 60_000).toISOString() });
    assert.equal((await postToken(emu, form({ client_id: app.appId!, client_secret: secret }))).status, 200);
    emu.clock.advance(61_000);
    const { body } = await oauthError(await postToken(emu, form({ client_id: app.appId!, client_secret: secret })));
    assert.deepEqual(body.error_codes, [7000222]);
  });

  it('refuses an unknown client_id with 400 unauthorized_client AADSTS700016', async () => {
    const unknown = randomUUID();
    await assert.rejects(secretCredential(emu, unknown, 'x').getToken(GRAPH), /AADSTS700016/);
    const { status, body } = await oauthError(await postToken(emu, form({ client_id: unknown })));
    assert.equal(status, 400);
    assert.equal(body.error, 'unauthorized_client');
    assert.deepEqual(body.error_codes, [700016]);
    assert.match(body.error_description, new RegExp(`Application with identifier '${unknown}' was not found in the directory`));
  });

  it('refuses a client application without a service principal (401 invalid_client AADSTS7000229)', async () => {
    const { app } = addApp(emu, { servicePrincipal: false });
    const secret = addSecret(emu, app);
    const { status, body } = await oauthError(await postToken(emu, form({ client_id: app.appId!, client_secret: secret })));
    assert.equal(status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [7000229]);
  });

  it('refuses a disabled client service principal (AADSTS7000112)', async () => {
    const { app } = addApp(emu, { accountEnabled: false });
    const secret = addSecret(emu, app);
    const { body } = await oauthError(await postToken(emu, form({ client_id: app.appId!, client_secret: secret })));
    assert.deepEqual(body.error_codes, [7000112]);
  });

  it('refuses a non-GUID client_id (AADSTS90112)', async () => {
    const { body } = await oauthError(await postToken(emu, form({ client_id: 'api://not-a-guid' })));
    assert.deepEqual(body.error_codes, [90112]);
  });

  for (const missing of ['grant_type', 'client_id', 'scope']) {
    it(`answers a missing ${missing} with invalid_request AADSTS900144`, async () => {
      const fields = form();
      delete (fields as Record<string, string>)[missing];
      const { status, body } = await oauthError(await postToken(emu, fields));
      assert.equal(status, 400);
      assert.equal(body.error, 'invalid_request');
      assert.deepEqual(body.error_codes, [900144]);
      assert.match(body.error_description, new RegExp(`parameter: '${missing}'`));
    });
  }

  it('answers a request without any credential with 401 AADSTS7000218', async () => {
    const fields = form();
    delete (fields as Record<string, string>).client_secret;
    const { status, body } = await oauthError(await postToken(emu, fields));
    assert.equal(status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [7000218]);
  });

  it('answers an unknown grant type with unsupported_grant_type AADSTS70003', async () => {
    const { body } = await oauthError(await postToken(emu, form({ grant_type: 'magic' })));
    assert.equal(body.error, 'unsupported_grant_type');
    assert.deepEqual(body.error_codes, [70003]);
  });

  it('answers real grants the emulator does not model with 501 not_implemented', async () => {
    const res = await postToken(emu, form({ grant_type: 'urn:ietf:params:oauth:grant-type:saml2-bearer', assertion: 'x' }));
    assert.equal(res.status, 501);
    assert.equal(((await res.json()) as { error: string }).error, 'not_implemented');
  });

  it("refuses v1's resource parameter on the v2 endpoint (AADSTS901002)", async () => {
    const { body } = await oauthError(await postToken(emu, form({ resource: 'https://graph.microsoft.com' })));
    assert.deepEqual(body.error_codes, [901002]);
  });

  it('refuses client credentials over /common (AADSTS9001023)', async () => {
    const { body } = await oauthError(await postToken(emu, form(), { tenant: 'common' }));
    assert.deepEqual(body.error_codes, [9001023]);
  });

  it('refuses an unknown tenant (AADSTS90002)', async () => {
    const { body } = await oauthError(await postToken(emu, form(), { tenant: randomUUID() }));
    assert.deepEqual(body.error_codes, [90002]);
  });

  it('answers GET on the token endpoint with AADSTS900561', async () => {
    const res = await loginFetch(emu, `/${emu.tenantId}/oauth2/v2.0/token`);
    const { body } = await oauthError(res);
    assert.deepEqual(body.error_codes, [900561]);
  });

  it('logs token requests with form field names only, never the secret', () => {
    const entries = emu.requestLog.entries.filter((e) => e.service === 'login' && e.method === 'POST');
    assert.ok(entries.length > 0);
    const text = JSON.stringify(emu.requestLog.entries);
    assert.ok(!text.includes(emu.adminClientSecret));
    assert.ok(entries.some((e) => e.errorCode === 'AADSTS7000215'));
  });
});

describe('token endpoint: secrets and replication lag', () => {
  const emu = useEmulator({ replicationLagMs: 300 });

  it('refuses a new secret like a wrong one until addPassword has replicated, then accepts it', async () => {
    const { app } = addApp(emu);
    emu.clock.advance(301); // the app and its SP replicate
    const secret = addSecret(emu, app);
    const fields = { grant_type: 'client_credentials', client_id: app.appId!, client_secret: secret, scope: GRAPH };
    const early = await postToken(emu, fields);
    assert.equal(early.status, 401);
    assert.deepEqual(((await early.json()) as OAuthErrorBody).error_codes, [7000215]);
    emu.clock.advance(301);
    assert.equal((await postToken(emu, fields)).status, 200);
  });

  it('does not know a just-created client until it has replicated (AADSTS700016)', async () => {
    const { app } = addApp(emu);
    const secret = addSecret(emu, app);
    const fields = { grant_type: 'client_credentials', client_id: app.appId!, client_secret: secret, scope: GRAPH };
    assert.deepEqual(((await (await postToken(emu, fields)).json()) as OAuthErrorBody).error_codes, [700016]);
    emu.clock.advance(301);
    assert.equal((await postToken(emu, fields)).status, 200);
  });
});
