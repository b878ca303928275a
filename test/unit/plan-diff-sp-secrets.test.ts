import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LiveApplication } from '../../src/model/live.js';
import { diffSecrets } from '../../src/plan/diff-secrets.js';
import { diffServicePrincipal } from '../../src/plan/diff-sp.js';
import type { KnownSecret } from '../../src/model/local.js';
import type { PlanApplication } from '../../src/plan/input.js';
import type { Change } from '../../src/plan/types.js';
import { secret } from '../helpers/builders.js';
import { convergedLive, edit, fakeId, knownSecret, NOW, passwordCredential, planApp } from '../helpers/plan-builders.js';

const DAY = 86_400_000;
const liveOf = (d: PlanApplication): LiveApplication =>
  convergedLive([{ name: d.stack, applications: [d], policies: [] }]).state.applications[d.uniqueName.toLowerCase()];
const brief = (cs: Change[]) => cs.map((c) => `${c.action} ${c.id} <- [${c.dependsOn.join(',')}]`);

describe('diffServicePrincipal', () => {
  const d = planApp({ servicePrincipal: { appRoleAssignmentRequired: true, tags: ['WindowsAzureActiveDirectoryIntegratedApp'] } });
  const converged = liveOf(d);

  test('created after its application when the app is created in this apply', () => {
    const cs = diffServicePrincipal(d, undefined, ['app:test/app']);
    assert.deepEqual(cs, [
      {
        id: 'sp:test/app',
        action: 'create-service-principal',
        app: 'app:test/app',
        after: { appRoleAssignmentRequired: true, tags: ['WindowsAzureActiveDirectoryIntegratedApp', 'tenantform:stack=test'].sort() },
        wave: 0,
        dependsOn: ['app:test/app'],
        reason: 'application "app" has no service principal',
      },
    ]);
  });

  test('created without dependencies when only the SP is missing', () => {
    const live = edit(converged, (l) => delete l.servicePrincipal);
    const [c] = diffServicePrincipal(d, live, []);
    assert.equal(c.action, 'create-service-principal');
    assert.deepEqual(c.dependsOn, []);
  });

  const cases: Array<{ name: string; sp: (s: NonNullable<LiveApplication['servicePrincipal']>) => void; fields: string[]; tags?: string[] }> = [
    { name: 'converged', sp: () => {}, fields: [] },
    { name: 'tags in another order', sp: (s) => s.tags!.reverse(), fields: [] },
    { name: 'appRoleAssignmentRequired drifted', sp: (s) => (s.appRoleAssignmentRequired = false), fields: ['appRoleAssignmentRequired'] },
    { name: 'appRoleAssignmentRequired missing reads as false', sp: (s) => delete s.appRoleAssignmentRequired, fields: ['appRoleAssignmentRequired'] },
    { name: 'a user tag missing', sp: (s) => (s.tags = ['tenantform:stack=test']), fields: ['tags'] },
    { name: 'a foreign tag alone is not a change', sp: (s) => s.tags!.push('HideApp'), fields: [] },
    {
      name: 'a foreign tag is kept when ours are added',
      sp: (s) => (s.tags = ['HideApp']),
      fields: ['tags'],
      tags: ['HideApp', 'WindowsAzureActiveDirectoryIntegratedApp', 'tenantform:stack=test'],
    },
    {
      name: 'a stale tenantform tag is dropped',
      sp: (s) => s.tags!.push('tenantform:stack=other'),
      fields: ['tags'],
      tags: ['WindowsAzureActiveDirectoryIntegratedApp', 'tenantform:stack=test'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const cs = diffServicePrincipal(
        d,
        edit(converged, (l) => c.sp(l.servicePrincipal!)),
        [],
      );
      if (!c.fields.length) return assert.deepEqual(cs, []);
      assert.equal(cs.length, 1);
      const u = cs[0] as Extract<Change, { action: 'update-service-principal' }>;
      assert.equal(u.action, 'update-service-principal');
      assert.deepEqual(
        u.fields.map((f) => f.field),
        c.fields,
      );
      if (c.tags) assert.deepEqual(u.after.tags, c.tags);
    });
  }
});

