import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import {
  authorizeUrl,
  interactiveClient,
  NATIVE_REDIRECT,
  pkceCodes,
  redeemCode,
  SPA_ORIGIN,
  SPA_REDIRECT,
  WEB_REDIRECT,
  type InteractiveClient,
} from '../helpers/interactive.js';
import { SignInBrowser, signIn } from '../helpers/sign-in-page.js';
import { loginFetch, type OAuthErrorBody } from '../helpers/tokens.js';

/**
 * The authorization_code grant's rules, raw at the token endpoint (msal would refuse to send most of these):
 * single use, ten minutes, bound to client, redirect URI and PKCE; single-page-app codes cross-origin only, with CORS.
 */
describe('token endpoint: the authorization_code grant', () => {
  let admin: Client;
  let alice: TestUser;
  let c: InteractiveClient;
  let other: InteractiveClient;
  let browser: SignInBrowser;

  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    alice = emu.addUser({ userPrincipalName: 'alice', password: 'alice-pass-1' });
    c = await interactiveClient(emu, admin);
    other = await interactiveClient(emu, admin);
    browser = new SignInBrowser(emu);
  });

  /** A code for alice through the sign-in page (the session makes every one after the first instant). */
  const code = async (o: { redirectUri?: string; challenge?: string; method?: string; clientId?: string } = {}) => {
    const params: Record<string, string> = {
      client_id: o.clientId ?? c.app.appId!,
      response_type: 'code',
      redirect_uri: o.redirectUri ?? WEB_REDIRECT,
      scope: 'openid profile offline_access User.Read',
    };
    if (o.challenge) Object.assign(params, { code_challenge: o.challenge, code_challenge_method: o.method ?? 'S256' });
    return (await signIn(browser, emu, authorizeUrl(emu, params), alice)).params.code;
  };
  const web = (extra: Record<string, string>) => ({
    client_id: c.app.appId!,
    client_secret: c.secret!,
    redirect_uri: WEB_REDIRECT,
    scope: 'User.Read offline_access openid',
    ...extra,
  });
  const error = async (res: Response, status: number, error: string, aadsts: number) => {
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error, error);
    assert.deepEqual(body.error_codes, [aadsts]);
    assert.match(body.error_description, new RegExp(`^AADSTS${aadsts}: `));
    return body;
  };

  it('a code is single use (AADSTS54005) and lives ten minutes (AADSTS70000 "The code has expired.")', async () => {
    const first = await code();
    const ok = await redeemCode(emu, web({ code: first }));
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    await error(await redeemCode(emu, web({ code: first })), 400, 'invalid_grant', 54005);

    const late = await code();
    emu.clock.advance(10 * 60_000 + 1000);
    const expired = await error(await redeemCode(emu, web({ code: late })), 400, 'invalid_grant', 70000);
    assert.match(expired.error_description, /^AADSTS70000: The provided value for the 'code' parameter is not valid\. The code has expired\./);
    await error(await redeemCode(emu, web({ code: 'not-a-code' })), 400, 'invalid_grant', 70000);
  });

  it('bound to the client (70000), the redirect URI (500112) and the PKCE verifier (501481)', async () => {
    await error(
      await redeemCode(emu, { ...web({ code: await code() }), client_id: other.app.appId!, client_secret: other.secret! }),
      400,
      'invalid_grant',
      70000,
    );
    const moved = await error(await redeemCode(emu, web({ code: await code(), redirect_uri: 'https://app.example.test/other' })), 400, 'invalid_grant', 500112);
    assert.match(
      moved.error_description,
      /The reply address 'https:\/\/app\.example\.test\/other' does not match the reply address 'https:\/\/app\.example\.test\/auth\/callback'/,
    );

    const { verifier, challenge } = await pkceCodes();
    await error(await redeemCode(emu, web({ code: await code({ challenge }), code_verifier: `${verifier}x` })), 400, 'invalid_grant', 501481);
    await error(await redeemCode(emu, web({ code: await code({ challenge }) })), 400, 'invalid_grant', 501481);
    assert.equal((await redeemCode(emu, web({ code: await code({ challenge }), code_verifier: verifier }))).status, 200);
    // plain: the verifier is the challenge.
    const plain = 'p'.repeat(50);
    assert.equal((await redeemCode(emu, web({ code: await code({ challenge: plain, method: 'plain' }), code_verifier: plain }))).status, 200);
  });

  it('a web redirect means a confidential client: no secret is AADSTS7000218, a wrong one 7000215; a native redirect refuses one (700025)', async () => {
    const { client_secret: _, ...noSecret } = web({ code: await code() });
    await error(await redeemCode(emu, noSecret), 401, 'invalid_client', 7000218);
    await error(await redeemCode(emu, web({ code: await code(), client_secret: 'wrong' })), 401, 'invalid_client', 7000215);
    const native = await code({ redirectUri: NATIVE_REDIRECT });
    await error(await redeemCode(emu, web({ code: native, redirect_uri: NATIVE_REDIRECT })), 401, 'invalid_client', 700025);
  });

  it('a single-page app redeems cross-origin with PKCE and gets CORS headers; without Origin AADSTS9002327, without PKCE 9002325', async () => {
    const { verifier, challenge } = await pkceCodes();
    const spa = (extra: Record<string, string>) => ({
      client_id: c.app.appId!,
      redirect_uri: SPA_REDIRECT,
      scope: 'User.Read openid offline_access',
      code_verifier: verifier,
      ...extra,
    });
    const ok = await redeemCode(emu, spa({ code: await code({ redirectUri: SPA_REDIRECT, challenge }) }), SPA_ORIGIN);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), '*');
    const tokens = (await ok.json()) as { access_token: string; refresh_token: string };
    assert.equal(decodeJwt(tokens.access_token).appidacr, '0', 'a single-page app is a public client');

    const noOrigin = await error(await redeemCode(emu, spa({ code: await code({ redirectUri: SPA_REDIRECT, challenge }) })), 400, 'invalid_request', 9002327);
    assert.match(noOrigin.error_description, /Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests\./);
    const noPkce = await code({ redirectUri: SPA_REDIRECT });
    await error(await redeemCode(emu, spa({ code: noPkce }), SPA_ORIGIN), 400, 'invalid_request', 9002325);
  });

  it('a web code redeemed cross-origin is AADSTS9002326, with CORS headers so the browser can read it; the preflight is answered', async () => {
    const res = await redeemCode(emu, web({ code: await code() }), SPA_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const body = await error(res, 400, 'invalid_request', 9002326);
    assert.match(
      body.error_description,
      /^AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type\. Request origin: 'http:\/\/localhost:3000'\./,
    );

    const pre = await loginFetch(emu, `/${emu.tenantId}/oauth2/v2.0/token`, {
      method: 'OPTIONS',
      headers: { Origin: SPA_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type');
  });
});
