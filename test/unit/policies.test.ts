/**
 * Conditional access policies, offline: validation (rules-policies.ts, fixtures under test/fixtures/invalid/policies),
 * normalization, the diff against marked live policies (plan/diff-policies.ts), the plan-time refusals
 * (plan/policy-access.ts) and the destroy order.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../../src/errors.js';
import type { LiveState } from '../../src/model/live.js';
import { parsePolicyMarker, policyMarker } from '../../src/model/policies.js';
import { createDestroyPlan } from '../../src/plan/destroy.js';
import { diffStacks, type PlanInputs } from '../../src/plan/diff.js';
import { policyBody } from '../../src/plan/diff-policies.js';
import { toPlanStack } from '../../src/plan/input.js';
import type { Change } from '../../src/plan/types.js';
import { fixtureTests, type FixtureCase } from '../helpers/fixtures.js';
import { check } from '../helpers/manifests.js';
import { convergedLive } from '../helpers/plan-builders.js';

const DIR = 'test/fixtures/invalid/policies';
const cases: Record<string, FixtureCase> = {
  'unknown-app': {
    code: 'dangling-reference',
    line: 9,
    column: 31,
    message:
      'Policy "mfa" names the application "apii", which is neither an application of this manifest, an appId nor one of All, None, Office365, MicrosoftAdminPortals',
  },
  'user-not-a-user': {
    code: 'invalid-value',
    line: 7,
    column: 17,
    message: 'Policy "mfa" names the user "breakglass", which is neither a userPrincipalName nor an object id',
  },
  'block-combined': {
    code: 'invalid-value',
    line: 8,
    column: 17,
    message: 'Policy "mfa" combines block with other grant controls; block denies access and stands alone',
  },
  'bad-state': {
    code: 'invalid-value',
    line: 5,
    column: 12,
    message: 'conditionalAccessPolicies.mfa.state must be one of "enabledForReportingButNotEnforced", "enabled", "disabled", not "on"',
  },
  'no-controls': { code: 'missing-field', line: 7, column: 5, message: 'conditionalAccessPolicies.mfa.grant is missing the required key "controls"' },
};

describe('policy fixtures', () => fixtureTests(DIR, cases));

const APP_ID = '6b5b3c1e-2f7a-4c8e-9d0a-1e2f3a4b5c6d';
const MANIFEST = (policy: string) => `stack: ca
applications:
  api:
    displayName: api
conditionalAccessPolicies:
  mfa:
    displayName: Require MFA for the API
${policy}`;
const BASE = `    users: { include: [all], exclude: [GUESTSOREXTERNALUSERS] }
    applications: { include: [api, ${APP_ID.toUpperCase()}], exclude: [office365] }
    grant: { controls: [mfa] }
`;

function stackOf(yaml: string) {
  const r = check(yaml);
  assert.deepEqual(
    r.problems.filter((p) => p.severity === 'error'),
    [],
  );
  return r.stacks[0];
}

describe('policies, validated and normalized', () => {
  test('report-only by default; keywords in Graph spelling; appIds lower-cased; manifest keys stay keys', () => {
    const p = stackOf(MANIFEST(BASE)).conditionalAccessPolicies[0];
    assert.equal(p.state, 'enabledForReportingButNotEnforced');
    assert.deepEqual(p.users.includeUsers, ['All']);
    assert.deepEqual(p.users.excludeUsers, ['GuestsOrExternalUsers']);
    assert.deepEqual(p.applications.include, [
      { kind: 'stack', key: 'api' },
      { kind: 'value', value: APP_ID },
    ]);
    assert.deepEqual(p.applications.exclude, [{ kind: 'value', value: 'Office365' }]);
    assert.deepEqual(p.clientAppTypes, ['all']);
    assert.deepEqual(p.grant, { operator: 'OR', builtInControls: ['mfa'] });
  });

  test('enabled for all users with no exclusion: a warning that points at state', () => {
    const r = check(
      MANIFEST(`    state: enabled
    users: { include: [All] }
    applications: { include: [api] }
    grant: { controls: [mfa] }
`),
    );
    assert.equal(r.ok, true);
    const w = r.problems.filter((p) => p.severity === 'warning');
    assert.equal(w.length, 1);
    assert.match(w[0].message, /locks out every account/);
    assert.equal(w[0].path, 'conditionalAccessPolicies.mfa.state');
    assert.match(w[0].hint ?? '', /emergency access/);
  });

  test('the marker: stack and key, then the user text; foreign descriptions are not ours', () => {
    assert.deepEqual(parsePolicyMarker(`${policyMarker('ca', 'mfa')} some text`), { stack: 'ca', key: 'mfa' });
    assert.deepEqual(parsePolicyMarker(policyMarker('obo-ca', 'downstream-mfa')), { stack: 'obo-ca', key: 'downstream-mfa' });
    assert.equal(parsePolicyMarker('tenantform:stack=ca'), undefined);
    assert.equal(parsePolicyMarker('tenantform:stack=ca;policy=mfaX-extra'.replace('X', '!')), undefined);
    assert.equal(parsePolicyMarker(null), undefined);
  });
});

/** Plan inputs for one manifest: its apps converged, the given policies live, a P1 tenant and full permissions. */
function inputsFor(
  yaml: string,
  live: Partial<LiveState> = {},
  permissions: PlanInputs['permissions'] = { kind: 'application', values: ['Policy.ReadWrite.ConditionalAccess', 'Application.Read.All'] },
) {
  const stack = toPlanStack(stackOf(yaml));
  const { state, secrets } = convergedLive([stack]);
  const inputs: PlanInputs = {
    stacks: [stack],
    live: {
      ...state,
      resources: { [APP_ID]: { servicePrincipal: { id: 'sp-x', appId: APP_ID } } },
      conditionalAccess: { policies: [] },
      premium: { p1: true, p2: false },
      ...live,
    },
    secrets,
    tenant: { id: 't', kind: 'local', identity: 'test' },
    now: Date.parse('2026-12-01T00:00:00Z'),
    permissions,
  };
  return { stack, inputs };
}