describe('diffSecrets', () => {
  const d = planApp({ secrets: [secret('main', '180d')] });
  const main = knownSecret('test--app', 'main');
  const mine = (o: { keyId?: string; endDateTime?: string } = {}) =>
    passwordCredential({ keyId: o.keyId ?? main.keyId, displayName: 'tenantform:main', endDateTime: o.endDateTime });
  const run = (o: {
    live?: LiveApplication | 'none';
    creds?: ReturnType<typeof mine>[];
    known?: Record<string, KnownSecret>;
    desired?: PlanApplication;
    appChangeIds?: string[];
  }) => {
    const desired = o.desired ?? d;
    const live = o.live === 'none' ? undefined : (o.live ?? edit(liveOf(desired), (l) => (l.app.passwordCredentials = o.creds ?? [])));
    return diffSecrets({ desired, live, known: o.known ?? {}, now: NOW, appChangeIds: o.appChangeIds ?? [] });
  };

  test('a valid known secret that Graph still lists is kept', () => {
    assert.deepEqual(run({ creds: [mine()], known: { main } }), []);
  });

  test('a new app gets its secret after the app is created', () => {
    assert.deepEqual(brief(run({ live: 'none', appChangeIds: ['app:test/app'] })), ['add-secret secret:test/app/main <- [app:test/app]']);
  });

  const cases: Array<{ name: string; creds: ReturnType<typeof mine>[]; known?: Record<string, KnownSecret>; expect: string[]; reason: string }> = [
    { name: 'unknown value, none in Graph', creds: [], expect: ['add-secret secret:test/app/main <- []'], reason: 'no known value for this secret' },
    {
      name: 'unknown value (cache lost): add a new one, remove the old one after',
      creds: [mine()],
      expect: ['add-secret secret:test/app/main <- []', `remove-secret secret-remove:test/app/${main.keyId} <- [secret:test/app/main]`],
      reason: 'no known value for this secret',
    },
    {
      name: 'expired',
      creds: [mine({ endDateTime: new Date(NOW - DAY).toISOString() })],
      known: { main },
      expect: ['add-secret secret:test/app/main <- []', `remove-secret secret-remove:test/app/${main.keyId} <- [secret:test/app/main]`],
      reason: 'the secret has expired',
    },
    {
      name: 'expiring exactly now counts as expired',
      creds: [mine({ endDateTime: new Date(NOW).toISOString() })],
      known: { main },
      expect: ['add-secret secret:test/app/main <- []', `remove-secret secret-remove:test/app/${main.keyId} <- [secret:test/app/main]`],
      reason: 'the secret has expired',
    },
    {
      name: 'known but gone from the application',
      creds: [],
      known: { main },
      expect: ['add-secret secret:test/app/main <- []'],
      reason: 'the known secret is gone from the application',
    },
    {
      name: 'known value of another keyId: the listed ones are replaced',
      creds: [mine({ keyId: fakeId('other') })],
      known: { main },
      expect: ['add-secret secret:test/app/main <- []', `remove-secret secret-remove:test/app/${fakeId('other')} <- [secret:test/app/main]`],
      reason: 'the known secret is gone from the application',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const cs = run({ creds: c.creds, known: c.known });
      assert.deepEqual(brief(cs), c.expect);
      assert.equal(cs[0].reason, c.reason);
      const add = cs[0] as Extract<Change, { action: 'add-secret' }>;
      assert.deepEqual([add.name, add.displayName, add.lifetimeMs], ['main', 'tenantform:main', 180 * DAY]);
    });
  }

  test('secrets with other display names are never touched', () => {
    const foreign = [
      passwordCredential({ displayName: 'ci pipeline' }),
      passwordCredential({ displayName: 'tenantformish' }),
      passwordCredential({ displayName: '' }),
    ];
    assert.deepEqual(run({ creds: [mine(), ...foreign], known: { main } }), []);
    assert.deepEqual(run({ desired: planApp(), creds: foreign }), []);
  });

  test('a tool-created secret no longer in the manifest is removed, without waiting', () => {
    const old = passwordCredential({ displayName: 'tenantform:old' });
    assert.deepEqual(brief(run({ creds: [mine(), old], known: { main } })), [`remove-secret secret-remove:test/app/${old.keyId} <- []`]);
  });

  test('two secrets are planned independently', () => {
    const two = planApp({ secrets: [secret('main'), secret('backup', '30d')] });
    const cs = run({ desired: two, creds: [mine()], known: { main } });
    assert.deepEqual(brief(cs), ['add-secret secret:test/app/backup <- []']);
  });

  test('no secret value or hint ever enters a change', () => {
    const cs = run({ creds: [mine({ endDateTime: new Date(NOW - DAY).toISOString() })], known: { main } });
    assert.ok(!JSON.stringify(cs).includes(main.value));
  });
});
