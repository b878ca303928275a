import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt } from 'jose';
import type { Emulator, TestUser } from '../../src/emulator/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { interactiveClient, msalNativeApp, type InteractiveClient } from '../helpers/interactive.js';
import { approveDeviceCode, formOf, inlineError, pageError, SignInBrowser, totp, type Page } from '../helpers/sign-in-page.js';
import { loginFetch, postToken, type OAuthErrorBody } from '../helpers/tokens.js';
import { createApi, createPolicy, grant, type ApiFixture } from '../helpers/users.js';

interface DeviceCodeAnswer {
  user_code: string;
  device_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
  message: string;
}

/**
 * The device code flow: /devicecode, the verification page (code, sign-in with the MFA step, confirmation) and the
 * polling answers — through msal-node's acquireTokenByDeviceCode (the test completes the page while msal polls) and raw.
 */
describe('device code flow', () => {
  let admin: Client;
  let alice: TestUser;
  let mia: TestUser;
  let c: InteractiveClient;
  let api: ApiFixture;

  // Entra's interval is 5 s; msal polls in real time, so the test tenant answers 0.
  const emu = useEmulator({ deviceCodeIntervalSeconds: 0 });
  before(async () => {
    admin = graphClient(emu);
    alice = emu.addUser({ userPrincipalName: 'alice', password: 'alice-pass-1' });
    mia = emu.addUser({ userPrincipalName: 'mia', password: 'mia-pass-1', mfa: true });
    c = await interactiveClient(emu, admin, { secret: false, body: { isFallbackPublicClient: true } });
    api = await createApi(emu, admin, { scopes: ['Read'] });
    await grant(emu, admin, c.sp, api.sp, 'Read');
  });

  const start = async (scope = 'openid offline_access User.Read'): Promise<DeviceCodeAnswer> => {
    const res = await loginFetch(emu, `/${emu.tenantId}/oauth2/v2.0/devicecode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: c.app.appId!, scope }).toString(),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as DeviceCodeAnswer;
  };
  const poll = (deviceCode: string) =>
    postToken(emu, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: c.app.appId!, device_code: deviceCode });
  const error = async (res: Response, error: string, aadsts: number) => {
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(body.error, error);
    assert.deepEqual(body.error_codes, [aadsts]);
    return body;
  };

  it("/devicecode answers Entra's fields; polling is authorization_pending (AADSTS70016) until the user finishes", async () => {
    const d = await start();
    assert.deepEqual(Object.keys(d).sort(), ['device_code', 'expires_in', 'interval', 'message', 'user_code', 'verification_uri']);
    assert.match(d.user_code, /^[A-Z0-9]{9}$/);
    assert.equal(d.verification_uri, `${emu.authorityHost}/devicelogin`);
    assert.equal(d.expires_in, 900);
    assert.equal(d.interval, 0);
    assert.equal(
      d.message,
      `To sign in, use a web browser to open the page ${emu.authorityHost}/devicelogin and enter the code ${d.user_code} to authenticate.`,
    );
    const pending = await error(await poll(d.device_code), 'authorization_pending', 70016);
    assert.match(pending.error_description, /^AADSTS70016: OAuth 2\.0 device flow error\. Authorization is pending\. Continue polling\./);

    const done = await approveDeviceCode(emu, d, alice);
    assert.match(done.html, /You have signed in to the .* application on your device/);
    const ok = await poll(d.device_code);
    assert.equal(ok.status, 200);
    const tokens = (await ok.json()) as { access_token: string; refresh_token: string; id_token: string };
    assert.equal(decodeJwt(tokens.access_token).oid, alice.id);
    assert.ok(tokens.refresh_token && tokens.id_token);
    await error(await poll(d.device_code), 'bad_verification_code', 70018);
  });

  it('msal-node PublicClientApplication.acquireTokenByDeviceCode: the test signs in on the verification page while msal polls', async () => {
    const msal = msalNativeApp(emu, c);
    let page: Promise<Page> | undefined;
    const result = await msal.acquireTokenByDeviceCode({
      scopes: [`api://${api.app.appId}/Read`],
      deviceCodeCallback: (r) => {
        page = approveDeviceCode(emu, { user_code: r.userCode, verification_uri: r.verificationUri } as DeviceCodeAnswer, alice);
      },
    });
    assert.ok((await page!).html.includes('id="done"'));
    assert.equal(result?.account?.username, alice.userPrincipalName);
    assert.equal(decodeJwt(result!.accessToken).aud, `api://${api.app.appId}`);
  });

  it('the MFA step on the verification page when a policy requires it for the resource; amr carries mfa', async () => {
    const policy = await createPolicy(emu, admin, { conditions: { applications: { includeApplications: [api.app.appId] } } });
    try {
      const d = await start(`openid api://${api.app.appId}/Read`);
      await approveDeviceCode(emu, d, mia);
      const ok = await poll(d.device_code);
      assert.deepEqual(decodeJwt(((await ok.json()) as { access_token: string }).access_token).amr, ['pwd', 'mfa']);
    } finally {
      await admin.api(`/identity/conditionalAccess/policies/${policy.id}`).delete();
    }
  });

  it('Cancel on the confirmation page is authorization_declined; a wrong code on the page shows the error; expiry is expired_token', async () => {
    const d = await start();
    const browser = new SignInBrowser(emu);
    const entry = await browser.open(d.verification_uri);
    assert.match(entry.html, /<label for="otc">Code<\/label>\s*<input id="otc" name="otc"/);
    const wrong = await browser.submit(entry, 'device-code', { otc: 'NOTACODE1' });
    assert.equal(inlineError(wrong), "That code didn't work. Check the code and try again.");
    const signInPage = await browser.submit(wrong, 'device-code', { otc: d.user_code.toLowerCase() });
    const confirm = await browser.submit(signInPage, 'credentials', { username: alice.userPrincipalName, password: alice.password });
    assert.ok(formOf(confirm.html, 'device-confirm'));
    const cancelled = await browser.submit(confirm, 'device-confirm', {}, 'cancel');
    assert.match(cancelled.html, /Sign-in cancelled/);
    await error(await poll(d.device_code), 'authorization_declined', 65004);

    const late = await start();
    emu.clock.advance(901_000);
    await error(await poll(late.device_code), 'expired_token', 70019);
    const used = await new SignInBrowser(emu).submit(await new SignInBrowser(emu).open(late.verification_uri), 'device-code', { otc: late.user_code });
    assert.match(inlineError(used)!, /expired/);
    await error(await poll('DAQABnot-a-device-code'), 'bad_verification_code', 70018);
  });

  it('a sign-in that cannot finish shows its error and fails the poll the same way (no consent: 501 page, AADSTS65001 poll)', async () => {
    const other = await createApi(emu, admin, { scopes: ['Write'] });
    const d = await start(`api://${other.app.appId}/Write`);
    const browser = new SignInBrowser(emu);
    const signInPage = await browser.submit(await browser.open(d.verification_uri), 'device-code', { otc: d.user_code });
    const page = await browser.submit(signInPage, 'credentials', { username: alice.userPrincipalName, password: alice.password });
    assert.equal(page.status, 501);
    assert.equal(pageError(page)?.code, 'not_implemented');
    const body = await error(await poll(d.device_code), 'invalid_grant', 65001);
    assert.equal((body as OAuthErrorBody & { suberror?: string }).suberror, 'consent_required');
  });
});

/** The user's side: open the verification page, type the code, sign in (with MFA when asked), press Continue. */