const policyChanges = (cs: Change[]) => cs.filter((c) => c.action.endsWith('-conditional-access-policy'));

function livePolicyFrom(
  stack: ReturnType<typeof toPlanStack>,
  appIdOf: (key: string) => string,
  over: Partial<ConditionalAccessPolicy> = {},
): ConditionalAccessPolicy {
  const body = policyBody(stack.name, stack.policies[0], (r) => (r.kind === 'value' ? r.value : appIdOf(r.key)));
  // What Graph answers: every collection present, lists in its own order, ids upper-case here to prove the comparison ignores case.
  const conditions = body.conditions as { applications: { includeApplications: string[] } };
  return {
    id: 'policy-1',
    createdDateTime: '2026-11-30T00:00:00Z',
    ...body,
    conditions: {
      ...(body.conditions as object),
      applications: { ...conditions.applications, includeApplications: [...conditions.applications.includeApplications].reverse().map((x) => x.toUpperCase()) },
      userRiskLevels: [],
      locations: null,
    },
    sessionControls: null,
    ...over,
  } as ConditionalAccessPolicy;
}

describe('diffPolicies', () => {
  test('a new policy: created after the app and its service principal, with the appId known', () => {
    const { inputs } = inputsFor(MANIFEST(BASE));
    const [c] = policyChanges(diffStacks(inputs).changes);
    assert.equal(c.action, 'create-conditional-access-policy');
    assert.equal(c.id, 'policy:ca/mfa');
    assert.deepEqual(c.dependsOn.sort(), ['app:ca/api', 'sp:ca/api']);
    if (c.action !== 'create-conditional-access-policy') return;
    const apps = (c.after.conditions as { applications: { includeApplications: string[] } }).applications.includeApplications;
    assert.equal(apps[1], APP_ID);
    assert.match(apps[0], /^[0-9a-f-]{36}$/);
    assert.equal(c.after.description, 'tenantform:stack=ca;policy=mfa');
    assert.equal(c.after.state, 'enabledForReportingButNotEnforced');
  });

  test('an app created by this plan: a {appId:…} placeholder', () => {
    const { inputs } = inputsFor(MANIFEST(BASE));
    const c = policyChanges(diffStacks({ ...inputs, live: { ...inputs.live, applications: {} } }).changes)[0];
    assert.ok(JSON.stringify(c).includes('{appId:app:ca/api}'));
  });

  test('the live policy as Graph returns it (other order, case, empty extras): no change', () => {
    const { stack, inputs } = inputsFor(MANIFEST(BASE));
    const appId = String(inputs.live.applications['ca--api'].app.appId);
    const live = livePolicyFrom(stack, () => appId);
    assert.deepEqual(policyChanges(diffStacks({ ...inputs, live: { ...inputs.live, conditionalAccess: { policies: [live] } } }).changes), []);
  });

  test('state changed, and settings made in the admin center: one PATCH with the whole body, naming what differs', () => {
    const { stack, inputs } = inputsFor(MANIFEST(BASE));
    const appId = String(inputs.live.applications['ca--api'].app.appId);
    const live = livePolicyFrom(stack, () => appId, { state: 'disabled', sessionControls: { signInFrequency: { value: 1, type: 'hours', isEnabled: true } } });
    const [c] = policyChanges(diffStacks({ ...inputs, live: { ...inputs.live, conditionalAccess: { policies: [live] } } }).changes);
    assert.equal(c.action, 'update-conditional-access-policy');
    if (c.action !== 'update-conditional-access-policy') return;
    assert.deepEqual(
      c.fields.map((f) => f.field),
      ['state', 'settings outside the manifest'],
    );
    assert.equal(c.policyId, 'policy-1');
    assert.equal(c.after.sessionControls, null);
    assert.ok(c.after.conditions && c.after.grantControls);
  });

  test('a policy dropped from the manifest, and a duplicate marker, are deleted; other stacks’ and foreign policies are not', () => {
    const { stack, inputs } = inputsFor(MANIFEST(BASE));
    const appId = String(inputs.live.applications['ca--api'].app.appId);
    const ours = livePolicyFrom(stack, () => appId);
    const dup = { ...ours, id: 'policy-2', createdDateTime: '2026-11-30T01:00:00Z' };
    const old = { ...ours, id: 'policy-3', description: policyMarker('ca', 'gone') };
    const other = { ...ours, id: 'policy-4', description: policyMarker('other', 'mfa') };
    const foreign = { ...ours, id: 'policy-5', description: 'made by hand' };
    const changes = policyChanges(
      diffStacks({ ...inputs, live: { ...inputs.live, conditionalAccess: { policies: [dup, ours, old, other, foreign] } } }).changes,
    );
    assert.deepEqual(changes.map((c) => `${c.action} ${'policyId' in c ? c.policyId : ''}`).sort(), [
      'delete-conditional-access-policy policy-2',
      'delete-conditional-access-policy policy-3',
    ]);
  });

  test('an appId not in the tenant is refused at plan time, with file:line:column', () => {
    const { inputs } = inputsFor(MANIFEST(BASE));
    assert.throws(
      () => diffStacks({ ...inputs, live: { ...inputs.live, resources: { [APP_ID]: null } } }),
      (e: unknown) => e instanceof TenantformError && e.code === 'RESOLVE_FAILED' && /^m\.yaml:6:3: policy "mfa" names the application 6b5b/.test(e.message),
    );
  });
});

