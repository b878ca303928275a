import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { decodeJwt } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { createAppWithSp, uniqueName } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import {
  authorizeUrl,
  interactiveClient,
  msalNativeApp,
  msalWebApp,
  NATIVE_REDIRECT,
  pkceCodes,
  WEB_REDIRECT,
  type InteractiveClient,
} from '../helpers/interactive.js';
import { appResponse, formOf, inlineError, pageError, SignInBrowser, signIn } from '../helpers/sign-in-page.js';

/**
 * The authorize endpoint and its sign-in pages, driven over real HTTPS with msal-node building the URLs and
 * redeeming the codes: docs/emulator-fidelity.md "Interactive sign-in".
 */
describe('authorize endpoint: the sign-in page, sessions, prompt and the answer to the redirect URI', () => {
  let admin: Client;
  let alice: TestUser;
  let bob: TestUser;
  let c: InteractiveClient;

  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    alice = emu.addUser({ userPrincipalName: 'alice', displayName: 'Alice Example', password: 'alice-pass-1' });
    bob = emu.addUser({ userPrincipalName: 'bob', password: 'bob-pass-1' });
    c = await interactiveClient(emu, admin, { publicClient: [NATIVE_REDIRECT, 'https://noslash.example.test'] });
  });

  const url = (params: Record<string, string> = {}) =>
    authorizeUrl(emu, { client_id: c.app.appId!, response_type: 'code', redirect_uri: WEB_REDIRECT, scope: 'openid profile User.Read', ...params });

  it('msal-node ConfidentialClientApplication: getAuthCodeUrl with PKCE, the sign-in page, acquireTokenByCode', async () => {
    const msal = msalWebApp(emu, c);
    const { verifier, challenge } = await pkceCodes();
    const authUrl = await msal.getAuthCodeUrl({
      scopes: ['User.Read'],
      redirectUri: WEB_REDIRECT,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state: 'state-123',
      nonce: 'nonce-456',
      loginHint: alice.userPrincipalName,
    });
    const browser = new SignInBrowser(emu);
    const page = await browser.open(authUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    // The page: labelled inputs with stable ids, login_hint prefilled, the app's name shown.
    assert.match(page.html, /<label for="username">/);
    assert.match(page.html, /<input id="username" name="username" type="email"[^>]*value="alice@tenantformlocal\.onmicrosoft\.com"/);
    assert.match(page.html, /<label for="password">[\s\S]*<input id="password" name="password" type="password"/);
    assert.match(page.html, /<button id="signin" type="submit">/);
    assert.match(page.html, new RegExp(`id="app-name">${c.app.displayName}<`));
    const done = await browser.submit(page, 'credentials', { username: alice.userPrincipalName, password: alice.password });
    const answer = appResponse(done);
    assert.equal(answer.mode, 'query');
    assert.equal(answer.redirectUri, WEB_REDIRECT);
    assert.equal(answer.params.state, 'state-123');
    assert.ok(answer.params.code?.startsWith('1.'));
    assert.deepEqual(JSON.parse(Buffer.from(answer.params.client_info, 'base64url').toString()), { uid: alice.id, utid: emu.tenantId });
    assert.match(done.headers.get('set-cookie')!, /^tenantform_emulator_session=[\w-]+; Path=\/; Secure; HttpOnly; SameSite=None$/);

    const result = await msal.acquireTokenByCode({
      code: answer.params.code,
      scopes: ['User.Read'],
      redirectUri: WEB_REDIRECT,
      codeVerifier: verifier,
      nonce: 'nonce-456',
    });
    assert.equal(result.account?.username, alice.userPrincipalName);
    assert.equal(result.account?.homeAccountId, `${alice.id}.${emu.tenantId}`);
    const id = decodeJwt(result.idToken);
    assert.equal(id.nonce, 'nonce-456');
    assert.equal(id.aud, c.app.appId);
    const at = decodeJwt(result.accessToken);
    assert.deepEqual(at.amr, ['pwd']);
    assert.equal(at.appidacr, '1', 'a web redirect: the confidential client authenticated with its secret');
    assert.equal(at.oid, alice.id);
  });

  it('the session cookie: a second authorize in the same browser answers at once; prompt=none works with it, not without', async () => {
    const browser = new SignInBrowser(emu);
    await signIn(browser, emu, url(), alice);
    const again = await browser.open(url({ state: 's2' }));
    assert.equal(again.status, 302, 'no form the second time');
    assert.equal(appResponse(again).params.state, 's2');
    assert.ok(appResponse(again).params.code);

    const silent = await browser.open(url({ prompt: 'none', state: 's3' }));
    assert.ok(appResponse(silent).params.code);

    const fresh = await new SignInBrowser(emu).open(url({ prompt: 'none', state: 's4' }));
    const err = appResponse(fresh);
    assert.equal(err.params.error, 'login_required');
    assert.match(err.params.error_description, /^AADSTS50058: A silent sign-in request was sent but no user is signed in\./);
    assert.match(err.params.error_description, /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.equal(err.params.error_uri, `${emu.authorityHost}/error?code=50058`);
    assert.equal(err.params.state, 's4');
    assert.equal(err.params.code, undefined);
  });

  it('prompt=login shows the form despite the session; select_account offers the account or another; login_hint of another user shows the form', async () => {
    const browser = new SignInBrowser(emu);
    await signIn(browser, emu, url(), alice);
    const login = await browser.open(url({ prompt: 'login' }));
    assert.ok(formOf(login.html, 'credentials'));

    const pick = await browser.open(url({ prompt: 'select_account' }));
    assert.match(pick.html, /<button id="select-account"[^>]*value="alice@tenantformlocal\.onmicrosoft\.com"/);
    const picked = await browser.submit(pick, 'accounts', {}, 'select-account');
    assert.ok(appResponse(picked).params.code);
    const other = await browser.submit(await browser.open(url({ prompt: 'select_account' })), 'accounts', {}, 'use-another-account');
    assert.ok(formOf(other.html, 'credentials'));

    const hinted = await browser.open(url({ login_hint: bob.userPrincipalName }));
    assert.match(hinted.html, /id="username"[^>]*value="bob@tenantformlocal\.onmicrosoft\.com"/);
    const asBob = await browser.submit(hinted, 'credentials', { username: bob.userPrincipalName, password: bob.password });
    const code = appResponse(asBob).params.code;
    const r = await msalWebApp(emu, c).acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri: WEB_REDIRECT });
    assert.equal(decodeJwt(r.accessToken).oid, bob.id);
  });

  it('a wrong password or an unknown user shows the form again with the error; the request log keeps field names only', async () => {
    const browser = new SignInBrowser(emu);
    const page = await browser.open(url());
    const mark = emu.requestLog.mark();
    const wrong = await browser.submit(page, 'credentials', { username: alice.userPrincipalName, password: 'not-it' });
    assert.equal(wrong.status, 400);
    assert.equal(inlineError(wrong), "Your account or password is incorrect. If you don't remember your password, reset it now.");
    assert.match(wrong.html, /id="username"[^>]*value="alice@tenantformlocal\.onmicrosoft\.com"/);
    const unknown = await browser.submit(wrong, 'credentials', { username: 'nobody@tenantformlocal.onmicrosoft.com', password: 'x' });
    assert.match(inlineError(unknown)!, /^This username may be incorrect/);
    const entries = emu.requestLog.since(mark);
    assert.deepEqual(
      entries.map((e) => [e.method, e.path, e.status, e.errorCode]),
      [
        ['POST', `/${emu.tenantId}/login`, 400, 'AADSTS50126'],
        ['POST', `/${emu.tenantId}/login`, 400, 'AADSTS50034'],
      ],
    );
    assert.deepEqual(entries[0].bodyKeys, ['flowToken', 'password', 'username']);
    assert.ok(!JSON.stringify(entries).includes('not-it'));
  });

  it('response_mode fragment and form_post (a self-submitting form)', async () => {
    const browser = new SignInBrowser(emu);
    const fragment = await signIn(browser, emu, url({ response_mode: 'fragment', state: 'f' }), alice);
    assert.equal(fragment.mode, 'fragment');
    assert.equal(fragment.params.state, 'f');
    assert.ok(fragment.params.code);
    const page = await browser.open(url({ response_mode: 'form_post', state: 'p' }));
    assert.equal(page.status, 200);
    assert.match(page.html, /<form method="POST" name="hiddenform" id="response" action="https:\/\/app\.example\.test\/auth\/callback">/);
    assert.match(page.html, /<script language="javascript">document\.forms\[0\]\.submit\(\);<\/script>/);
    const posted = appResponse(page);
    assert.equal(posted.mode, 'form_post');
    assert.equal(posted.params.state, 'p');
    assert.ok(posted.params.code);
  });

  it('redirect_uri: exact match on the path (case, trailing slash) → AADSTS50011 on the page, never redirected; loopback ports ignored', async () => {
    for (const bad of ['https://app.example.test/Auth/callback', 'https://app.example.test/auth/callback/', 'https://evil.example.test/auth/callback']) {
      const page = await new SignInBrowser(emu).open(url({ redirect_uri: bad }));
      assert.equal(page.status, 400);
      assert.equal(page.headers.get('location'), null);
      assert.deepEqual(pageError(page), {
        code: 'AADSTS50011',
        message: `The redirect URI '${bad}' specified in the request does not match the redirect URIs configured for the application '${c.app.appId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
      });
    }
    // http://localhost/native is registered: any port matches, and the answer goes to the port asked for.
    const native = await signIn(new SignInBrowser(emu), emu, url({ redirect_uri: 'http://localhost:51234/native' }), alice);
    assert.equal(native.redirectUri, 'http://localhost:51234/native');
    // A registered URI without a path: with or without the slash, answered with it.
    const noSlash = await signIn(new SignInBrowser(emu), emu, url({ redirect_uri: 'https://noslash.example.test' }), alice);
    assert.equal(noSlash.redirectUri, 'https://noslash.example.test/');
  });

  it('msal-node PublicClientApplication: a mobile-and-desktop redirect redeems without a secret (appidacr 0)', async () => {
    const msal = msalNativeApp(emu, c);
    const { verifier, challenge } = await pkceCodes();
    const authUrl = await msal.getAuthCodeUrl({
      scopes: ['User.Read'],
      redirectUri: 'http://localhost:8400/native',
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });
    const answer = await signIn(new SignInBrowser(emu), emu, authUrl, alice);
    const r = await msal.acquireTokenByCode({
      code: answer.params.code,
      scopes: ['User.Read'],
      redirectUri: 'http://localhost:8400/native',
      codeVerifier: verifier,
    });
    assert.equal(decodeJwt(r.accessToken).appidacr, '0');
  });

  it('errors shown on the page: unknown client (700016), no client_id (900144), no redirect_uri (900971), none registered (500113), /common (501)', async () => {
    const unknownId = '11111111-2222-4333-8444-555555555555';
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ client_id: unknownId }, 'AADSTS700016', new RegExp(`^Application with identifier '${unknownId}' was not found in the directory '${emu.tenantId}'`)],
      [{ client_id: '' }, 'AADSTS900144', /^The request body must contain the following parameter: 'client_id'\.$/],
      [{ redirect_uri: '' }, 'AADSTS900971', /^No reply address provided\.$/],
      [{ response_mode: 'web_message' }, 'AADSTS70007', /web_message/],
    ];
    for (const [params, code, message] of cases) {
      const page = await new SignInBrowser(emu).open(url(params));
      const e = pageError(page)!;
      assert.equal(e.code, code);
      assert.match(e.message, message);
      assert.equal(page.headers.get('location'), null);
    }
    const { app } = await createAppWithSp(emu, admin, { displayName: uniqueName('no-redirects'), signInAudience: 'AzureADMyOrg' } as Partial<Application>);
    const none = await new SignInBrowser(emu).open(url({ client_id: app.appId!, redirect_uri: WEB_REDIRECT }));
    assert.equal(pageError(none)?.code, 'AADSTS500113');
    const common = await new SignInBrowser(emu).open(
      authorizeUrl(emu, { client_id: c.app.appId!, response_type: 'code', redirect_uri: WEB_REDIRECT, scope: 'User.Read' }, 'common'),
    );
    assert.equal(common.status, 501);
    assert.equal(pageError(common)?.code, 'not_implemented');
  });

  it('errors sent to the redirect URI: scope, response_type, PKCE, an unknown scope; prompt=consent answers 501', async () => {
    const cases: Array<[Record<string, string>, string, number]> = [
      [{ scope: '' }, 'invalid_request', 900144],
      [{ response_type: '' }, 'invalid_request', 900144],
      [{ response_type: 'token' }, 'unsupported_response_type', 700051],
      [{ response_type: 'code id_token' }, 'unsupported_response_type', 700054],
      [{ response_type: 'banana' }, 'unsupported_response_type', 70005],
      [{ code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request', 501491],
      [{ code_challenge_method: 'S256' }, 'invalid_request', 900144],
      [{ scope: 'openid User.NoSuchScope' }, 'invalid_client', 650053],
    ];
    for (const [params, error, aadsts] of cases) {
      const answer = appResponse(await new SignInBrowser(emu).open(url({ state: 'st', ...params })));
      assert.equal(answer.params.error, error, JSON.stringify(params));
      assert.match(answer.params.error_description, new RegExp(`^AADSTS${aadsts}: `));
      assert.equal(answer.params.state, 'st');
    }
    const consent = await new SignInBrowser(emu).open(url({ prompt: 'consent' }));
    assert.equal(consent.status, 501);
  });
});
