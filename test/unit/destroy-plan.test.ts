import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Application, AppRoleAssignment, OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { parseDuration, stackSuffixOf, withStackSuffix } from '../../src/manifest/stack-suffix.js';
import { createDestroyPlan, onlyStacks, staleStacks } from '../../src/plan/destroy.js';
import type { OwnedApp, OwnedState } from '../../src/model/owned.js';
import { checkHolders, deletedHolders, recoveryPlan, withRecovery } from '../../src/plan/recover.js';
import { isTenantformError } from '../../src/errors.js';
import type { LiveState } from '../../src/model/live.js';
import type { Change, Plan } from '../../src/plan/types.js';
import { desiredApp, desiredStack } from '../helpers/builders.js';
import { assertValidPlan } from '../helpers/teardown.js';

const TENANT: Plan['tenant'] = { id: 't', kind: 'local', identity: 'admin (x)' };
const tag = (stack: string) => `tenantform:stack=${stack}`;

function owned(
  stack: string,
  key: string,
  o: { created?: string; spId?: string; secrets?: string[]; assignments?: Partial<AppRoleAssignment>[]; grants?: Partial<OAuth2PermissionGrant>[] } = {},
): OwnedApp {
  const app: Application = {
    id: `obj-${stack}-${key}`,
    appId: `app-${stack}-${key}`,
    uniqueName: `${stack}--${key}`,
    displayName: key,
    tags: [tag(stack)],
    createdDateTime: o.created ?? '2025-01-01T00:00:00Z',
    passwordCredentials: (o.secrets ?? []).map((k) => ({ keyId: k, displayName: `tenantform:${k}` })),
    appRoles: [{ id: 'role-1', value: 'Read.All', allowedMemberTypes: ['Application'], isEnabled: true }],
  };
  const sp: ServicePrincipal | undefined =
    o.spId === undefined
      ? { id: `sp-${stack}-${key}`, appId: app.appId, displayName: key, tags: [tag(stack)] }
      : o.spId
        ? { id: o.spId, appId: app.appId, tags: [tag(stack)] }
        : undefined;
  return {
    stack,
    ref: `app:${stack}/${key}`,
    app,
    servicePrincipal: sp,
    assignments: (o.assignments ?? []) as AppRoleAssignment[],
    grants: (o.grants ?? []) as OAuth2PermissionGrant[],
  };
}

function state(apps: OwnedApp[], deleted: OwnedState['deleted'] = []): OwnedState {
  return { tenant: { id: 't', verifiedDomains: [] }, apps, deleted, warnings: [] };
}

const summary = (p: Plan) => p.changes.map((c) => `${c.wave} ${c.action} ${c.id}`);

describe('createDestroyPlan: reverse dependency order', () => {
  const api = owned('s', 'api');
  const daemon = owned('s', 'daemon', {
    secrets: ['k1'],
    assignments: [{ id: 'as1', principalId: 'sp-s-daemon', resourceId: 'sp-s-api', appRoleId: 'role-1', resourceDisplayName: 'api' }],
    grants: [{ id: 'g1', clientId: 'sp-s-daemon', resourceId: 'graph-sp', scope: 'User.Read' }],
  });

  it('consent and credentials first, then service principals, then applications', () => {
    const p = createDestroyPlan({ state: state([api, daemon]), purge: false, tenant: TENANT, now: 0 });
    assertValidPlan(p);
    assert.equal(p.operation, 'destroy');
    assert.deepEqual(summary(p), [
      '0 delete-app-role-assignment assignment-remove:s/daemon/as1',
      '0 delete-delegated-grant grant-remove:s/daemon/g1',
      '0 remove-secret secret-remove:s/daemon/k1',
      '1 delete-service-principal sp-delete:s/api',
      '1 delete-service-principal sp-delete:s/daemon',
      '2 delete-application app-delete:s/api',
      '2 delete-application app-delete:s/daemon',
    ]);
    const a = p.changes.find((c) => c.action === 'delete-app-role-assignment');
    assert.equal(a?.action === 'delete-app-role-assignment' && a.role, 'Read.All', 'role value resolved from the owned resource app');
  });

  it('the resource API waits for the assignments on it; an app without SP goes with its credentials', () => {
    const p = createDestroyPlan({ state: state([owned('s', 'lonely', { spId: '', secrets: ['k2'] }), api, daemon]), purge: false, tenant: TENANT, now: 0 });
    const spApi = p.changes.find((c) => c.id === 'sp-delete:s/api')!;
    assert.deepEqual(spApi.dependsOn, ['assignment-remove:s/daemon/as1']);
    assert.deepEqual(p.changes.find((c) => c.id === 'app-delete:s/lonely')!.dependsOn, ['secret-remove:s/lonely/k2']);
    assert.ok(!p.changes.some((c) => c.id === 'sp-delete:s/lonely'));
  });

  it('purge: each deleted object is purged after its delete; objects already in the recycle bin at once', () => {
    const binned = {
      stack: 's',
      ref: 'app:s/old',
      type: 'application' as const,
      value: { id: 'obj-old', appId: 'app-old', displayName: 'old', deletedDateTime: '2025-01-02T00:00:00Z' },
    };
    const p = createDestroyPlan({ state: state([api], [binned]), purge: true, tenant: TENANT, now: 0 });
    assertValidPlan(p);
    assert.deepEqual(summary(p), [
      '0 purge-deleted-object purge:obj-old',
      '0 delete-service-principal sp-delete:s/api',
      '1 delete-application app-delete:s/api',
      '1 purge-deleted-object purge:sp-s-api',
      '2 purge-deleted-object purge:obj-s-api',
    ]);
    assert.deepEqual(p.stacks, ['s']);
  });

  it('nothing owned: an empty plan that keeps the warnings', () => {
    const p = createDestroyPlan({ state: { ...state([]), warnings: ['left alone'] }, purge: true, tenant: TENANT, now: 0 });
    assert.deepEqual([p.changes, p.stacks, p.warnings], [[], [], ['left alone']]);
  });

  it('never mutates its input', () => {
    const input = state([api, daemon]);
    const copy = structuredClone(input);
    createDestroyPlan({ state: input, purge: true, tenant: TENANT, now: 0 });
    assert.deepEqual(input, copy);
  });
});