describe('policy preconditions: refused before any write', () => {
  const refused = { status: 403, code: 'AccessDenied', message: 'You cannot perform the requested operation, required scopes are missing in the token.' };
  const fails = (inputs: PlanInputs, code: string, message: RegExp) =>
    assert.throws(
      () => diffStacks(inputs),
      (e: unknown) => e instanceof TenantformError && e.code === code && message.test(e.message),
    );

  test('policies cannot be read: GRAPH_PERMISSION naming Policy.Read.All', () => {
    const { inputs } = inputsFor(MANIFEST(BASE), { conditionalAccess: { refused } });
    fails(inputs, 'GRAPH_PERMISSION', /403 AccessDenied.*Policy\.Read\.All, Policy\.ReadWrite\.ConditionalAccess and Application\.Read\.All/);
  });

  test('no Entra ID P1: LICENSE_REQUIRED with the next step', () => {
    const { inputs } = inputsFor(MANIFEST(BASE), { premium: { p1: false, p2: false } });
    fails(inputs, 'LICENSE_REQUIRED', /no Microsoft Entra ID P1 or P2 license.*Start a P1 trial/);
  });

  test('the token lacks Policy.ReadWrite.ConditionalAccess: refused only when a policy would change', () => {
    const { stack, inputs } = inputsFor(MANIFEST(BASE), {}, { kind: 'application', values: ['Policy.Read.All'] });
    fails(inputs, 'GRAPH_PERMISSION', /lacks Policy\.ReadWrite\.ConditionalAccess among its application permissions/);
    const noAppRead = { ...inputs, permissions: { kind: 'application' as const, values: ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'] } };
    fails(noAppRead, 'GRAPH_PERMISSION', /lacks Application\.Read\.All/);
    const appId = String(inputs.live.applications['ca--api'].app.appId);
    const inSync = { ...inputs, live: { ...inputs.live, conditionalAccess: { policies: [livePolicyFrom(stack, () => appId)] } } };
    assert.deepEqual(policyChanges(diffStacks(inSync).changes), []);
  });

  test('licenses unreadable: a warning, not a refusal; no policies declared and unreadable: silent', () => {
    const { inputs } = inputsFor(MANIFEST(BASE), { premium: { refused } });
    assert.match(diffStacks(inputs).warnings.join('\n'), /Could not check the tenant's licenses/);
    const none = inputsFor('stack: ca\napplications:\n  api:\n    displayName: api\n', { conditionalAccess: { refused }, premium: undefined });
    assert.deepEqual(diffStacks(none.inputs).warnings, []);
  });
});

describe('destroy', () => {
  test('policies go first: the service principal and application wait for them', () => {
    const { stack, inputs } = inputsFor(MANIFEST(BASE));
    const live = inputs.live.applications['ca--api'];
    const policy = livePolicyFrom(stack, () => String(live.app.appId));
    const plan = createDestroyPlan({
      state: {
        tenant: inputs.live.tenant,
        apps: [{ stack: 'ca', ref: 'app:ca/api', app: live.app, servicePrincipal: live.servicePrincipal, assignments: [], grants: [] }],
        deleted: [],
        policies: [{ stack: 'ca', key: 'mfa', policy }],
        warnings: [],
      },
      purge: false,
      tenant: inputs.tenant,
      now: inputs.now,
    });
    const wave = (action: string) => plan.changes.find((c) => c.action === action)!.wave;
    assert.equal(wave('delete-conditional-access-policy'), 0);
    assert.ok(wave('delete-service-principal') > 0);
    assert.ok(wave('delete-application') > wave('delete-service-principal'));
  });
});
