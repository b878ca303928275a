import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planFromInputs, type PlanInputs } from '../../src/plan/index.js';
import type { PlanStack } from '../../src/plan/input.js';
import { PLAN_FORMAT_VERSION, type Change, type Plan } from '../../src/plan/types.js';
import { appRole, desiredApp, desiredStack, permission, scope, secret, stackApi, tenantApi, todolistDaemonStack } from '../helpers/builders.js';
import { convergedLive, deepFreeze, edit, fakeId, NOW, planInputs, planStack, tenantSp } from '../helpers/plan-builders.js';

const TODO = planStack(todolistDaemonStack());
const layout = (p: Plan) => p.changes.map((c) => `${c.wave} ${c.action} ${c.id}`);
const OUTPUT = { path: 'out/todolist-daemon.env', sensitive: true, status: 'create' as const, secretApps: ['app:todolist-daemon/daemon'] };

describe('createPlan: the example stack', () => {
  test('on an empty tenant: app upserts → configure, SPs, secret → consent', () => {
    assert.deepEqual(layout(planFromInputs(planInputs({ stacks: [TODO] }))), [
      '0 create-application app:todolist-daemon/api',
      '0 create-application app:todolist-daemon/daemon',
      '1 configure-application app:todolist-daemon/api#configure',
      '1 configure-application app:todolist-daemon/daemon#configure',
      '1 add-secret secret:todolist-daemon/daemon/main',
      '1 create-service-principal sp:todolist-daemon/api',
      '1 create-service-principal sp:todolist-daemon/daemon',
      '2 create-app-role-assignment assignment:todolist-daemon/daemon/ciam-ToDoList-api/ToDoList.Read.All',
      '2 create-app-role-assignment assignment:todolist-daemon/daemon/ciam-ToDoList-api/ToDoList.ReadWrite.All',
    ]);
  });

  test('the daemon configures its permissions with the API appId placeholder', () => {
    const p = planFromInputs(planInputs({ stacks: [TODO] }));
    const c = p.changes.find((x) => x.id === 'app:todolist-daemon/daemon#configure') as Extract<Change, { action: 'configure-application' }>;
    assert.deepEqual(c.dependsOn, ['app:todolist-daemon/daemon', 'app:todolist-daemon/api']);
    const [rra] = c.after.requiredResourceAccess as Array<{ resourceAppId: string; resourceAccess: unknown[] }>;
    assert.equal(rra.resourceAppId, '{appId:app:todolist-daemon/api}');
    assert.equal(rra.resourceAccess.length, 2);
  });

  test('outputs are written after everything else', () => {
    const p = planFromInputs(planInputs({ stacks: [TODO], outputs: [OUTPUT] }));
    const last = p.changes.at(-1)!;
    assert.equal(last.action, 'write-output');
    assert.equal(last.wave, 3);
    assert.deepEqual(
      [...last.dependsOn].sort(),
      p.changes
        .filter((c) => c !== last)
        .map((c) => c.id)
        .sort(),
    );
  });

  test('a converged tenant plans nothing', () => {
    const live = convergedLive([TODO]);
    const p = planFromInputs(planInputs({ stacks: [TODO], live: live.state, secrets: live.secrets }));
    assert.deepEqual(p.changes, []);
  });

  test('a lost secret cache: new secret, output rewritten, old secret removed only after the output', () => {
    const live = convergedLive([TODO]);
    const p = planFromInputs(planInputs({ stacks: [TODO], live: live.state, secrets: {}, outputs: [{ ...OUTPUT, status: 'update' }] }));
    assert.deepEqual(
      p.changes.map((c) => `${c.wave} ${c.action} [${c.dependsOn.join(',')}]`),
      [
        '0 add-secret []',
        '1 write-output [secret:todolist-daemon/daemon/main]',
        '2 remove-secret [secret:todolist-daemon/daemon/main,output:out/todolist-daemon.env]',
      ],
    );
  });

  test('the plan header data: version, tenant, stacks, time', () => {
    const p = planFromInputs(planInputs({ stacks: [TODO] }));
    assert.equal(p.formatVersion, PLAN_FORMAT_VERSION);
    assert.equal(p.createdAt, new Date(NOW).toISOString());
    assert.deepEqual(p.stacks, ['todolist-daemon']);
    assert.match(p.tenant.identity, /tests/);
  });
});

