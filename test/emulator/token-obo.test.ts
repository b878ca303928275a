import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { AuthError, InteractionRequiredAuthError } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { uniqueName } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { createMiddleTier, oboGrant, tokenSession, withSignIn, type MiddleTierFixture } from '../helpers/obo.js';
import { addCert, makeCert, msalApp, verifyWithDiscovery, type OAuthErrorBody } from '../helpers/tokens.js';
import { createApi, createClient, createPolicy, grant, passwordGrant, type ApiFixture, type ClientFixture } from '../helpers/users.js';

/**
 * The On-Behalf-Of grant (login/obo-grant.ts) through msal-node's ConfidentialClientApplication.acquireTokenOnBehalfOf
 * and raw requests: docs/emulator-fidelity.md "On-Behalf-Of". The chain: a public client signs the user in with the
 * password grant for the middle tier; the middle tier exchanges that token for one for a downstream API.
 */

type ErrorBody = OAuthErrorBody & { suberror?: string; claims?: string };
const error = async (res: Response) => ({ status: res.status, body: (await res.json()) as ErrorBody });
const scopeOf = (api: ApiFixture) => `api://${api.app.appId}/access_as_user`;

describe('token endpoint: On-Behalf-Of', () => {
  let admin: Client;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let frontend: ClientFixture;
  let middle: MiddleTierFixture;
  let middleV1: MiddleTierFixture;
  let downstream: ApiFixture;
  let downstreamV1: ApiFixture;

  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    alice = emu.addUser({ userPrincipalName: 'alice', displayName: 'Alice Example', password: 'alice-pass-1', mfa: true });
    bob = emu.addUser({ userPrincipalName: 'bob', password: 'bob-pass-1', mfa: true });
    // No MFA method: a policy requiring MFA asks for enrollment (AADSTS50079).
    carol = emu.addUser({ userPrincipalName: 'carol', password: 'carol-pass-1' });
    frontend = await createClient(emu, admin, { public: true, displayName: uniqueName('frontend') });
    middle = await createMiddleTier(emu, admin, { displayName: uniqueName('middle-tier') });
    middleV1 = await createMiddleTier(emu, admin, { requestedAccessTokenVersion: 1 });
    downstream = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    downstreamV1 = await createApi(emu, admin, { requestedAccessTokenVersion: 1 });
    for (const m of [middle, middleV1]) {
      await grant(emu, admin, frontend.sp, m.sp, 'access_as_user');
      await grant(emu, admin, m.sp, downstream.sp, 'access_as_user');
      await grant(emu, admin, m.sp, downstreamV1.sp, 'access_as_user');
    }
  });

  /** The user's access token for `api` through the frontend (the password grant: only a password). */
  const userToken = async (api: ApiFixture, user: TestUser = alice): Promise<string> => {
    const res = await passwordGrant(emu, { client_id: frontend.app.appId!, username: user.userPrincipalName, password: user.password, scope: scopeOf(api) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const obo = (m: MiddleTierFixture, assertion: string, scopes: string[]) =>
    msalApp(emu, m.app.appId!, { clientSecret: m.secret }).acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes });
  const rawObo = (m: MiddleTierFixture, assertion: string, scope: string, extra: Record<string, string> = {}) =>
    oboGrant(emu, { client_id: m.app.appId!, client_secret: m.secret, assertion, scope, ...extra });
  /** A downstream API of its own (policies of one test must not reach another), consented for the middle tier. */
  const freshDownstream = async (m: MiddleTierFixture = middle): Promise<ApiFixture> => {
    const api = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    await grant(emu, admin, m.sp, api.sp, 'access_as_user');
    return api;
  };
  const mfaPolicy = (apis: ApiFixture[], state = 'enabled') =>
    createPolicy(emu, admin, { state, conditions: { applications: { includeApplications: apis.map((a) => a.app.appId) } } });

  it('msal-node acquireTokenOnBehalfOf: a delegated token for the downstream API, for the same user, with the middle tier as azp', async () => {
    const assertion = await userToken(middle);
    const r = await obo(middle, assertion, [scopeOf(downstream)]);
    assert.ok(r?.accessToken);
    const { payload: claims, issuer } = await verifyWithDiscovery(emu, r.accessToken);
    const a = decodeJwt(assertion);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.ver, '2.0');
    assert.equal(claims.aud, downstream.app.appId);
    assert.equal(claims.azp, middle.app.appId);
    assert.equal(claims.azpacr, '1');
    assert.equal(claims.oid, alice.id);
    assert.equal(claims.oid, a.oid);
    assert.equal(claims.tid, emu.tenantId);
    assert.equal(claims.scp, 'access_as_user');
    assert.equal(claims.name, 'Alice Example');
    assert.equal(claims.preferred_username, alice.userPrincipalName);
    // sub is pairwise per client application: the middle tier's, not the frontend's.
    assert.notEqual(claims.sub, a.sub);
    assert.equal(claims.appid, undefined);
    assert.deepEqual(r.scopes, [scopeOf(downstream)]);
    // msal asked for openid/profile/offline_access too: an ID token (the account) came with it.
    assert.equal(r.account?.homeAccountId, `${alice.id}.${emu.tenantId}`);
    // The sign-in travels on in aio: the password grant's (a password, a native client).
    assert.deepEqual(tokenSession(emu, r.accessToken), {
      authMethods: ['pwd'],
      // The sign-in's time; the assertion's iat is back-dated 5 minutes, as Entra's are (issue 10).
      authTime: (a.iat as number) + 300,
      clientAppType: 'mobileAppsAndDesktopClients',
    });
    // Asked again with the same assertion, msal answers from its cache (OBO tokens are cached per assertion).
    const again = await obo(middle, assertion, [scopeOf(downstream)]);
    assert.ok(again?.accessToken);
  });

  it('the raw answer: scope as requested, a refresh token only with offline_access, an ID token only with openid', async () => {
    const assertion = await userToken(middle);
    const bare = await rawObo(middle, assertion, scopeOf(downstream));
    assert.equal(bare.status, 200);
    assert.match(bare.headers.get('cache-control') ?? '', /no-store/);
    const b = (await bare.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(b).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'scope', 'token_type']);
    assert.equal(b.token_type, 'Bearer');
    assert.equal(b.scope, scopeOf(downstream));
    const full = (await (await rawObo(middle, assertion, `${scopeOf(downstream)} openid profile offline_access`, { client_info: '1' })).json()) as Record<
      string,
      string
    >;
    assert.match(full.refresh_token, /^0\./);
    assert.equal(decodeJwt(full.id_token).aud, middle.app.appId);
    assert.equal(decodeJwt(full.id_token).oid, alice.id);
    assert.deepEqual(JSON.parse(Buffer.from(full.client_info, 'base64url').toString()), { uid: alice.id, utid: emu.tenantId });
    // `.default`: every scope the middle tier holds consent for.
    const dflt = (await (await rawObo(middle, assertion, `api://${downstream.app.appId}/.default`)).json()) as { access_token: string };
    assert.equal(decodeJwt(dflt.access_token).scp, 'access_as_user');
  });

  it('a v1 downstream API: appid/appidacr, amr, aud as requested; a v1 assertion whose aud is the identifier URI', async () => {
    const assertion = await userToken(middleV1);
    assert.equal(decodeJwt(assertion).aud, `api://${middleV1.app.appId}`);
    const r = await obo(middleV1, assertion, [scopeOf(downstreamV1)]);
    const claims = decodeJwt(r!.accessToken);
    assert.equal(decodeProtectedHeader(r!.accessToken).x5t, decodeProtectedHeader(r!.accessToken).kid);
    assert.equal(claims.ver, '1.0');
    assert.equal(claims.aud, `api://${downstreamV1.app.appId}`);
    assert.equal(claims.appid, middleV1.app.appId);
    assert.equal(claims.appidacr, '1');
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.upn, alice.userPrincipalName);
    assert.equal(claims.oid, alice.id);
  });

  it('a certificate (client assertion) authenticates the middle tier: azpacr "2"', async () => {
    const cert = await makeCert();
    addCert(emu, middle.app, cert);
    const cca = msalApp(emu, middle.app.appId!, { clientCertificate: { thumbprintSha256: cert.sha256Hex, privateKey: cert.keyPem } });
    const r = await cca.acquireTokenOnBehalfOf({ oboAssertion: await userToken(middle), scopes: [scopeOf(downstream)] });
    assert.equal(decodeJwt(r!.accessToken).azpacr, '2');
  });

  it('AADSTS500131: the assertion must be a token for the calling application', async () => {
    const other = await createMiddleTier(emu, admin, { displayName: uniqueName('other-middle') });
    const assertion = await userToken(middle);
    const { status, body } = await error(await rawObo(other, assertion, scopeOf(downstream)));
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [500131]);
    assert.match(
      body.error_description,
      new RegExp(
        `^AADSTS500131: Assertion audience does not match the Client app presenting the assertion\\. The audience in the assertion was '${middle.app.appId}' ` +
          `and the expected audience is '${other.app.appId}' or one of the Application Uris of this application with App ID '${other.app.appId}'\\(${other.app.displayName}\\)\\.`,
      ),
    );
    await assert.rejects(obo(other, assertion, [scopeOf(downstream)]), (e: AuthError) => {
      assert.equal(e.errorCode, 'invalid_grant');
      assert.match(e.errorMessage, /AADSTS500131/);
      return true;
    });
  });

  it('AADSTS65001: the middle tier needs consent on the downstream API (admin consent, or this user’s)', async () => {
    const api = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    const assertion = await userToken(middle);
    const { status, body } = await error(await rawObo(middle, assertion, scopeOf(api)));
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [65001]);
    assert.equal(body.suberror, 'consent_required');
    assert.match(
      body.error_description,
      new RegExp(`^AADSTS65001: The user or administrator has not consented to use the application with ID '${middle.app.appId}'`),
    );
    await assert.rejects(obo(middle, assertion, [scopeOf(api)]), (e: InteractionRequiredAuthError) => {
      assert.equal(e.name, 'InteractionRequiredAuthError');
      assert.equal(e.subError, 'consent_required');
      return true;
    });
    // Alice's own consent (a Principal grant) covers her, not Bob.
    await grant(emu, admin, middle.sp, api.sp, 'access_as_user', alice.id);
    assert.equal((await rawObo(middle, await userToken(middle), scopeOf(api))).status, 200);
    assert.deepEqual((await error(await rawObo(middle, await userToken(middle, bob), scopeOf(api)))).body.error_codes, [65001]);
  });

  it('conditional access requiring MFA on the downstream API, password-only assertion: the exact claims challenge (AADSTS50076)', async () => {
    const api = await freshDownstream();
    const policy = await mfaPolicy([api]);
    // The policy targets the downstream API only: the user still signs in to the middle tier with a password.
    const assertion = await userToken(middle);
    const { status, body } = await error(await rawObo(middle, assertion, scopeOf(api)));
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [50076]);
    assert.equal(body.suberror, 'basic_action');
    assert.equal(body.claims, JSON.stringify({ access_token: { capolids: { essential: true, values: [policy.id] } } }));
    assert.match(body.error_description, new RegExp(`^AADSTS50076: .*you must use multi-factor authentication to access '${api.app.appId}'\\.`));
    await assert.rejects(obo(middle, assertion, [scopeOf(api)]), (e: InteractionRequiredAuthError) => {
      assert.equal(e.name, 'InteractionRequiredAuthError');
      assert.equal(e.errorCode, 'invalid_grant');
      assert.equal(e.subError, 'basic_action');
      assert.deepEqual(JSON.parse(e.claims), { access_token: { capolids: { essential: true, values: [policy.id] } } });
      return true;
    });
    // Sending the challenge back does not help: the middle tier cannot do MFA for the user.
    assert.deepEqual((await error(await rawObo(middle, assertion, scopeOf(api), { claims: body.claims! }))).body.error_codes, [50076]);
    // A user without an MFA method is asked to enroll.
    const noMethod = await error(await rawObo(middle, await userToken(middle, carol), scopeOf(api)));
    assert.equal(noMethod.body.error, 'interaction_required');
    assert.deepEqual(noMethod.body.error_codes, [50079]);
    assert.deepEqual(JSON.parse(noMethod.body.claims!).access_token.capolids.values, [policy.id]);
  });

  it('a report-only policy never enforces: the exchange succeeds', async () => {
    const api = await freshDownstream();
    await mfaPolicy([api], 'enabledForReportingButNotEnforced');
    const r = await obo(middle, await userToken(middle), [scopeOf(api)]);
    assert.equal(decodeJwt(r!.accessToken).aud, api.app.appId);
  });

  it('an assertion from an MFA sign-in satisfies the policy, and the OBO token carries the MFA on to the next hop', async () => {
    // Two hops: middle → second (itself a middle tier) → third; one policy requires MFA for both downstream APIs.
    const second = await createMiddleTier(emu, admin);
    await grant(emu, admin, middle.sp, second.sp, 'access_as_user');
    const third = await freshDownstream(second);
    await mfaPolicy([second, third]);
    // TEST-ONLY: the authorization code flow's MFA sign-in, as a token recording it (helpers/obo.ts withSignIn).
    const assertion = await withSignIn(emu, await userToken(middle), { authMethods: ['pwd', 'mfa'] });
    const hop1 = await obo(middle, assertion, [scopeOf(second)]);
    assert.equal(decodeJwt(hop1!.accessToken).oid, alice.id);
    assert.deepEqual(tokenSession(emu, hop1!.accessToken)?.authMethods, ['pwd', 'mfa']);
    assert.equal(tokenSession(emu, hop1!.accessToken)?.clientAppType, 'browser');
    const hop2 = await obo(second, hop1!.accessToken, [scopeOf(third)]);
    const claims = decodeJwt(hop2!.accessToken);
    assert.equal(claims.aud, third.app.appId);
    assert.equal(claims.azp, second.app.appId);
    assert.equal(claims.oid, alice.id);
    // The same chain from a password-only sign-in meets the challenge at the first hop.
    assert.deepEqual((await error(await rawObo(middle, await userToken(middle), scopeOf(second)))).body.error_codes, [50076]);
  });

  it("a v1 assertion's amr says MFA too (when aio records nothing)", async () => {
    const api = await freshDownstream(middleV1);
    await mfaPolicy([api]);
    const assertion = await withSignIn(emu, await userToken(middleV1), { authMethods: ['pwd', 'mfa'], aio: false });
    assert.equal(tokenSession(emu, assertion), undefined);
    const r = await obo(middleV1, assertion, [scopeOf(api)]);
    assert.deepEqual(tokenSession(emu, r!.accessToken)?.authMethods, ['pwd', 'mfa']);
  });

  it('an application token as the assertion is refused (AADSTS50013): OBO is for users', async () => {
    const daemon = await createClient(emu, admin);
    const app = await msalApp(emu, daemon.app.appId!, { clientSecret: daemon.secret! }).acquireTokenByClientCredential({
      scopes: [`api://${middle.app.appId}/.default`],
    });
    assert.equal(decodeJwt(app!.accessToken).aud, middle.app.appId);
    const { status, body } = await error(await rawObo(middle, app!.accessToken, scopeOf(downstream)));
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [50013]);
    assert.match(body.error_description, /application token/);
  });

  it('an ID token as the assertion: AADSTS240002', async () => {
    // The middle tier signs the user in itself (a confidential client's password grant): its ID token names it.
    const res = await passwordGrant(emu, {
      client_id: middle.app.appId!,
      client_secret: middle.secret,
      username: alice.userPrincipalName,
      password: alice.password,
      scope: 'openid profile',
    });
    const idToken = ((await res.json()) as { id_token: string }).id_token;
    assert.equal(decodeJwt(idToken).aud, middle.app.appId);
    const { body } = await error(await rawObo(middle, idToken, scopeOf(downstream)));
    assert.deepEqual(body.error_codes, [240002]);
    assert.match(body.error_description, /^AADSTS240002: Input id_token cannot be used as 'urn:ietf:params:oauth:grant-type:jwt-bearer' grant\./);
  });

  it('AADSTS50013 for a tampered signature, an unknown key and a token that is not a JWT', async () => {
    const assertion = await userToken(middle);
    const [h, p, s] = assertion.split('.');
    const tampered = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const bad = await error(await rawObo(middle, tampered, scopeOf(downstream)));
    assert.equal(bad.body.error, 'invalid_grant');
    assert.deepEqual(bad.body.error_codes, [50013]);
    assert.match(
      bad.body.error_description,
      /^AADSTS50013: Assertion failed signature validation\. \[Reason - The provided signature value did not match the expected signature value\., Thumbprint of key used by client: '[0-9A-F]{40}', Found key 'Start=\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d, End=\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d'\]/,
    );
    const foreignHeader = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(assertion), kid: 'bm90LW91ci1rZXk' })).toString('base64url');
    const unknown = await error(await rawObo(middle, `${foreignHeader}.${p}.${s}`, scopeOf(downstream)));
    assert.match(unknown.body.error_description, /^AADSTS50013: Assertion failed signature validation\. \[Reason - The key was not found\./);
    assert.deepEqual((await error(await rawObo(middle, 'not-a-jwt', scopeOf(downstream)))).body.error_codes, [50013]);
  });

  it('parameters and client authentication: requested_token_use, assertion, a credential', async () => {
    const assertion = await userToken(middle);
    const missingUse = await error(
      await oboGrant(emu, { client_id: middle.app.appId!, client_secret: middle.secret, assertion, scope: scopeOf(downstream), requested_token_use: '' }),
    );
    assert.deepEqual(missingUse.body.error_codes, [900144]);
    assert.match(missingUse.body.error_description, /'requested_token_use'/);
    const otherUse = await rawObo(middle, assertion, scopeOf(downstream), { requested_token_use: 'something_else' });
    assert.equal(otherUse.status, 501);
    assert.equal(((await otherUse.json()) as { error: string }).error, 'not_implemented');
    const noAssertion = await error(await oboGrant(emu, { client_id: middle.app.appId!, client_secret: middle.secret, scope: scopeOf(downstream) }));
    assert.match(noAssertion.body.error_description, /^AADSTS900144: .*'assertion'/);
    const noCredential = await error(await oboGrant(emu, { client_id: middle.app.appId!, assertion, scope: scopeOf(downstream) }));
    assert.equal(noCredential.status, 401);
    assert.deepEqual(noCredential.body.error_codes, [7000218]);
    const wrongSecret = await error(await oboGrant(emu, { client_id: middle.app.appId!, client_secret: 'nope', assertion, scope: scopeOf(downstream) }));
    assert.deepEqual(wrongSecret.body.error_codes, [7000215]);
  });

  it('the request log never holds the assertion or the issued token', async () => {
    const mark = emu.requestLog.mark();
    const assertion = await userToken(middle);
    const res = (await (await rawObo(middle, assertion, scopeOf(downstream))).json()) as { access_token: string };
    const logged = JSON.stringify(emu.requestLog.since(mark));
    assert.ok(logged.includes('"assertion"'), 'the field name is logged');
    for (const secret of [assertion, res.access_token, middle.secret, assertion.split('.')[2]]) assert.ok(!logged.includes(secret));
  });
});

