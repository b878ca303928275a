import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { InteractionRequiredAuthError } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { evaluateConditionalAccess } from '../../src/emulator/login/ca-evaluation.js';
import { settle } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import type { OAuthErrorBody } from '../helpers/tokens.js';
import { createApi, createClient, createPolicy, grant, msalPublicApp, passwordGrant, type ApiFixture, type ClientFixture } from '../helpers/users.js';

/**
 * Conditional access evaluated at delegated token issuance (login/ca-evaluation.ts), seen through the password grant,
 * which cannot do MFA: docs/emulator-fidelity.md "Conditional access at sign-in". Each test gets its own API so the
 * policies of one do not reach another.
 */

type ErrorBody = OAuthErrorBody & { suberror?: string; claims?: string };

describe('token endpoint: conditional access on user sign-ins', () => {
  let admin: Client;
  let mfaUser: TestUser;
  let plainUser: TestUser;
  let client: ClientFixture;

  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    mfaUser = emu.addUser({ userPrincipalName: 'mfa-user', password: 'mfa-pass-1', mfa: true });
    plainUser = emu.addUser({ userPrincipalName: 'plain-user', password: 'plain-pass-1' });
    client = await createClient(emu, admin, { public: true });
  });

  /** An API the client holds consent for, so only conditional access can refuse. */
  const api = async (): Promise<ApiFixture> => {
    const a = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    await grant(emu, admin, client.sp, a.sp, 'access_as_user');
    return a;
  };
  const signIn = (a: ApiFixture, user: TestUser = mfaUser) =>
    passwordGrant(emu, {
      client_id: client.app.appId!,
      username: user.userPrincipalName,
      password: user.password,
      scope: `api://${a.app.appId}/access_as_user`,
    });
  const error = async (res: Response) => ({ status: res.status, body: (await res.json()) as ErrorBody });
  const appPolicy = (a: ApiFixture, extra: Record<string, unknown> = {}, conditions: Record<string, unknown> = {}) =>
    createPolicy(emu, admin, { ...extra, conditions: { applications: { includeApplications: [a.app.appId] }, ...conditions } });

  it('an enabled policy requiring MFA: 400 invalid_grant AADSTS50076, suberror basic_action, the capolids claims challenge', async () => {
    const a = await api();
    const policy = await appPolicy(a);
    const { status, body } = await error(await signIn(a));
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [50076]);
    assert.equal(body.suberror, 'basic_action');
    assert.match(
      body.error_description,
      new RegExp(
        `^AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${a.app.appId}'\\.`,
      ),
    );
    assert.deepEqual(JSON.parse(body.claims!), { access_token: { capolids: { essential: true, values: [policy.id] } } });
  });

  it('msal-node surfaces the claims challenge on its InteractionRequiredAuthError', async () => {
    const a = await api();
    const policy = await appPolicy(a);
    await assert.rejects(
      msalPublicApp(emu, client.app.appId!).acquireTokenByUsernamePassword({
        scopes: [`api://${a.app.appId}/access_as_user`],
        username: mfaUser.userPrincipalName,
        password: mfaUser.password,
      }),
      (e: InteractionRequiredAuthError) => {
        assert.equal(e.name, 'InteractionRequiredAuthError');
        assert.equal(e.errorCode, 'invalid_grant');
        assert.equal(e.subError, 'basic_action');
        assert.deepEqual(JSON.parse(e.claims), { access_token: { capolids: { essential: true, values: [policy.id] } } });
        return true;
      },
    );
  });

  it('sending the challenge back does not help: the password grant cannot do MFA', async () => {
    const a = await api();
    const policy = await appPolicy(a);
    const claims = JSON.stringify({ access_token: { capolids: { essential: true, values: [policy.id] } } });
    const res = await passwordGrant(emu, {
      client_id: client.app.appId!,
      username: mfaUser.userPrincipalName,
      password: mfaUser.password,
      scope: `api://${a.app.appId}/access_as_user`,
      claims,
    });
    assert.deepEqual((await error(res)).body.error_codes, [50076]);
  });

  it('a user without an MFA method: AADSTS50079 interaction_required with the same challenge', async () => {
    const a = await api();
    const policy = await appPolicy(a);
    const { status, body } = await error(await signIn(a, plainUser));
    assert.equal(status, 400);
    assert.equal(body.error, 'interaction_required');
    assert.deepEqual(body.error_codes, [50079]);
    assert.equal(body.suberror, 'basic_action');
    assert.match(body.error_description, /you must enroll in multi-factor authentication to access/);
    assert.deepEqual(JSON.parse(body.claims!).access_token.capolids.values, [policy.id]);
  });

  it('report-only and disabled policies never enforce', async () => {
    const a = await api();
    await appPolicy(a, { state: 'enabledForReportingButNotEnforced' });
    await appPolicy(a, { state: 'disabled', grantControls: { operator: 'OR', builtInControls: ['block'] } });
    const res = await signIn(a);
    assert.equal(res.status, 200);
    assert.equal(decodeJwt(((await res.json()) as { access_token: string }).access_token).aud, a.app.appId);
  });

  it('block: AADSTS53003 invalid_grant, suberror message_only, naming the blocking policy', async () => {
    const a = await api();
    const mfa = await appPolicy(a);
    const block = await appPolicy(a, { grantControls: { operator: 'OR', builtInControls: ['block'] } });
    const { status, body } = await error(await signIn(a));
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [53003]);
    assert.equal(body.suberror, 'message_only');
    assert.match(
      body.error_description,
      /^AADSTS53003: Access has been blocked by Conditional Access policies\. The access policy does not allow token issuance\./,
    );
    assert.deepEqual(JSON.parse(body.claims!).access_token.capolids.values, [block.id]);
    assert.notEqual(block.id, mfa.id);
  });

  it('a policy that excludes the user, or excludes the application, or targets another application does not apply', async () => {
    const a = await api();
    await appPolicy(a, {}, { users: { includeUsers: ['All'], excludeUsers: [mfaUser.id] } });
    assert.equal((await signIn(a)).status, 200);
    assert.deepEqual((await error(await signIn(a, plainUser))).body.error_codes, [50079], 'the policy still applies to other users');

    const b = await api();
    await appPolicy(b, {}, { applications: { includeApplications: ['All'], excludeApplications: [b.app.appId] }, users: { includeUsers: [plainUser.id] } });
    assert.equal((await signIn(b, plainUser)).status, 200);
  });

  it('a policy for one user applies to that user; clientAppTypes that exclude native clients do not apply', async () => {
    const a = await api();
    await appPolicy(a, {}, { users: { includeUsers: [plainUser.id] } });
    assert.equal((await signIn(a)).status, 200);
    assert.deepEqual((await error(await signIn(a, plainUser))).body.error_codes, [50079]);

    const b = await api();
    await appPolicy(b, {}, { clientAppTypes: ['browser'] });
    assert.equal((await signIn(b)).status, 200, 'a browser-only policy does not cover the password grant');
  });

  it('operator OR with a control the emulator cannot satisfy still asks for MFA; a device control alone answers AADSTS53000', async () => {
    const a = await api();
    await appPolicy(a, { grantControls: { operator: 'OR', builtInControls: ['mfa', 'compliantDevice'] } });
    assert.deepEqual((await error(await signIn(a))).body.error_codes, [50076]);

    const b = await api();
    const device = await appPolicy(b, { grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] } });
    const { body } = await error(await signIn(b));
    assert.deepEqual(body.error_codes, [53000]);
    assert.deepEqual(JSON.parse(body.claims!).access_token.capolids.values, [device.id]);
  });

  it('a policy created a moment ago is not enforced until it has replicated', async () => {
    emu.faults.options.replicationLagMs = 500;
    try {
      const a = await api();
      await admin.api('/identity/conditionalAccess/policies').post({
        displayName: 'lagging',
        state: 'enabled',
        conditions: { clientAppTypes: ['all'], applications: { includeApplications: [a.app.appId] }, users: { includeUsers: ['All'] } },
        grantControls: { operator: 'OR', builtInControls: ['mfa'] },
      });
      assert.equal((await signIn(a)).status, 200);
      settle(emu);
      assert.deepEqual((await error(await signIn(a))).body.error_codes, [50076]);
    } finally {
      emu.faults.options.replicationLagMs = 0;
    }
  });

  it('the evaluation is a function of the sign-in: MFA done satisfies the policy (what the authorize endpoint will use)', async () => {
    const a = await api();
    const policy = await appPolicy(a);
    const facts = { userId: mfaUser.id, resourceAppId: a.app.appId!, clientAppType: 'browser' as const, userHasMfaMethod: true };
    assert.deepEqual(evaluateConditionalAccess(emu.tenant, { ...facts, mfaDone: false }), { kind: 'mfa', policyIds: [policy.id], enrollmentRequired: false });
    const done = evaluateConditionalAccess(emu.tenant, { ...facts, mfaDone: true });
    assert.equal(done.kind, 'allow');
  });

  it('a condition the emulator cannot evaluate (locations) on an applying policy answers 501', async () => {
    const a = await api();
    await appPolicy(a, {}, { locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } });
    const res = await signIn(a);
    assert.equal(res.status, 501);
    assert.equal(((await res.json()) as { error: string }).error, 'not_implemented');
  });
});
