import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { authorizeUrl, interactiveClient, msalWebApp, WEB_REDIRECT, type InteractiveClient } from '../helpers/interactive.js';
import { appResponse, formOf, inlineError, pageError, SignInBrowser, signIn, totp } from '../helpers/sign-in-page.js';
import { createApi, createPolicy, grant, type ApiFixture } from '../helpers/users.js';

/**
 * The MFA step of the sign-in page: asked for by conditional access (for the requested resource) or by the request's
 * claims, checked with otplib against the emulator's clock; tokens that then satisfy the policy.
 */
describe('sign-in page: the MFA step and conditional access', () => {
  let admin: Client;
  let mia: TestUser;
  let noMfa: TestUser;
  let c: InteractiveClient;
  let api: ApiFixture;
  let policyId: string;

  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    mia = emu.addUser({ userPrincipalName: 'mia', password: 'mia-pass-1', mfa: true });
    noMfa = emu.addUser({ userPrincipalName: 'nomfa', password: 'nomfa-pass-1' });
    c = await interactiveClient(emu, admin);
    api = await createApi(emu, admin, { scopes: ['Read'], requestedAccessTokenVersion: 2 });
    await grant(emu, admin, c.sp, api.sp, 'Read');
    // MFA for the API only: Microsoft Graph sign-ins stay password-only.
    policyId = (await createPolicy(emu, admin, { conditions: { applications: { includeApplications: [api.app.appId] } } })).id;
  });

  const apiScope = () => `openid profile offline_access api://${api.app.appId}/Read`;
  const url = (params: Record<string, string> = {}) =>
    authorizeUrl(emu, { client_id: c.app.appId!, response_type: 'code', redirect_uri: WEB_REDIRECT, scope: apiScope(), ...params });
  const redeem = (code: string, scopes = [`api://${api.app.appId}/Read`]) => msalWebApp(emu, c).acquireTokenByCode({ code, scopes, redirectUri: WEB_REDIRECT });

  it('a policy requiring MFA for the resource: password, then the code page; a wrong code shows it again; the token carries amr mfa', async () => {
    const browser = new SignInBrowser(emu);
    const afterPassword = await browser.submit(await browser.open(url()), 'credentials', { username: mia.userPrincipalName, password: mia.password });
    assert.equal(afterPassword.status, 200);
    assert.match(afterPassword.html, /<label for="otp">Code<\/label>\s*<input id="otp" name="otp"/);
    assert.match(afterPassword.html, /<button id="verify" type="submit">/);
    const wrong = await browser.submit(afterPassword, 'mfa', { otp: '000000' === totp(emu, mia) ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    assert.equal(inlineError(wrong), "You didn't enter the expected verification code. Please try again.");
    const done = await browser.submit(wrong, 'mfa', { otp: totp(emu, mia) });
    const r = await redeem(appResponse(done).params.code);
    const at = decodeJwt(r.accessToken);
    assert.equal(at.aud, api.app.appId);
    assert.equal(at.scp, 'Read');

    // The session remembers MFA: prompt=none for the API now signs in silently.
    const silent = await browser.open(url({ prompt: 'none' }));
    assert.ok(appResponse(silent).params.code);
  });

  it('Microsoft Graph (not targeted) needs no MFA; a password-only session asked for the API with prompt=none is interaction_required', async () => {
    const browser = new SignInBrowser(emu);
    const graph = await signIn(browser, emu, url({ scope: 'openid User.Read' }), mia);
    assert.ok(graph.params.code, 'no MFA page for Microsoft Graph');
    const silent = appResponse(await browser.open(url({ prompt: 'none', state: 'x' })));
    assert.equal(silent.params.error, 'interaction_required');
    assert.match(silent.params.error_description, /^AADSTS50076: /);
    assert.equal(silent.params.suberror, 'basic_action');
    assert.equal(silent.params.state, 'x');
    // Without prompt=none the same browser only gets the code page (no password again).
    const stepUp = await browser.open(url());
    assert.ok(formOf(stepUp.html, 'mfa'));
    const done = await browser.submit(stepUp, 'mfa', { otp: totp(emu, mia) });
    assert.deepEqual(decodeJwt((await redeem(appResponse(done).params.code)).idToken).aud, c.app.appId);
  });

  it('a user without an MFA method whose sign-in needs MFA gets AADSTS50079 on the page', async () => {
    const browser = new SignInBrowser(emu);
    const page = await browser.submit(await browser.open(url()), 'credentials', { username: noMfa.userPrincipalName, password: noMfa.password });
    const e = pageError(page)!;
    assert.equal(e.code, 'AADSTS50079');
    assert.match(e.message, new RegExp(`you must enroll in multi-factor authentication to access '${api.app.appId}'`));
  });

  it('the claims parameter forces the MFA step (a capolids challenge sent back), even for a resource no policy targets; v1 amr shows it', async () => {
    const claims = JSON.stringify({ access_token: { capolids: { essential: true, values: [policyId] } } });
    const browser = new SignInBrowser(emu);
    const page = await browser.submit(await browser.open(url({ scope: 'openid User.Read', claims })), 'credentials', {
      username: mia.userPrincipalName,
      password: mia.password,
    });
    assert.ok(formOf(page.html, 'mfa'), 'the MFA step appears');
    const done = await browser.submit(page, 'mfa', { otp: totp(emu, mia) });
    const r = await msalWebApp(emu, c).acquireTokenByCode({ code: appResponse(done).params.code, scopes: ['User.Read'], redirectUri: WEB_REDIRECT });
    assert.deepEqual(decodeJwt(r.accessToken).amr, ['pwd', 'mfa']);
  });

  it('codes are checked at the emulator clock: after advancing it, a code for the real time fails and one for the emulator time works', async () => {
    const browser = new SignInBrowser(emu);
    const page = await browser.submit(await browser.open(url()), 'credentials', { username: mia.userPrincipalName, password: mia.password });
    const realTimeCode = totp(emu, mia);
    emu.clock.advance(600_000);
    try {
      const stale = await browser.submit(page, 'mfa', { otp: realTimeCode === totp(emu, mia) ? '123456' : realTimeCode });
      assert.equal(inlineError(stale), "You didn't enter the expected verification code. Please try again.");
      const done = await browser.submit(stale, 'mfa', { otp: totp(emu, mia) });
      assert.ok(appResponse(done).params.code);
    } finally {
      emu.clock.advance(-600_000);
    }
  });

  it('a blocking policy shows AADSTS53003 on the page', async () => {
    const blocked = await createPolicy(emu, admin, {
      grantControls: { operator: 'OR', builtInControls: ['block'] },
      conditions: { applications: { includeApplications: [api.app.appId] }, users: { includeUsers: [noMfa.id] } },
    });
    try {
      const browser = new SignInBrowser(emu);
      const page = await browser.submit(await browser.open(url()), 'credentials', { username: noMfa.userPrincipalName, password: noMfa.password });
      assert.equal(pageError(page)?.code, 'AADSTS53003');
    } finally {
      await admin.api(`/identity/conditionalAccess/policies/${blocked.id}`).delete();
    }
  });
});
