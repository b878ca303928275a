/**
 * verify's delegated-chain planning (src/verify/delegated.ts), without network: which applications are middle tiers,
 * which scopes each leg asks for and how they are written, which grant covers the user, which conditional access
 * policies protect the downstream API; and the claims-challenge parser of run-delegated.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LiveState } from '../../src/model/live.js';
import type { DesiredPolicy } from '../../src/model/policies.js';
import { SecretStore } from '../../src/outputs/secret-cache.js';
import { delegatedProbesFor, grantCovers, isMiddleTier, mfaPoliciesOn, ownScopes } from '../../src/verify/delegated.js';
import { delegatedFailure } from '../../src/verify/diagnose-delegated.js';
import { capolids } from '../../src/verify/run-delegated.js';
import type { WrittenConfig } from '../../src/verify/written.js';
import { desiredApp, desiredStack, location, optionalClaim, permission, scope, secret, stackApi, tenantApi } from '../helpers/builders.js';
import { liveApp, liveState, tenantSp } from '../helpers/plan-builders.js';
import { tempDir } from '../helpers/temp.js';

const DOWN = '11111111-1111-1111-1111-111111111111';
const MID = '22222222-2222-2222-2222-222222222222';
const GRAPH = '00000003-0000-0000-c000-000000000000';
const STACK = 'obo';

const downstream = desiredApp({
  stack: STACK,
  key: 'downstream',
  identifierUris: ['api://{appId}'],
  oauth2PermissionScopes: [scope({ value: 'user_impersonation' })],
});
const middle = desiredApp({
  stack: STACK,
  key: 'middle',
  identifierUris: ['api://{appId}'],
  oauth2PermissionScopes: [scope({ value: 'user_impersonation' }), scope({ value: 'admin.only' })],
  secrets: [secret()],
  permissions: [permission({ api: stackApi('downstream'), scopes: ['user_impersonation'], adminConsent: true })],
});
const spa = desiredApp({
  stack: STACK,
  key: 'spa',
  permissions: [permission({ api: stackApi('middle'), scopes: ['user_impersonation'], adminConsent: true })],
});

function policy(o: Partial<DesiredPolicy> = {}): DesiredPolicy {
  return {
    key: 'mfa',
    displayName: 'Require MFA',
    description: null,
    state: 'enabled',
    users: { includeUsers: ['All'], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [] },
    applications: { include: [{ kind: 'stack', key: 'downstream' }], exclude: [] },
    clientAppTypes: ['all'],
    grant: { operator: 'OR', builtInControls: ['mfa'] },
    location: location(),
    ...o,
  };
}

function live(extra: Partial<LiveState> = {}): LiveState {
  return {
    ...liveState({
      applications: {
        [downstream.uniqueName]: liveApp({ app: { id: 'd-obj', appId: DOWN }, servicePrincipal: { id: 'd-sp', appId: DOWN } }),
        [middle.uniqueName]: liveApp({ app: { id: 'm-obj', appId: MID }, servicePrincipal: { id: 'm-sp', appId: MID } }),
      },
      resources: {
        'Microsoft Graph': { servicePrincipal: tenantSp({ displayName: 'Microsoft Graph', appId: GRAPH, scopes: [{ value: 'User.Read' }] }) } as never,
      },
    }),
    ...extra,
  };
}

const ctx = (o: { written?: WrittenConfig; live?: LiveState } = {}) => {
  const cwd = tempDir('tenantform-delegated-');
  return { live: o.live ?? live(), written: o.written ?? { values: [], missing: [] }, secrets: new SecretStore(join(cwd, 'secrets.json')), cwd };
};

describe('verify: which applications are middle tiers', () => {
  const cases: Array<[string, Parameters<typeof desiredApp>[0], boolean]> = [
    [
      'secret + exposed scope + delegated permission on a stack API',
      { key: 'm', secrets: [secret()], oauth2PermissionScopes: [scope()], permissions: [permission({ api: stackApi('down'), scopes: ['x'] })] },
      true,
    ],
    [
      '… on Microsoft Graph',
      {
        key: 'm',
        secrets: [secret()],
        oauth2PermissionScopes: [scope()],
        permissions: [permission({ api: tenantApi('Microsoft Graph'), scopes: ['User.Read'] })],
      },
      true,
    ],
    ['no credential (a SPA)', { key: 'm', oauth2PermissionScopes: [scope()], permissions: [permission({ api: stackApi('down'), scopes: ['x'] })] }, false],
    [
      'exposes no scope (a web app calling an API)',
      { key: 'm', secrets: [secret()], permissions: [permission({ api: stackApi('down'), scopes: ['x'] })] },
      false,
    ],
    [
      'only disabled scopes',
      {
        key: 'm',
        secrets: [secret()],
        oauth2PermissionScopes: [scope({ isEnabled: false })],
        permissions: [permission({ api: stackApi('down'), scopes: ['x'] })],
      },
      false,
    ],
    [
      'only application permissions (a daemon that is also an API)',
      { key: 'm', secrets: [secret()], oauth2PermissionScopes: [scope()], permissions: [permission({ api: stackApi('down'), roles: ['R'] })] },
      false,
    ],
    [
      'delegated permission only on itself',
      { key: 'm', secrets: [secret()], oauth2PermissionScopes: [scope()], permissions: [permission({ api: stackApi('m'), scopes: ['Data.Read'] })] },
      false,
    ],
  ];
  for (const [name, app, expected] of cases) {
    it(`${expected ? 'is' : 'is not'} a middle tier: ${name}`, () => assert.equal(isMiddleTier(desiredApp(app)), expected));
  }
});

describe('verify: the delegated chain plan', () => {
  it('the seed-004 stack: one chain, the user leg by appId for the scopes the SPA asks for, the OBO leg from the written config', () => {
    const written: WrittenConfig = {
      values: [
        { file: 'out/mid.json', key: 'credentials.clientID', parts: [{ ref: { kind: 'appId', app: 'middle' } }], value: MID },
        { file: 'out/mid.json', key: 'credentials.clientSecret', parts: [{ ref: { kind: 'secret', app: 'middle', secret: 'main' } }], value: 's3cret' },
        {
          file: 'out/mid.json',
          key: 'downstreamAPI.scopes[0]',
          parts: [{ ref: { kind: 'scope', app: 'downstream', value: 'user_impersonation' } }],
          value: `api://${DOWN}/user_impersonation`,
        },
      ],
      missing: [],
    };
    const stack = desiredStack({
      name: STACK,
      applications: [downstream, middle, spa],
      conditionalAccessPolicies: [policy({ state: 'enabledForReportingButNotEnforced' })],
    });
    const chains = delegatedProbesFor(stack, ctx({ written }));
    assert.equal(chains.length, 1);
    const [c] = chains;
    assert.equal(c.label, 'obo/middle');
    assert.equal(c.appId, MID);
    assert.deepEqual(c.credential, { kind: 'secret', value: 's3cret', source: 'out/mid.json:credentials.clientSecret' });
    assert.deepEqual(c.written, { clientId: MID, clientIdSource: 'out/mid.json:credentials.clientID', authority: undefined });
    // The SPA asks for user_impersonation only (not admin.only); AADSTS90009 rules out the api:// form for itself.
    assert.deepEqual(c.user.scopes, ['user_impersonation']);
    assert.deepEqual(
      c.user.request.map((r) => r.value),
      [`${MID}/user_impersonation`],
    );
    assert.equal(c.user.api.appId, MID);
    assert.equal(c.user.grant, undefined, 'the manifest grants the middle tier nothing on itself');
    assert.equal(c.downstream.length, 1);
    const [d] = c.downstream;
    assert.equal(d.api.label, 'obo/downstream');
    assert.equal(d.api.version, 2);
    assert.deepEqual(d.request, [{ value: `api://${DOWN}/user_impersonation`, source: 'out/mid.json:downstreamAPI.scopes[0]' }]);
    assert.deepEqual(d.grant, { client: 'obo/middle', api: 'downstream', scopes: ['user_impersonation'], adminConsent: true, userConsent: [] });
    assert.deepEqual(
      d.mfaPolicies.map((m) => [m.key, m.state]),
      [['mfa', 'enabledForReportingButNotEnforced']],
    );
    assert.deepEqual(c.ownMfaPolicies, []);
  });

  it('Microsoft Graph downstream: the scope is computed on https://graph.microsoft.com; no config on disk is reported', () => {
    const mid = desiredApp({
      stack: STACK,
      key: 'middle',
      oauth2PermissionScopes: [scope({ value: 'access' })],
      secrets: [secret()],
      permissions: [
        // (the builder drops userConsent)
        { ...permission({ api: tenantApi('Microsoft Graph'), scopes: ['User.Read'] }), userConsent: [{ user: 'alice@contoso.com', location: location() }] },
      ],
      optionalClaims: { accessToken: [optionalClaim('idtyp', { additionalProperties: ['include_user_token'] })], idToken: [], saml2Token: [] },
    });
    const [c] = delegatedProbesFor(desiredStack({ name: STACK, applications: [mid] }), ctx());
    // No client asks for its scopes: all its enabled scopes.
    assert.deepEqual(c.user.scopes, ['access']);
    assert.equal(c.user.wantsUserIdtyp, true);
    const [d] = c.downstream;
    assert.equal(d.api.label, 'Microsoft Graph');
    assert.deepEqual(
      d.request.map((r) => r.value),
      ['https://graph.microsoft.com/User.Read'],
    );
    assert.match(d.request[0].source, /^computed/);
    assert.deepEqual(d.grant?.userConsent, ['alice@contoso.com']);
    assert.equal(c.credential, undefined, 'no written secret and none in the cache');
  });

  it('ownScopes: the scopes the stack’s clients ask for, else every enabled scope', () => {
    assert.deepEqual(ownScopes(desiredStack({ applications: [middle, spa] }), middle), ['user_impersonation']);
    assert.deepEqual(ownScopes(desiredStack({ applications: [middle] }), middle), ['user_impersonation', 'admin.only']);
  });

  it('grantCovers: adminConsent covers everyone; userConsent the named users, by UPN or by the object id the tenant resolves', () => {
    const base = { client: 'obo/middle', api: 'downstream', scopes: ['x'] };
    const l = live({ users: { 'c1a8c3a5-0000-0000-0000-000000000001': { id: 'c1a8c3a5-0000-0000-0000-000000000001', userPrincipalName: 'bob@contoso.com' } } });
    assert.equal(grantCovers(undefined, 'alice@contoso.com', l), false);
    assert.equal(grantCovers({ ...base, adminConsent: true, userConsent: [] }, 'alice@contoso.com', l), true);
    assert.equal(grantCovers({ ...base, adminConsent: false, userConsent: ['Alice@Contoso.com'] }, 'alice@contoso.com', l), true);
    assert.equal(grantCovers({ ...base, adminConsent: false, userConsent: ['c1a8c3a5-0000-0000-0000-000000000001'] }, 'BOB@contoso.com', l), true);
    assert.equal(grantCovers({ ...base, adminConsent: false, userConsent: ['carol@contoso.com'] }, 'alice@contoso.com', l), false);
  });
});

describe('verify: conditional access policies on the downstream API', () => {
  const stack = (policies: DesiredPolicy[]) => desiredStack({ name: STACK, applications: [downstream, middle], conditionalAccessPolicies: policies });
  const keys = (policies: DesiredPolicy[], target = { key: 'downstream' }, l = live()) => mfaPoliciesOn(stack(policies), l, target).map((p) => p.key);
  it('by key, by appId and by All; not when excluded, disabled or without mfa', () => {
    assert.deepEqual(keys([policy()]), ['mfa']);
    assert.deepEqual(keys([policy({ applications: { include: [{ kind: 'value', value: DOWN }], exclude: [] } })]), ['mfa']);
    assert.deepEqual(keys([policy({ applications: { include: [{ kind: 'value', value: 'All' }], exclude: [] } })]), ['mfa']);
    assert.deepEqual(keys([policy({ applications: { include: [{ kind: 'value', value: 'All' }], exclude: [{ kind: 'stack', key: 'downstream' }] } })]), []);
    assert.deepEqual(keys([policy({ state: 'disabled' })]), []);
    assert.deepEqual(keys([policy({ grant: { operator: 'OR', builtInControls: ['compliantDevice'] } })]), []);
    assert.deepEqual(keys([policy()], { key: 'middle' }), []);
  });
  it('the live policy id comes from the ownership marker (the claims challenge names it in capolids)', () => {
    const l = live({
      conditionalAccess: {
        policies: [
          { id: 'pol-1', description: `tenantform:stack=${STACK};policy=mfa text` },
          { id: 'pol-2', description: 'tenantform:stack=other;policy=mfa' },
        ],
      },
    });
    assert.deepEqual(mfaPoliciesOn(stack([policy()]), l, { key: 'downstream' }), [{ key: 'mfa', displayName: 'Require MFA', id: 'pol-1', state: 'enabled' }]);
  });
});

describe('verify: the claims challenge', () => {
  const cases: Array<[string, string | undefined, string[]]> = [
    ['capolids (msal-js#5491)', '{"access_token":{"capolids":{"essential":true,"values":["AB-1","cd-2"]}}}', ['ab-1', 'cd-2']],
    ['polids (the docs’ older shape)', '{"access_token":{"polids":{"essential":true,"values":["x"]}}}', ['x']],
    ['no claims', undefined, []],
    ['not JSON', 'nope', []],
    ['another claim', '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}', []],
  ];
  for (const [name, claims, ids] of cases) it(name, () => assert.deepEqual(capolids(claims), ids));
});

describe('verify: delegated diagnoses', () => {
  const chain = () => delegatedProbesFor(desiredStack({ name: STACK, applications: [downstream, middle, spa] }), ctx())[0];
  const diag = { tenantId: 't', authorityHost: 'https://login.microsoftonline.com', manifests: 'm.yaml', upn: 'alice@contoso.com', live: live(), local: false };
  const fail = (codes: number[], o: Partial<{ error: string; suberror: string }> = {}) => ({
    ok: false as const,
    status: 400,
    error: o.error ?? 'invalid_grant',
    codes,
    description: 'd',
    ...(o.suberror ? { suberror: o.suberror } : {}),
  });
  it('AADSTS65001 on the OBO leg the manifest grants: re-run apply; not granted for this user: add them to userConsent', () => {
    const c = chain();
    const granted = delegatedFailure(c, c.downstream[0], 'obo', fail([65001], { suberror: 'consent_required' }), diag);
    assert.equal(granted.code, 'consent-missing');
    assert.match(granted.next, /^The manifest grants it \(adminConsent: true\) but the tenant does not hold it: re-run `tenantform apply m\.yaml`/);
    const leg = { ...c.downstream[0], grant: { ...c.downstream[0].grant!, adminConsent: false, userConsent: ['bob@contoso.com'] } };
    assert.match(
      delegatedFailure(c, leg, 'obo', fail([65001]), diag).next,
      /^The manifest consents only for bob@contoso\.com: add alice@contoso\.com to userConsent/,
    );
  });
  it('AADSTS65001 on the user leg without a grant names the grant on itself and the UNCONFIRMED Entra behaviour', () => {
    const c = chain();
    const d = delegatedFailure(c, c.user, 'user', fail([65001]), diag);
    assert.match(d.next, /^Grant it in the manifest — permissions: \[\{ api: middle, scopes: \[user_impersonation\], adminConsent: true \}\] of obo\/middle/);
    assert.match(d.next, /UNCONFIRMED/);
  });
  const cases: Array<[number, 'user' | 'obo', string]> = [
    [50126, 'user', 'wrong-password'],
    [50034, 'user', 'user-not-found'],
    [50057, 'user', 'user-blocked'],
    [50076, 'user', 'mfa-at-sign-in'],
    [700025, 'user', 'client-not-confidential'],
    [7000222, 'obo', 'secret-expired'],
    [7000215, 'user', 'secret-invalid'],
    [99999, 'obo', 'token-error'],
  ];
  for (const [code, leg, expected] of cases) {
    it(`AADSTS${code} at the ${leg} leg → ${expected}`, () => {
      const c = chain();
      assert.equal(delegatedFailure(c, leg === 'user' ? c.user : c.downstream[0], leg, fail([code]), diag).code, expected);
    });
  }
  it('user-not-found in the local tenant says how to add a test user', () => {
    const c = chain();
    assert.match(
      delegatedFailure(c, c.user, 'user', fail([50034]), { ...diag, local: true }).next,
      /^Add a test user to the local tenant — `tenantform emulator --user alice:<password>`/,
    );
  });
});