describe('token endpoint: On-Behalf-Of with an expired assertion', () => {
  // Its own emulator: moving the clock past the assertion's expiry also expires every token other tests hold.
  const emu = useEmulator();

  it('AADSTS500133: an expired assertion (at its expiry second, no skew)', async () => {
    const admin = graphClient(emu);
    const user = emu.addUser({ userPrincipalName: 'dave', password: 'dave-pass-1' });
    const frontend = await createClient(emu, admin, { public: true });
    const middle = await createMiddleTier(emu, admin);
    const downstream = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    await grant(emu, admin, frontend.sp, middle.sp, 'access_as_user');
    await grant(emu, admin, middle.sp, downstream.sp, 'access_as_user');
    const res = await passwordGrant(emu, { client_id: frontend.app.appId!, username: user.userPrincipalName, password: user.password, scope: scopeOf(middle) });
    const assertion = ((await res.json()) as { access_token: string }).access_token;
    const fields = { client_id: middle.app.appId!, client_secret: middle.secret, assertion, scope: scopeOf(downstream) };
    const exp = Number(decodeJwt(assertion).exp);
    emu.clock.advance(exp * 1000 - 1000 - emu.clock.now());
    assert.equal((await oboGrant(emu, fields)).status, 200, 'valid one second before');
    emu.clock.advance(1000);
    const { status, body } = await error(await oboGrant(emu, fields));
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [500133]);
    assert.match(
      body.error_description,
      /^AADSTS500133: Assertion is not within its valid time range\. Ensure that the access token is not expired before using it for user assertion, or request a new token\. Current time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z, expiry time of assertion \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000Z\./,
    );
  });
});