describe('staleStacks: a stack is swept only when all its applications are older than the cutoff', () => {
  const cutoff = Date.parse('2025-01-01T10:00:00Z');
  const cases: Array<[string, OwnedState, string[]]> = [
    ['all old', state([owned('ci-1', 'a', { created: '2025-01-01T07:00:00Z' }), owned('ci-1', 'b', { created: '2025-01-01T08:00:00Z' })]), ['ci-1']],
    [
      'one young app keeps the stack',
      state([owned('ci-1', 'a', { created: '2025-01-01T07:00:00Z' }), owned('ci-1', 'b', { created: '2025-01-01T11:00:00Z' })]),
      [],
    ],
    ['exactly at the cutoff counts as old', state([owned('ci-2', 'a', { created: '2025-01-01T10:00:00Z' })]), ['ci-2']],
    ['unknown creation time is young', state([owned('ci-3', 'a', { created: 'garbage' })]), []],
    ['only deleted service principals left', state([], [{ stack: 'ci-4', ref: 'app:ci-4/x', type: 'servicePrincipal', value: { id: 'sp' } }]), ['ci-4']],
  ];
  for (const [name, s, want] of cases) it(name, () => assert.deepEqual([...staleStacks(s, cutoff)], want));

  it('onlyStacks keeps the others out of the plan', () => {
    const s = onlyStacks(state([owned('a', 'x'), owned('b', 'x')]), (x) => x === 'b');
    assert.deepEqual(
      s.apps.map((a) => a.stack),
      ['b'],
    );
  });
});

describe('ephemeral stacks', () => {
  it('a suffix renames the stack, its uniqueNames and its ownership tag; role ids stay', () => {
    const stack = desiredStack({ name: 'web', applications: [desiredApp({ key: 'api' })] });
    const [s] = withStackSuffix([stack], '123');
    assert.equal(s.name, 'web-123');
    assert.equal(s.applications[0].uniqueName, 'web-123--api');
    assert.equal(s.applications[0].ownershipTag, 'tenantform:stack=web-123');
    assert.deepEqual(s.applications[0].appRoles, stack.applications[0].appRoles);
    assert.equal(stack.name, 'web', 'input not mutated');
    assert.equal(withStackSuffix([stack], undefined)[0], stack);
  });

  const suffixes: Array<[{ stackSuffix?: string; env?: Record<string, string> }, string | undefined | 'USAGE']> = [
    [{}, undefined],
    [{ env: { TENANTFORM_STACK_SUFFIX: '' } }, undefined],
    [{ env: { TENANTFORM_STACK_SUFFIX: '4711' } }, '4711'],
    [{ stackSuffix: 'pr-12', env: { TENANTFORM_STACK_SUFFIX: '4711' } }, 'pr-12'],
    [{ stackSuffix: 'PR-12' }, 'pr-12'],
    [{ stackSuffix: 'a--b' }, 'USAGE'],
    [{ stackSuffix: 'run_1' }, 'USAGE'],
    [{ stackSuffix: 'x'.repeat(25) }, 'USAGE'],
  ];
  for (const [input, want] of suffixes) {
    it(`suffix ${JSON.stringify(input)} → ${want}`, () => {
      if (want === 'USAGE')
        assert.throws(
          () => stackSuffixOf(input),
          (e) => isTenantformError(e) && e.code === 'USAGE',
        );
      else assert.equal(stackSuffixOf(input), want);
    });
  }

  const durations: Array<[string, number | 'USAGE']> = [
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['0s', 0],
    ['2', 'USAGE'],
    ['two hours', 'USAGE'],
    ['-1h', 'USAGE'],
  ];
  for (const [text, want] of durations) {
    it(`duration ${text}`, () => {
      if (want === 'USAGE')
        assert.throws(
          () => parseDuration(text),
          (e) => isTenantformError(e) && e.code === 'USAGE',
        );
      else assert.equal(parseDuration(text), want);
    });
  }
});

