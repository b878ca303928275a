import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { clientWithRoles, MS_GRAPH_APP_ID } from '../helpers/directory.js';
import { graphClient, graphToken, rawFetch, secretCredential, useEmulator } from '../helpers/emulator.js';
import { addApp, addSecret } from '../helpers/tokens.js';

/**
 * Fidelity audit (docs/emulator-fidelity.md, "Graph authentication"): how Graph answers a request whose token
 * is missing, malformed, forged, expired, for another audience, or lacks the permission — status, error code,
 * message, envelope and the WWW-Authenticate challenge — and what an app-only Graph token carries.
 */

interface GraphErrorBody {
  error: { code: string; message: string; innerError: Record<string, string> };
}

const CHALLENGE = (authorityHost: string) => `Bearer realm="", authorization_uri="${authorityHost}/common/oauth2/authorize", client_id="${MS_GRAPH_APP_ID}"`;

describe('fidelity: Graph 401 / 403 as Graph answers them', () => {
  let token: string;

  const emu = useEmulator();
  before(async () => {
    token = await graphToken(emu);
  });

  const call = (auth: string | undefined, headers: Record<string, string> = {}) =>
    rawFetch(emu, '/v1.0/applications', { headers: { ...(auth === undefined ? {} : { Authorization: auth }), ...headers } });

  async function expect401(res: Response, message: string | RegExp): Promise<GraphErrorBody> {
    assert.equal(res.status, 401);
    // https://learn.microsoft.com/graph/errors: every 401 comes with the Bearer challenge naming Microsoft Graph.
    assert.equal(res.headers.get('www-authenticate'), CHALLENGE(emu.authorityHost));
    const body = (await res.json()) as GraphErrorBody;
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    if (typeof message === 'string') assert.equal(body.error.message, message);
    else assert.match(body.error.message, message);
    return body;
  }

  it('no Authorization header, or an empty Bearer: "Access token is empty."', async () => {
    await expect401(await call(undefined), 'Access token is empty.');
    await expect401(await call('Bearer '), 'Access token is empty.');
    await expect401(await call(`Basic ${Buffer.from('a:b').toString('base64')}`), 'Access token is empty.');
  });

  it('a token that is not a JWT: IDX14100', async () => {
    await expect401(await call('Bearer not-a-jwt'), /^IDX14100: JWT is not well formed/);
  });

  it('a tampered signature and a token signed by another key are refused', async () => {
    const [h, p, s] = token.split('.');
    const flipped = `${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await expect401(await call(`Bearer ${h}.${p}.${flipped}`), 'Access token validation failure.');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(decodeJwt(token)).setProtectedHeader(decodeProtectedHeader(token) as { alg: string }).sign(privateKey);
    await expect401(await call(`Bearer ${forged}`), 'Access token validation failure.');
  });

  it('a token of this tenant for another resource: "Invalid audience."', async () => {
    const api = addApp(emu, { identifierUris: ['api://{appId}'] });
    const daemon = addApp(emu, { displayName: 'audit-daemon' });
    const secret = addSecret(emu, daemon.app);
    const t = await secretCredential(emu, daemon.app.appId!, secret).getToken(`api://${api.app.appId}/.default`);
    await expect401(await call(`Bearer ${t.token}`), 'Access token validation failure. Invalid audience.');
  });

  it("the error envelope carries date, request-id and the caller's client-request-id", async () => {
    const crid = '6d5f4f7a-6a1e-4f8e-9d52-6d1f4e8b9c01';
    const body = await expect401(await call(undefined, { 'client-request-id': crid }), 'Access token is empty.');
    assert.match(body.error.innerError.date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    assert.match(body.error.innerError['request-id'], /^[0-9a-f-]{36}$/);
    assert.equal(body.error.innerError['client-request-id'], crid);
  });

  it('a valid token without the permission: 403 Authorization_RequestDenied, no challenge', async () => {
    const { client } = await clientWithRoles(emu, graphClient(emu), []);
    await assert.rejects(client.api('/applications').get(), (e: { statusCode: number; code: string; message: string }) => {
      assert.equal(e.statusCode, 403);
      assert.equal(e.code, 'Authorization_RequestDenied');
      assert.equal(e.message, 'Insufficient privileges to complete the operation.');
      return true;
    });
    const bare = addApp(emu, { displayName: 'audit-no-roles' });
    const t = await graphToken(emu, secretCredential(emu, bare.app.appId!, addSecret(emu, bare.app)));
    assert.equal(decodeJwt(t).roles, undefined, 'no roles claim when nothing is granted');
    const res = await call(`Bearer ${t}`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('www-authenticate'), null);
  });

  it('an app-only Graph token: v1 claims, appid/appidacr, roles, idtyp=app, oid = sub = the client SP', async () => {
    const c = decodeJwt(token);
    const adminSp = (await (await rawFetch(emu, `/v1.0/servicePrincipals(appId='${emu.adminClientId}')`, { token })).json()) as { id: string };
    assert.equal(c.aud, 'https://graph.microsoft.com');
    assert.equal(c.iss, `https://sts.windows.net/${emu.tenantId}/`);
    assert.equal(c.ver, '1.0');
    assert.equal(c.tid, emu.tenantId);
    assert.equal(c.appid, emu.adminClientId);
    assert.equal(c.appidacr, '1');
    assert.equal(c.idp, `https://sts.windows.net/${emu.tenantId}/`);
    assert.equal(c.idtyp, 'app');
    assert.equal(c.oid, adminSp.id);
    assert.equal(c.sub, adminSp.id);
    assert.equal(c.app_displayname, 'tenantform-admin');
    assert.ok((c.roles as string[]).includes('Application.ReadWrite.All'));
    for (const absent of ['azp', 'azpacr', 'scp']) assert.equal(c[absent], undefined, absent);
    assert.equal(typeof c.uti, 'string');
    assert.equal(c.nbf, c.iat);
    // Entra back-dates iat/nbf by 5 minutes and issues for 60 minutes: exp − iat = 3900 (issue 10).
    assert.equal((c.exp as number) - (c.iat as number), 3900);
    assert.equal(decodeProtectedHeader(token).x5t, decodeProtectedHeader(token).kid);
  });

  it('an expired token: "Lifetime validation failed, the token is expired." (judged by the emulator clock)', async () => {
    const t = await graphToken(emu);
    emu.clock.advance(3600 * 1000 + 5 * 60_000);
    await expect401(await call(`Bearer ${t}`), 'Lifetime validation failed, the token is expired.');
  });
});