/** Scenarios that exercise every kind of change, for the purity and round-trip properties. */
function scenarios(): Array<[string, PlanInputs]> {
  const graph = tenantSp({ displayName: 'Microsoft Graph', roles: [{ value: 'User.Read.All' }], scopes: [{ value: 'User.Read' }] });
  const rich: PlanStack = planStack(
    desiredStack({
      name: 'rich',
      applications: [
        desiredApp({
          stack: 'rich',
          key: 'api',
          identifierUris: ['api://{appId}'],
          appRoles: [appRole({ value: 'A' }), appRole({ value: 'B' })],
          oauth2PermissionScopes: [scope({ value: 'S' })],
        }),
        desiredApp({
          stack: 'rich',
          key: 'client',
          secrets: [secret('main'), secret('other')],
          permissions: [
            permission({ api: stackApi('api'), roles: ['A', 'B'], scopes: ['S'], adminConsent: true }),
            permission({ api: tenantApi('Microsoft Graph'), roles: ['User.Read.All'], scopes: ['User.Read'], adminConsent: true }),
          ],
        }),
      ],
    }),
  );
  const conv = convergedLive([rich, TODO], { 'Microsoft Graph': graph });
  const resources = { 'Microsoft Graph': { servicePrincipal: graph } };
  const drifted = edit(conv.state, (s) => {
    const api = s.applications['rich--api'];
    api.app.displayName = 'renamed in the portal';
    api.app.appRoles![1].description = 'changed';
    api.app.api!.oauth2PermissionScopes = [];
    const client = s.applications['rich--client'];
    client.assignments.pop();
    client.assignments.push({ id: fakeId('stray'), resourceId: fakeId('x'), appRoleId: fakeId('y') });
    client.grants[0].scope = 'S extra';
    client.grants.push({ id: fakeId('g2'), consentType: 'AllPrincipals', resourceId: fakeId('x'), scope: 'Z' });
    client.servicePrincipal!.tags = [];
    client.app.passwordCredentials!.push({ keyId: fakeId('old'), displayName: 'tenantform:gone', endDateTime: new Date(NOW + 1e9).toISOString() });
    delete s.applications['todolist-daemon--daemon'].servicePrincipal;
  });
  // The desired side drops role B, so the drifted role is removed (disable first).
  const richLess = edit(rich, (st) => {
    st.applications[0].appRoles.pop();
    st.applications[1].permissions[0].roles = ['A'];
  });
  return [
    ['empty tenant', planInputs({ stacks: [rich, TODO], live: { ...conv.state, applications: {}, resources }, outputs: [OUTPUT] })],
    ['converged', planInputs({ stacks: [rich, TODO], live: conv.state, secrets: conv.secrets })],
    [
      'drifted',
      planInputs({
        stacks: [richLess, TODO],
        live: drifted,
        secrets: { rich: { client: { main: conv.secrets.rich.client.main } } },
        outputs: [{ ...OUTPUT, status: 'update' }],
      }),
    ],
  ];
}

describe('createPlan is pure and its plans are plain data', () => {
  for (const [name, inputs] of scenarios()) {
    test(`${name}: never mutates its (deep-frozen) inputs, and is deterministic`, () => {
      const before = JSON.stringify(inputs);
      const frozen = deepFreeze(structuredClone(inputs));
      const p = planFromInputs(frozen);
      assert.equal(JSON.stringify(frozen), before);
      assert.deepEqual(planFromInputs(structuredClone(inputs)), p);
    });

    test(`${name}: JSON round-trips exactly`, () => {
      const p = planFromInputs(structuredClone(inputs));
      assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
    });

    test(`${name}: holds no secret value`, () => {
      const text = JSON.stringify(planFromInputs(structuredClone(inputs)));
      for (const apps of Object.values(inputs.secrets))
        for (const secrets of Object.values(apps)) for (const s of Object.values(secrets)) assert.ok(!text.includes(s.value));
    });

    test(`${name}: waves respect every dependency`, () => {
      const p = planFromInputs(structuredClone(inputs));
      const wave = new Map(p.changes.map((c) => [c.id, c.wave]));
      for (const c of p.changes)
        for (const d of c.dependsOn) assert.ok(wave.get(d)! < c.wave, `${c.id} (wave ${c.wave}) depends on ${d} (wave ${wave.get(d)})`);
    });
  }

  test('the drifted scenario plans every kind of fix', () => {
    const [, , [, inputs]] = scenarios();
    const actions = new Set(planFromInputs(inputs).changes.map((c) => c.action));
    for (const a of [
      'disable-entitlements',
      'update-application',
      'update-service-principal',
      'create-service-principal',
      'add-secret',
      'remove-secret',
      'create-app-role-assignment',
      'delete-app-role-assignment',
      'update-delegated-grant',
      'delete-delegated-grant',
      'write-output',
    ] as const) {
      assert.ok(actions.has(a), `missing ${a} in ${[...actions].join(', ')}`);
    }
  });
});