describe('recovery of soft-deleted applications during apply', () => {
  const stack = desiredStack({ name: 's', applications: [desiredApp({ key: 'api' })] });
  stack.applications[0] = { ...stack.applications[0], uniqueName: 's--api', ownershipTag: tag('s') };
  const deletedApp: Application = {
    id: 'obj-1',
    appId: 'app-1',
    uniqueName: 's--api',
    displayName: 'api',
    tags: [tag('s')],
    deletedDateTime: '2025-01-01T00:00:00Z',
  };
  const live = (deleted?: Application): LiveState => ({
    tenant: { id: 't', verifiedDomains: [] },
    applications: {},
    resources: {},
    deletedApplications: deleted ? { 's--api': deleted } : {},
  });

  it('finds holders only for applications that do not exist', () => {
    assert.equal(deletedHolders([stack], live(deletedApp)).length, 1);
    assert.equal(deletedHolders([stack], live()).length, 0);
    const both = live(deletedApp);
    both.applications['s--api'] = { app: { id: 'x' }, assignments: [], grants: [], federatedCredentials: [] };
    assert.equal(deletedHolders([stack], both).length, 0);
  });

  it('without a decision: SOFT_DELETED naming both ways out; a holder of another stack: CONFLICT even with a decision', () => {
    const holders = deletedHolders([stack], live(deletedApp));
    assert.throws(
      () => checkHolders(holders, undefined),
      (e) => isTenantformError(e) && e.code === 'SOFT_DELETED' && /--restore-deleted/.test(e.message) && /--purge-deleted/.test(e.message),
    );
    assert.doesNotThrow(() => checkHolders(holders, 'restore'));
    const foreign = deletedHolders([stack], live({ ...deletedApp, tags: [tag('other')] }));
    assert.throws(
      () => checkHolders(foreign, 'purge'),
      (e) => isTenantformError(e) && e.code === 'CONFLICT' && /stack "other"/.test(e.message),
    );
    const untagged = deletedHolders([stack], live({ ...deletedApp, tags: [] }));
    assert.throws(
      () => checkHolders(untagged, 'restore'),
      (e) => isTenantformError(e) && e.code === 'CONFLICT' && /does not own/.test(e.message),
    );
  });

  it('restore plans against the restored object; purge purges the app and its owned service principal', () => {
    const holders = deletedHolders([stack], live(deletedApp));
    const sp: ServicePrincipal = { id: 'sp-1', appId: 'app-1', tags: [tag('s')], deletedDateTime: '2025-01-01T00:00:00Z' } as ServicePrincipal;
    const restore = recoveryPlan(holders, { 'app-1': sp }, live(deletedApp), 'restore');
    assert.deepEqual(
      restore.changes.map((c) => c.action),
      ['restore-deleted-application'],
    );
    assert.equal(restore.live.applications['s--api'].app.id, 'obj-1');
    assert.equal('deletedDateTime' in restore.live.applications['s--api'].app, false);
    assert.equal(restore.live.applications['s--api'].servicePrincipal?.id, 'sp-1');
    const purge = recoveryPlan(holders, { 'app-1': sp }, live(deletedApp), 'purge');
    assert.deepEqual(
      purge.changes.map((c) => c.id),
      ['purge:obj-1', 'purge:sp-1'],
    );
    assert.equal(purge.live.applications['s--api'], undefined);
  });

  it('withRecovery puts recovery first and every other change after it, without mutating the plan', () => {
    const change = (id: string, dependsOn: string[] = []): Change => ({
      id,
      action: 'create-service-principal',
      app: 'app:s/api',
      after: {},
      wave: 0,
      dependsOn,
      reason: 'r',
    });
    const plan: Plan = {
      formatVersion: 1,
      createdAt: '',
      tenant: TENANT,
      stacks: ['s'],
      changes: [change('a'), { ...change('b', ['a']), wave: 1 }],
      warnings: [],
    };
    const copy = structuredClone(plan);
    const holders = deletedHolders([stack], live(deletedApp));
    const p = withRecovery(plan, recoveryPlan(holders, {}, live(deletedApp), 'purge').changes);
    assert.deepEqual(summary(p), ['0 purge-deleted-object purge:obj-1', '1 create-service-principal a', '2 create-service-principal b']);
    assert.deepEqual(plan, copy);
    assert.equal(withRecovery(plan, []), plan);
  });
});
