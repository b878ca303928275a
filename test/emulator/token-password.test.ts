import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { AuthError, InteractionRequiredAuthError } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { settle, uniqueName } from '../helpers/directory.js';
import { graphClient, rawFetch, useEmulator } from '../helpers/emulator.js';
import { loginFetch, msalApp, verifyWithDiscovery, type OAuthErrorBody } from '../helpers/tokens.js';
import { createApi, createClient, grant, grantGraphSignIn, msalPublicApp, passwordGrant, type ApiFixture, type ClientFixture } from '../helpers/users.js';

/**
 * The password grant (ROPC) and the delegated tokens it issues, through msal-node and raw requests:
 * docs/emulator-fidelity.md "Users and delegated tokens".
 */

async function oauthError(res: Response): Promise<{ status: number; body: OAuthErrorBody & { suberror?: string; claims?: string } }> {
  return { status: res.status, body: (await res.json()) as OAuthErrorBody & { suberror?: string; claims?: string } };
}

describe('token endpoint: the password grant', () => {
  let admin: Client;
  let alice: TestUser;
  let bob: TestUser;
  let pub: ClientFixture;
  let pub2: ClientFixture;
  let conf: ClientFixture;
  let apiV1: ApiFixture;
  let apiV2: ApiFixture;

  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    alice = emu.addUser({ userPrincipalName: 'alice', displayName: 'Alice Example', password: 'alice-pass-1' });
    bob = emu.addUser({ userPrincipalName: 'bob', password: 'bob-pass-1' });
    pub = await createClient(emu, admin, { public: true, displayName: uniqueName('public-client') });
    pub2 = await createClient(emu, admin, { public: true });
    conf = await createClient(emu, admin, { displayName: uniqueName('web-client') });
    apiV1 = await createApi(emu, admin, { scopes: ['Read', 'Write'] });
    apiV2 = await createApi(emu, admin, { scopes: ['Read', 'Write'], requestedAccessTokenVersion: 2 });
    for (const c of [pub, pub2, conf]) {
      await grantGraphSignIn(emu, admin, c.sp);
      await grant(emu, admin, c.sp, apiV1.sp, 'Read Write');
      await grant(emu, admin, c.sp, apiV2.sp, 'Read');
    }
  });

  const ropc = (clientId: string, scopes: string[], user: TestUser = alice) =>
    msalPublicApp(emu, clientId).acquireTokenByUsernamePassword({ scopes, username: user.userPrincipalName, password: user.password });

  it('signs a user in through msal-node PublicClientApplication: access token, ID token, account, refresh token', async () => {
    let body: string | undefined;
    const app = msalPublicApp(emu, pub.app.appId!, { onRequest: (m, url, b) => (url.includes('/token') ? (body = b) : undefined) });
    const r = await app.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: alice.userPrincipalName, password: alice.password });
    assert.ok(r?.accessToken);
    assert.equal(r.account?.username, alice.userPrincipalName);
    assert.equal(r.account?.homeAccountId, `${alice.id}.${emu.tenantId}`);
    assert.equal(r.account?.tenantId, emu.tenantId);
    assert.deepEqual(r.scopes.sort(), ['User.Read', 'email', 'openid', 'profile'].sort());
    // msal asked for the OIDC scopes itself, and got an ID token and a refresh token (in its cache).
    assert.match(new URLSearchParams(body).get('scope')!, /offline_access/);
    assert.ok(r.idToken);
    const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, unknown> };
    assert.equal(Object.keys(cache.RefreshToken).length, 1);
  });

  it('a Microsoft Graph token: v1, aud the Graph appId, scp with the OIDC scopes, amr pwd, idtyp user, upn', async () => {
    const r = await ropc(pub.app.appId!, ['User.Read']);
    const { payload: c } = await verifyWithDiscovery(emu, r!.accessToken, '1.0');
    assert.equal(c.ver, '1.0');
    assert.equal(c.iss, `https://sts.windows.net/${emu.tenantId}/`);
    assert.equal(c.aud, '00000003-0000-0000-c000-000000000000');
    assert.equal(c.scp, 'User.Read profile openid email');
    assert.deepEqual(c.amr, ['pwd']);
    assert.equal(c.acr, '1');
    assert.equal(c.appid, pub.app.appId);
    assert.equal(c.appidacr, '0');
    assert.equal(c.idtyp, 'user');
    assert.equal(c.oid, alice.id);
    assert.equal(c.upn, alice.userPrincipalName);
    assert.equal(c.unique_name, alice.userPrincipalName);
    assert.equal(c.name, 'Alice Example');
    assert.equal(c.tid, emu.tenantId);
    assert.equal(c.roles, undefined);
    assert.equal(decodeProtectedHeader(r!.accessToken).x5t, decodeProtectedHeader(r!.accessToken).kid);
  });

  it('a v1 custom API token: aud as requested, scp the requested scopes, no OIDC scopes, no idtyp', async () => {
    const r = await ropc(pub.app.appId!, [`api://${apiV1.app.appId}/Read`]);
    const c = decodeJwt(r!.accessToken);
    assert.equal(c.ver, '1.0');
    assert.equal(c.aud, `api://${apiV1.app.appId}`);
    assert.equal(c.scp, 'Read');
    assert.deepEqual(c.amr, ['pwd']);
    assert.equal(c.appid, pub.app.appId);
    assert.equal(c.upn, alice.userPrincipalName);
    assert.equal(c.idtyp, undefined);
    assert.equal(c.app_displayname, undefined);
    assert.equal(c.azp, undefined);
    assert.deepEqual(r!.scopes, [`api://${apiV1.app.appId}/Read`]);
  });

  it('a v2 custom API token: aud the appId, azp/azpacr, preferred_username, no amr/upn/appid', async () => {
    const r = await ropc(pub.app.appId!, [`api://${apiV2.app.appId}/Read`]);
    const { payload: c, issuer } = await verifyWithDiscovery(emu, r!.accessToken, '2.0');
    assert.equal(c.iss, issuer);
    assert.equal(c.ver, '2.0');
    assert.equal(c.aud, apiV2.app.appId);
    assert.equal(c.azp, pub.app.appId);
    assert.equal(c.azpacr, '0');
    assert.equal(c.scp, 'Read');
    assert.equal(c.preferred_username, alice.userPrincipalName);
    assert.equal(c.name, 'Alice Example');
    assert.equal(c.oid, alice.id);
    for (const absent of ['amr', 'upn', 'unique_name', 'appid', 'acr', 'ipaddr']) assert.equal(c[absent], undefined, absent);
    for (const k of ['aio', 'rh', 'uti', 'sub']) assert.equal(typeof c[k], 'string', k);
  });

  it('/.default gives every consented scope of the resource', async () => {
    const r = await ropc(pub.app.appId!, [`api://${apiV1.app.appId}/.default`]);
    assert.equal(decodeJwt(r!.accessToken).scp, 'Read Write');
  });

  it('sub is pairwise: stable for a user and a client, different across clients and users; oid is the user', async () => {
    const a1 = decodeJwt((await ropc(pub.app.appId!, [`api://${apiV2.app.appId}/Read`]))!.accessToken);
    const a2 = decodeJwt((await ropc(pub.app.appId!, [`api://${apiV1.app.appId}/Read`]))!.accessToken);
    const b1 = decodeJwt((await ropc(pub2.app.appId!, [`api://${apiV2.app.appId}/Read`]))!.accessToken);
    const bob1 = decodeJwt((await ropc(pub.app.appId!, [`api://${apiV2.app.appId}/Read`], bob))!.accessToken);
    assert.match(String(a1.sub), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(a1.sub, a2.sub);
    assert.notEqual(a1.sub, b1.sub);
    assert.notEqual(a1.sub, bob1.sub);
    assert.equal(a1.oid, b1.oid);
    assert.equal(bob1.oid, bob.id);
  });

  it('the ID token: v2, aud the client, nonce-less, profile claims, the same pairwise sub', async () => {
    const r = await ropc(pub.app.appId!, ['User.Read']);
    const { payload: id } = await verifyWithDiscovery(emu, r!.idToken, '2.0');
    assert.equal(id.aud, pub.app.appId);
    assert.equal(id.ver, '2.0');
    assert.equal(id.oid, alice.id);
    assert.equal(id.preferred_username, alice.userPrincipalName);
    assert.equal(id.name, 'Alice Example');
    assert.equal(id.tid, emu.tenantId);
    assert.equal(id.sub, decodeJwt(r!.accessToken).sub);
    assert.equal(id.nonce, undefined);
    assert.equal(id.email, undefined, 'no mail on the user');
    assert.equal((id.exp as number) - (id.iat as number), 3600);
  });

  it('a confidential client signs the user in with its secret (ConfidentialClientApplication): appidacr 1', async () => {
    const app = msalApp(emu, conf.app.appId!, { clientSecret: conf.secret! });
    const r = await app.acquireTokenByUsernamePassword({
      scopes: [`api://${apiV1.app.appId}/Read`],
      username: alice.userPrincipalName,
      password: alice.password,
    });
    const c = decodeJwt(r!.accessToken);
    assert.equal(c.appid, conf.app.appId);
    assert.equal(c.appidacr, '1');
  });

  it('answers the raw request like the docs: token_type, scope, expires_in, tokens, client_info only when asked', async () => {
    const res = await passwordGrant(emu, {
      client_id: pub.app.appId!,
      username: alice.userPrincipalName,
      password: alice.password,
      scope: 'user.read openid profile offline_access',
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token']);
    assert.equal(body.scope, 'User.Read profile openid email');
    assert.equal(body.expires_in, 3599);
    assert.match(String(body.refresh_token), /^0\.[A-Za-z0-9_-]+$/);
    const withInfo = (await (
      await passwordGrant(emu, { client_id: pub.app.appId!, username: alice.userPrincipalName, password: alice.password, scope: 'User.Read', client_info: '1' })
    ).json()) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(Buffer.from(String(withInfo.client_info), 'base64url').toString()), { uid: alice.id, utid: emu.tenantId });
    assert.equal(withInfo.refresh_token, undefined, 'no offline_access, no refresh token');
    assert.equal(withInfo.id_token, undefined, 'no openid, no ID token');
  });

  it('a delegated token reaches Graph: User.Read reads /me and the organization, not the applications', async () => {
    const r = await ropc(pub.app.appId!, ['User.Read']);
    const me = await rawFetch(emu, '/v1.0/me', { token: r!.accessToken });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { id: string }).id, alice.id);
    assert.equal((await rawFetch(emu, '/v1.0/organization', { token: r!.accessToken })).status, 200);
    const apps = await rawFetch(emu, '/v1.0/applications', { token: r!.accessToken });
    assert.equal(apps.status, 403);
    assert.equal(((await apps.json()) as { error: { code: string } }).error.code, 'Authorization_RequestDenied');
  });

  // ---------------------------------------------------------------- errors

  it('a wrong password is AADSTS50126 invalid_grant, surfaced by msal-node', async () => {
    await assert.rejects(
      msalPublicApp(emu, pub.app.appId!).acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: alice.userPrincipalName, password: 'nope' }),
      (e: AuthError) => {
        assert.equal(e.errorCode, 'invalid_grant');
        assert.match(e.errorMessage, /AADSTS50126: Error validating credentials due to invalid username or password\./);
        return true;
      },
    );
    const { status, body } = await oauthError(
      await passwordGrant(emu, { client_id: pub.app.appId!, username: alice.userPrincipalName, password: ' alice-pass-1', scope: 'User.Read' }),
    );
    assert.equal(status, 400);
    assert.deepEqual(body.error_codes, [50126], 'leading whitespace is not supported by the password grant');
  });

  it('an unknown user is AADSTS50034 invalid_grant naming the tenant as the request did', async () => {
    const { status, body } = await oauthError(
      await passwordGrant(
        emu,
        { client_id: pub.app.appId!, username: 'nobody@tenantformlocal.onmicrosoft.com', password: 'x', scope: 'User.Read' },
        { tenant: 'tenantformlocal.onmicrosoft.com' },
      ),
    );
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [50034]);
    assert.match(body.error_description, /^AADSTS50034: The user account \{EmailHidden\} does not exist in the tenantformlocal\.onmicrosoft\.com directory\./);
  });

  it('a confidential client without a credential is AADSTS7000218 invalid_client (401)', async () => {
    await assert.rejects(
      msalPublicApp(emu, conf.app.appId!).acquireTokenByUsernamePassword({
        scopes: ['User.Read'],
        username: alice.userPrincipalName,
        password: alice.password,
      }),
      (e: AuthError) => e.errorCode === 'invalid_client' && /AADSTS7000218/.test(e.errorMessage),
    );
    const { status, body } = await oauthError(
      await passwordGrant(emu, { client_id: conf.app.appId!, username: alice.userPrincipalName, password: alice.password, scope: 'User.Read' }),
    );
    assert.equal(status, 401);
    assert.deepEqual(body.error_codes, [7000218]);
  });

  it('a public client sending a secret is AADSTS700025 invalid_client', async () => {
    const { status, body } = await oauthError(
      await passwordGrant(emu, {
        client_id: pub.app.appId!,
        client_secret: 'x',
        username: alice.userPrincipalName,
        password: alice.password,
        scope: 'User.Read',
      }),
    );
    assert.equal(status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [700025]);
    assert.match(body.error_description, /Client is public so neither 'client_assertion' nor 'client_secret' should be presented\./);
  });

  it('a wrong client secret is AADSTS7000215; an unknown client AADSTS700016', async () => {
    const wrong = await oauthError(
      await passwordGrant(emu, {
        client_id: conf.app.appId!,
        client_secret: 'x',
        username: alice.userPrincipalName,
        password: alice.password,
        scope: 'User.Read',
      }),
    );
    assert.deepEqual(wrong.body.error_codes, [7000215]);
    const unknown = await oauthError(
      await passwordGrant(emu, {
        client_id: '11111111-2222-3333-4444-555555555555',
        username: alice.userPrincipalName,
        password: alice.password,
        scope: 'User.Read',
      }),
    );
    assert.deepEqual(unknown.body.error_codes, [700016]);
  });

  it('scopes: two resources AADSTS28000, a scope the resource lacks AADSTS650053, an unknown resource AADSTS500011', async () => {
    const f = (scope: string) => passwordGrant(emu, { client_id: pub.app.appId!, username: alice.userPrincipalName, password: alice.password, scope });
    const two = await oauthError(await f(`User.Read api://${apiV1.app.appId}/Read`));
    assert.deepEqual(two.body.error_codes, [28000]);
    const missing = await oauthError(await f(`api://${apiV1.app.appId}/Delete`));
    assert.deepEqual(missing.body.error_codes, [650053]);
    assert.match(missing.body.error_description, new RegExp(`asked for scope 'Delete' that doesn't exist on the resource '${apiV1.app.appId}'`));
    const unknown = await oauthError(await f('api://nothing-here/Read'));
    assert.deepEqual(unknown.body.error_codes, [500011]);
    assert.deepEqual((await oauthError(await f('/.default'))).body.error_codes, [700023]);
    assert.deepEqual((await oauthError(await f(`api://${apiV1.app.appId}/.default api://${apiV1.app.appId}/Read`))).body.error_codes, [70011]);
  });

  it('a client asking for its own API by URI is AADSTS90009; by appId it gets the token', async () => {
    const self = await createApi(emu, admin, { scopes: ['access_as_user'] });
    await admin.api(`/applications/${self.app.id}`).patch({ isFallbackPublicClient: true });
    settle(emu);
    await grant(emu, admin, self.sp, self.sp, 'access_as_user');
    const f = (scope: string) => passwordGrant(emu, { client_id: self.app.appId!, username: alice.userPrincipalName, password: alice.password, scope });
    const byUri = await oauthError(await f(`api://${self.app.appId}/access_as_user`));
    assert.deepEqual(byUri.body.error_codes, [90009]);
    const byId = await f(`${self.app.appId}/access_as_user`);
    assert.equal(byId.status, 200);
    assert.equal(decodeJwt(((await byId.json()) as { access_token: string }).access_token).aud, self.app.appId);
  });

  it('the password grant over /common answers AADSTS9001023', async () => {
    const { body } = await oauthError(
      await passwordGrant(
        emu,
        { client_id: pub.app.appId!, username: alice.userPrincipalName, password: alice.password, scope: 'User.Read' },
        { tenant: 'common' },
      ),
    );
    assert.deepEqual(body.error_codes, [9001023]);
  });

  it('a disabled user is AADSTS50057; a user who must change the password AADSTS50055', async () => {
    const carol = emu.addUser({ userPrincipalName: 'carol', password: 'carol-pass-1' });
    const master = emu.tenant.users.master(carol.id)!;
    emu.tenant.users.update({ ...master, accountEnabled: false });
    settle(emu);
    const disabled = await oauthError(
      await passwordGrant(emu, { client_id: pub.app.appId!, username: carol.userPrincipalName, password: carol.password, scope: 'User.Read' }),
    );
    assert.deepEqual(disabled.body.error_codes, [50057]);

    await admin.api('/users').post({
      accountEnabled: true,
      displayName: 'Dave',
      mailNickname: 'dave',
      userPrincipalName: `dave@${emu.tenants[0].domain}`,
      passwordProfile: { password: 'Dave-pass-1', forceChangePasswordNextSignIn: true },
    });
    settle(emu);
    const expired = await oauthError(
      await passwordGrant(emu, { client_id: pub.app.appId!, username: `dave@${emu.tenants[0].domain}`, password: 'Dave-pass-1', scope: 'User.Read' }),
    );
    assert.deepEqual(expired.body.error_codes, [50055]);
  });

  // ---------------------------------------------------------------- consent

  describe('consent', () => {
    let api: ApiFixture;
    let client: ClientFixture;
    before(async () => {
      api = await createApi(emu, admin, { scopes: ['Files.Read', 'Files.Write'], requestedAccessTokenVersion: 2 });
      client = await createClient(emu, admin, { public: true });
    });
    const signIn = (user: TestUser, scope = `api://${api.app.appId}/Files.Read`) =>
      passwordGrant(emu, {
        client_id: client.app.appId!,
        username: user.userPrincipalName,
        password: user.password,
        scope: `${scope} openid profile offline_access`,
      });

    it('without a grant or pre-authorization: AADSTS65001 invalid_grant, suberror consent_required; msal-node says interaction required', async () => {
      const { status, body } = await oauthError(await signIn(alice));
      assert.equal(status, 400);
      assert.equal(body.error, 'invalid_grant');
      assert.equal(body.suberror, 'consent_required');
      assert.deepEqual(body.error_codes, [65001]);
      assert.match(
        body.error_description,
        new RegExp(
          `^AADSTS65001: The user or administrator has not consented to use the application with ID '${client.app.appId}' named '${client.app.displayName}'\\.`,
        ),
      );
      await assert.rejects(
        msalPublicApp(emu, client.app.appId!).acquireTokenByUsernamePassword({
          scopes: [`api://${api.app.appId}/Files.Read`],
          username: alice.userPrincipalName,
          password: alice.password,
        }),
        (e: InteractionRequiredAuthError) => e.name === 'InteractionRequiredAuthError' && e.subError === 'consent_required',
      );
    });

    it('a Principal grant for one user consents for that user only', async () => {
      await grant(emu, admin, client.sp, api.sp, 'Files.Read', bob.id);
      assert.equal((await signIn(bob)).status, 200);
      assert.deepEqual((await oauthError(await signIn(alice))).body.error_codes, [65001]);
      // Files.Write is not in the grant.
      assert.deepEqual((await oauthError(await signIn(bob, `api://${api.app.appId}/Files.Write`))).body.error_codes, [65001]);
    });

    it('an AllPrincipals grant consents for everyone, and .default gives its scopes', async () => {
      await grant(emu, admin, client.sp, api.sp, 'Files.Read Files.Write');
      assert.equal((await signIn(alice)).status, 200);
      const res = await signIn(alice, `api://${api.app.appId}/.default`);
      const body = (await res.json()) as { access_token: string; scope: string };
      assert.equal(decodeJwt(body.access_token).scp, 'Files.Read Files.Write');
      assert.equal(body.scope, `api://${api.app.appId}/Files.Read api://${api.app.appId}/Files.Write`);
    });

    it("the API's preAuthorizedApplications consent for the scopes they list", async () => {
      const other = await createClient(emu, admin, { public: true });
      const f = (scope: string) =>
        passwordGrant(emu, {
          client_id: other.app.appId!,
          username: alice.userPrincipalName,
          password: alice.password,
          scope: `api://${api.app.appId}/${scope}`,
        });
      assert.deepEqual((await oauthError(await f('Files.Read'))).body.error_codes, [65001]);
      await admin.api(`/applications/${api.app.id}`).patch({
        api: { preAuthorizedApplications: [{ appId: other.app.appId, delegatedPermissionIds: [api.scopeIds['Files.Read']] }] },
      });
      settle(emu);
      const res = await f('Files.Read');
      assert.equal(res.status, 200, JSON.stringify(await res.clone().json()));
      assert.equal(decodeJwt(((await res.json()) as { access_token: string }).access_token).scp, 'Files.Read');
      assert.deepEqual((await oauthError(await f('Files.Write'))).body.error_codes, [65001], 'only the pre-authorized scope');
      assert.deepEqual((await oauthError(await f('.default'))).body.error_codes, [65001], 'pre-authorization is not a grant for .default');
    });

    it('only OIDC scopes: a Graph token, which needs some consent of the client', async () => {
      const lonely = await createClient(emu, admin, { public: true });
      const f = (c: ClientFixture) =>
        passwordGrant(emu, { client_id: c.app.appId!, username: alice.userPrincipalName, password: alice.password, scope: 'openid profile' });
      assert.deepEqual((await oauthError(await f(lonely))).body.error_codes, [65001]);
      const res = await f(client);
      const body = (await res.json()) as { access_token: string; scope: string };
      const c = decodeJwt(body.access_token);
      assert.equal(c.aud, '00000003-0000-0000-c000-000000000000');
      assert.equal(c.scp, 'profile openid email');
      assert.equal(body.scope, 'profile openid email');
    });
  });

  // ---------------------------------------------------------------- optional claims

  describe('optional claims of the resource', () => {
    let api: ApiFixture;
    let plain: ApiFixture;
    before(async () => {
      api = await createApi(emu, admin, {
        requestedAccessTokenVersion: 2,
        optionalClaims: {
          accessToken: [
            { name: 'idtyp', essential: false, additionalProperties: ['include_user_token'] },
            { name: 'xms_cc', essential: false, additionalProperties: [] },
          ],
          idToken: [],
          saml2Token: [],
        },
      });
      plain = await createApi(emu, admin, {
        requestedAccessTokenVersion: 2,
        optionalClaims: { accessToken: [{ name: 'idtyp', essential: false, additionalProperties: [] }], idToken: [], saml2Token: [] },
      });
      await grant(emu, admin, pub.sp, api.sp, 'access_as_user');
      await grant(emu, admin, pub.sp, plain.sp, 'access_as_user');
    });

    it('idtyp "user" only with include_user_token', async () => {
      assert.equal(decodeJwt((await ropc(pub.app.appId!, [`api://${api.app.appId}/access_as_user`]))!.accessToken).idtyp, 'user');
      assert.equal(decodeJwt((await ropc(pub.app.appId!, [`api://${plain.app.appId}/access_as_user`]))!.accessToken).idtyp, undefined);
    });

    it('xms_cc only when the resource asks for it and the client declared cp1 (msal clientCapabilities)', async () => {
      const capable = msalPublicApp(emu, pub.app.appId!, { clientCapabilities: ['cp1'] });
      const req = (appId: string) => ({ scopes: [`api://${appId}/access_as_user`], username: alice.userPrincipalName, password: alice.password });
      assert.deepEqual(decodeJwt((await capable.acquireTokenByUsernamePassword(req(api.app.appId!)))!.accessToken).xms_cc, ['cp1']);
      assert.equal(decodeJwt((await capable.acquireTokenByUsernamePassword(req(plain.app.appId!)))!.accessToken).xms_cc, undefined);
      assert.equal(decodeJwt((await ropc(pub.app.appId!, [`api://${api.app.appId}/access_as_user`]))!.accessToken).xms_cc, undefined);
    });
  });

  it('a confidential client may authenticate with HTTP Basic instead of client_secret', async () => {
    const basic = Buffer.from(`${encodeURIComponent(conf.app.appId!)}:${encodeURIComponent(conf.secret!)}`).toString('base64');
    const res = await loginFetch(emu, `/${emu.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
      body: new URLSearchParams({
        grant_type: 'password',
        username: alice.userPrincipalName,
        password: alice.password,
        scope: `api://${apiV1.app.appId}/Read`,
      }).toString(),
    });
    assert.equal(res.status, 200);
    const c = decodeJwt(((await res.json()) as { access_token: string }).access_token);
    assert.equal(c.appid, conf.app.appId);
    assert.equal(c.appidacr, '1');
  });
});
