import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import {
  authorizeUrl,
  interactiveClient,
  msalWebApp,
  pkceCodes,
  redeemCode,
  SPA_ORIGIN,
  SPA_REDIRECT,
  WEB_REDIRECT,
  type InteractiveClient,
} from '../helpers/interactive.js';
import { SignInBrowser, signIn } from '../helpers/sign-in-page.js';
import { postToken, type OAuthErrorBody } from '../helpers/tokens.js';
import { createApi, createPolicy, grant, type ApiFixture } from '../helpers/users.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  scope: string;
}

/**
 * The refresh_token grant: through msal-node (acquireTokenSilent, acquireTokenByRefreshToken) and raw — a new
 * refresh token each time (the old one stays valid), scopes within consent, the 90-day and the single-page app's
 * fixed 24-hour lifetimes, conditional access evaluated again with the sign-in's MFA.
 */
describe('token endpoint: the refresh_token grant', () => {
  let admin: Client;
  let alice: TestUser;
  let mia: TestUser;
  let c: InteractiveClient;
  let api: ApiFixture;
  let unconsented: ApiFixture;

  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    alice = emu.addUser({ userPrincipalName: 'alice', password: 'alice-pass-1' });
    mia = emu.addUser({ userPrincipalName: 'mia', password: 'mia-pass-1', mfa: true });
    c = await interactiveClient(emu, admin);
    api = await createApi(emu, admin, { scopes: ['Read'], requestedAccessTokenVersion: 2 });
    unconsented = await createApi(emu, admin, { scopes: ['Read'] });
    await grant(emu, admin, c.sp, api.sp, 'Read');
  });

  /** Web sign-in through the page, redeemed raw: the token answer. */
  const webTokens = async (user: TestUser, scope = 'openid profile offline_access User.Read'): Promise<Tokens> => {
    const answer = await signIn(
      new SignInBrowser(emu),
      emu,
      authorizeUrl(emu, { client_id: c.app.appId!, response_type: 'code', redirect_uri: WEB_REDIRECT, scope }),
      user,
    );
    const res = await redeemCode(emu, { client_id: c.app.appId!, client_secret: c.secret!, redirect_uri: WEB_REDIRECT, code: answer.params.code, scope });
    assert.equal(res.status, 200);
    return (await res.json()) as Tokens;
  };
  const refresh = (token: string, extra: Record<string, string> = {}, origin?: string) =>
    postToken(
      emu,
      { grant_type: 'refresh_token', client_id: c.app.appId!, client_secret: c.secret!, refresh_token: token, ...extra },
      { headers: origin ? { Origin: origin } : {} },
    );
  const error = async (res: Response, error: string, aadsts: number) => {
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(body.error, error);
    assert.deepEqual(body.error_codes, [aadsts]);
    return body;
  };

  it('msal-node: acquireTokenSilent with forceRefresh redeems the refresh token from its cache; acquireTokenByRefreshToken too', async () => {
    const grants: string[] = [];
    const msal = msalWebApp(emu, c, (_m, url, body) => {
      if (url.includes('/token')) grants.push(new URLSearchParams(body).get('grant_type')!);
    });
    const { verifier, challenge } = await pkceCodes();
    const authUrl = await msal.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: WEB_REDIRECT, codeChallenge: challenge, codeChallengeMethod: 'S256' });
    const answer = await signIn(new SignInBrowser(emu), emu, authUrl, alice);
    const first = await msal.acquireTokenByCode({ code: answer.params.code, scopes: ['User.Read'], redirectUri: WEB_REDIRECT, codeVerifier: verifier });
    const silent = await msal.acquireTokenSilent({ account: first.account!, scopes: ['User.Read'], forceRefresh: true });
    assert.deepEqual(grants, ['authorization_code', 'refresh_token']);
    assert.notEqual(silent.accessToken, first.accessToken);
    assert.equal(decodeJwt(silent.accessToken).oid, alice.id);
    // Another resource with the same refresh token, within consent.
    const cache = JSON.parse(msal.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
    const rt = Object.values(cache.RefreshToken)[0].secret;
    const forApi = await msal.acquireTokenByRefreshToken({ refreshToken: rt, scopes: [`api://${api.app.appId}/Read`] });
    assert.equal(decodeJwt(forApi!.accessToken).aud, api.app.appId);
  });

  it('each redemption answers a new refresh token and the old one keeps working; scopes without consent are AADSTS65001', async () => {
    const t = await webTokens(alice);
    const r1 = (await (await refresh(t.refresh_token)).json()) as Tokens;
    assert.ok(r1.refresh_token && r1.refresh_token !== t.refresh_token);
    assert.equal(r1.scope, 'User.Read profile openid email');
    assert.equal((await refresh(t.refresh_token)).status, 200, 'not revoked by use');
    const body = await error(await refresh(r1.refresh_token, { scope: `api://${unconsented.app.appId}/Read offline_access` }), 'invalid_grant', 65001);
    assert.match(body.error_description, /has not consented/);
  });

  it('an unknown token or one of another client is AADSTS9002313; after 90 days without use AADSTS700082', async () => {
    await error(await refresh('0.not-a-refresh-token'), 'invalid_grant', 9002313);
    const t = await webTokens(alice);
    const otherClient = await interactiveClient(emu, admin);
    await error(
      await postToken(emu, {
        grant_type: 'refresh_token',
        client_id: otherClient.app.appId!,
        client_secret: otherClient.secret!,
        refresh_token: t.refresh_token,
      }),
      'invalid_grant',
      9002313,
    );
    const fresh = await webTokens(alice);
    emu.clock.advance(91 * 86_400_000);
    try {
      const expired = await error(await refresh(fresh.refresh_token), 'invalid_grant', 700082);
      assert.match(expired.error_description, /^AADSTS700082: The refresh token has expired due to inactivity\. The token was issued on \d{4}-\d\d-\d\dT/);
    } finally {
      emu.clock.advance(-91 * 86_400_000);
    }
  });

  it('a single-page app: cross-origin only (9002327 / 9002326), and a fixed 24 hours that rotation does not extend (AADSTS700084)', async () => {
    const { verifier, challenge } = await pkceCodes();
    const scope = 'openid offline_access User.Read';
    const answer = await signIn(
      new SignInBrowser(emu),
      emu,
      authorizeUrl(emu, {
        client_id: c.app.appId!,
        response_type: 'code',
        redirect_uri: SPA_REDIRECT,
        scope,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      alice,
    );
    const res = await redeemCode(
      emu,
      { client_id: c.app.appId!, redirect_uri: SPA_REDIRECT, code: answer.params.code, code_verifier: verifier, scope },
      SPA_ORIGIN,
    );
    const spa = (await res.json()) as Tokens;
    const spaRefresh = (token: string, origin?: string) =>
      postToken(emu, { grant_type: 'refresh_token', client_id: c.app.appId!, refresh_token: token, scope }, { headers: origin ? { Origin: origin } : {} });
    await error(await spaRefresh(spa.refresh_token), 'invalid_request', 9002327);
    emu.clock.advance(20 * 3_600_000);
    const rotated = (await (await spaRefresh(spa.refresh_token, SPA_ORIGIN)).json()) as Tokens;
    assert.ok(rotated.refresh_token);
    emu.clock.advance(5 * 3_600_000);
    try {
      const body = await error(await spaRefresh(rotated.refresh_token, SPA_ORIGIN), 'invalid_grant', 700084);
      assert.match(body.error_description, /fixed, limited lifetime of 1\.00:00:00, which cannot be extended/);
    } finally {
      emu.clock.advance(-25 * 3_600_000);
    }
    const web = await webTokens(alice);
    await error(await refresh(web.refresh_token, {}, SPA_ORIGIN), 'invalid_request', 9002326);
  });

  it('conditional access is evaluated again on refresh: a new MFA policy stops a password-only token, not one whose sign-in did MFA', async () => {
    const pwdOnly = await webTokens(mia, `openid offline_access api://${api.app.appId}/Read`);
    const policy = await createPolicy(emu, admin, { conditions: { applications: { includeApplications: [api.app.appId] } } });
    try {
      const body = await error(await refresh(pwdOnly.refresh_token), 'invalid_grant', 50076);
      assert.equal((body as OAuthErrorBody & { suberror?: string }).suberror, 'basic_action');
      // Signing in again with the MFA step: that refresh token carries mfa.
      const withMfa = await webTokens(mia, `openid offline_access api://${api.app.appId}/Read`);
      const again = await refresh(withMfa.refresh_token);
      assert.equal(again.status, 200);
      assert.equal(decodeJwt(((await again.json()) as Tokens).access_token).aud, api.app.appId);
    } finally {
      await admin.api(`/identity/conditionalAccess/policies/${policy.id}`).delete();
    }
  });
});
