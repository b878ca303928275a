import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LiveApplication, LiveState } from '../../src/model/live.js';
import { diffAccess, requiredResourceAccess, resolveApi, type ResolvedApi } from '../../src/plan/diff-access.js';
import type { PlanApplication, PlanStack } from '../../src/plan/input.js';
import type { Change } from '../../src/plan/types.js';
import { TenantformError } from '../../src/errors.js';
import { appRole, permission, scope, stackApi, tenantApi } from '../helpers/builders.js';
import { convergedLive, edit, fakeId, idsFor, liveState, planApp, tenantSp } from '../helpers/plan-builders.js';

const GRAPH = tenantSp({
  displayName: 'Microsoft Graph',
  appId: '00000003-0000-0000-c000-000000000000',
  roles: [{ value: 'User.Read.All' }, { value: 'Application.Read.All' }, { value: 'Delegated.Only', allowedMemberTypes: ['User'] }],
  scopes: [{ value: 'User.Read' }, { value: 'openid' }],
});
const api = planApp({
  key: 'api',
  appRoles: [appRole({ value: 'Read.All' }), appRole({ value: 'Write.All' })],
  oauth2PermissionScopes: [scope({ value: 'Data.Read' }), scope({ value: 'Data.Write' })],
});
const client = (...permissions: PlanApplication['permissions']) => planApp({ key: 'client', permissions });
const stackOf = (c: PlanApplication): PlanStack => ({ name: 'test', applications: [api, c], policies: [] });
const converged = (c: PlanApplication) => convergedLive([stackOf(c)], { 'Microsoft Graph': GRAPH });
const apisOf = (c: PlanApplication, live: LiveState, planned = new Set<string>()) => c.permissions.map((p) => resolveApi(p, stackOf(c), live, planned));
const brief = (cs: Change[]) => cs.map((c) => `${c.action} ${c.id}`);

/** RESOLVE_FAILED with a message matching `message`. */
function resolveFails(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TenantformError, String(e));
    assert.equal(e.code, 'RESOLVE_FAILED');
    assert.match(e.message, message);
    return true;
  });
}

describe('resolveApi', () => {
  test('an app of the stack that does not exist yet: appId placeholder, deps on the planned changes', () => {
    const c = client(permission({ api: stackApi('api'), roles: ['Read.All'] }));
    const planned = new Set(['app:test/api', 'sp:test/api']);
    const [r] = apisOf(c, liveState(), planned);
    assert.equal(r.appId, '{appId:app:test/api}');
    assert.equal(r.servicePrincipalId, undefined);
    assert.deepEqual(r.ref, { kind: 'stack', app: 'app:test/api', display: 'test api' });
    assert.deepEqual(r.deps, ['app:test/api', 'sp:test/api']);
    assert.deepEqual([...r.roles.keys()], ['Read.All', 'Write.All']);
    assert.deepEqual([...r.scopes.keys()], ['Data.Read', 'Data.Write']);
  });

  test('an existing app of the stack: its appId and SP id, no deps', () => {
    const c = client(permission({ api: stackApi('api') }));
    const [r] = apisOf(c, converged(c).state);
    assert.equal(r.appId, idsFor('test--api').appId);
    assert.equal(r.servicePrincipalId, idsFor('test--api').spId);
    assert.deepEqual(r.deps, []);
  });

  test('a tenant API by display name: only roles apps can hold, every scope', () => {
    const c = client(permission({ api: tenantApi('Microsoft Graph') }));
    const [r] = apisOf(c, converged(c).state);
    assert.deepEqual(r.ref, { kind: 'tenant', servicePrincipalId: GRAPH.id, display: 'Microsoft Graph' });
    assert.equal(r.appId, GRAPH.appId);
    assert.deepEqual([...r.roles.keys()], ['User.Read.All', 'Application.Read.All']);
    assert.deepEqual([...r.scopes.keys()], ['User.Read', 'openid']);
  });

  test('a tenant API that is not in the tenant', () => {
    const c = client(permission({ api: tenantApi('Contoso API') }));
    resolveFails(() => apisOf(c, liveState({ resources: { 'Contoso API': null } })), /No API named "Contoso API" in the tenant/);
  });

  test('an app key the stack does not define', () => {
    const c = client(permission({ api: stackApi('nope') }));
    resolveFails(() => apisOf(c, liveState()), /names application "nope", which stack test does not define/);
  });
});

describe('requiredResourceAccess', () => {
  test('roles then scopes, by id, one entry per API', () => {
    const c = client(
      permission({ api: stackApi('api'), roles: ['Write.All'], scopes: ['Data.Read'] }),
      permission({ api: tenantApi('Microsoft Graph'), roles: ['User.Read.All'] }),
    );
    const rra = requiredResourceAccess(c, apisOf(c, converged(c).state));
    assert.deepEqual(rra, [
      {
        resourceAppId: idsFor('test--api').appId,
        resourceAccess: [
          { id: api.appRoles[1].id, type: 'Role' },
          { id: api.oauth2PermissionScopes[0].id, type: 'Scope' },
        ],
      },
      { resourceAppId: GRAPH.appId, resourceAccess: [{ id: fakeId('role', 'Microsoft Graph', 'User.Read.All'), type: 'Role' }] },
    ]);
  });

  const unknown: Array<[string, PlanApplication['permissions'][number], RegExp]> = [
    [
      'role on a stack API',
      permission({ api: stackApi('api'), roles: ['Nope'] }),
      /asks for role "Nope" on "test api", which does not publish it\. Known roles: Read\.All, Write\.All\./,
    ],
    ['scope on a stack API', permission({ api: stackApi('api'), scopes: ['Nope'] }), /scope "Nope".*Known scopes: Data\.Read, Data\.Write\./],
    [
      'role on Microsoft Graph',
      permission({ api: tenantApi('Microsoft Graph'), roles: ['User.Write.All'] }),
      /Known roles: Application\.Read\.All, User\.Read\.All\./,
    ],
    ['user-only role on Microsoft Graph', permission({ api: tenantApi('Microsoft Graph'), roles: ['Delegated.Only'] }), /role "Delegated\.Only"/],
  ];
  for (const [name, p, message] of unknown) {
    test(`unknown ${name} → RESOLVE_FAILED listing the known ones`, () => {
      const c = client(p);
      resolveFails(() => requiredResourceAccess(c, apisOf(c, converged(client()).state)), message);
    });
  }
});

describe('diffAccess: admin consent', () => {
  const roles = permission({ api: stackApi('api'), roles: ['Read.All', 'Write.All'], adminConsent: true });
  const scopes = permission({ api: stackApi('api'), scopes: ['Data.Write', 'Data.Read'], adminConsent: true });
  const graphRole = permission({ api: tenantApi('Microsoft Graph'), roles: ['User.Read.All'], adminConsent: true });
  const run = (c: PlanApplication, live: LiveState, planned = new Set<string>()) =>
    diffAccess(c, apisOf(c, live, planned), live.applications['test--client'], planned);
  const liveClient = (c: PlanApplication, change: (l: LiveApplication) => void, base = c) => {
    const conv = converged(base).state;
    return { ...conv, applications: { ...conv.applications, 'test--client': edit(conv.applications['test--client'], change) } };
  };

  test('converged: nothing to do', () => {
    const c = client(roles, scopes, graphRole);
    assert.deepEqual(run(c, converged(c).state), []);
  });

  test('everything new: one assignment per role, one AllPrincipals grant per API, after the SPs', () => {
    const c = client(roles, scopes, graphRole);
    const planned = new Set(['app:test/api', 'sp:test/api', 'app:test/client', 'sp:test/client']);
    const cs = run(c, liveState({ resources: { 'Microsoft Graph': { servicePrincipal: GRAPH } } }), planned);
    assert.deepEqual(brief(cs), [
      'create-app-role-assignment assignment:test/client/test api/Read.All',
      'create-app-role-assignment assignment:test/client/test api/Write.All',
      'create-app-role-assignment assignment:test/client/Microsoft Graph/User.Read.All',
      'create-delegated-grant grant:test/client/test api',
    ]);
    const [a, , g, grant] = cs as [
      Extract<Change, { action: 'create-app-role-assignment' }>,
      Change,
      Extract<Change, { action: 'create-app-role-assignment' }>,
      Extract<Change, { action: 'create-delegated-grant' }>,
    ];
    assert.equal(a.appRoleId, api.appRoles[0].id);
    assert.deepEqual(a.dependsOn, ['sp:test/client', 'app:test/api', 'sp:test/api']);
    assert.deepEqual(g.resource, { kind: 'tenant', servicePrincipalId: GRAPH.id, display: 'Microsoft Graph' });
    assert.deepEqual(g.dependsOn, ['sp:test/client']);
    assert.equal(grant.scope, 'Data.Read Data.Write', 'scopes sorted, space-separated');
  });

  test('one role missing: only that assignment is created', () => {
    const c = client(roles);
    const live = liveClient(c, (l) => l.assignments.splice(1, 1));
    assert.deepEqual(brief(run(c, live)), ['create-app-role-assignment assignment:test/client/test api/Write.All']);
  });

  test('a role no longer granted: its assignment is deleted, named by role', () => {
    const c = client(permission({ ...roles, roles: ['Read.All'] }));
    const live = liveClient(c, () => {}, client(roles));
    const cs = run(c, live);
    assert.deepEqual(
      cs.map((x) => x.action),
      ['delete-app-role-assignment'],
    );
    const del = cs[0] as Extract<Change, { action: 'delete-app-role-assignment' }>;
    assert.equal(del.role, 'Write.All');
    assert.equal(del.resourceId, idsFor('test--api').spId);
    assert.deepEqual(del.dependsOn, []);
  });

  test('adminConsent false: no assignment is made, and existing ones are revoked', () => {
    const c = client(permission({ ...roles, adminConsent: false }));
    assert.deepEqual(run(c, liveState()), []);
    const live = liveClient(c, () => {}, client(roles));
    assert.deepEqual(
      run(c, live).map((x) => x.action),
      ['delete-app-role-assignment', 'delete-app-role-assignment'],
    );
  });

  test('an assignment made in the portal on an API the manifest does not name is revoked (by role id)', () => {
    const c = client(roles);
    const stray = { id: fakeId('stray'), principalId: idsFor('test--client').spId, resourceId: fakeId('other-sp'), appRoleId: fakeId('other-role') };
    const cs = run(
      c,
      liveClient(c, (l) => l.assignments.push(stray)),
    );
    assert.deepEqual(brief(cs), [`delete-app-role-assignment assignment-remove:test/client/${stray.id}`]);
    assert.equal((cs[0] as Extract<Change, { action: 'delete-app-role-assignment' }>).role, stray.appRoleId);
  });

  test('granted scopes in another order: no change', () => {
    const c = client(scopes);
    assert.deepEqual(
      run(
        c,
        liveClient(c, (l) => (l.grants[0].scope = ' Data.Write  Data.Read ')),
      ),
      [],
    );
  });

  test('granted scopes differ: the grant is updated in place', () => {
    const c = client(scopes);
    const cs = run(
      c,
      liveClient(c, (l) => (l.grants[0].scope = 'Data.Read')),
    );
    assert.deepEqual(brief(cs), ['update-delegated-grant grant:test/client/test api']);
    const u = cs[0] as Extract<Change, { action: 'update-delegated-grant' }>;
    assert.deepEqual([u.before, u.scope, u.grantId], ['Data.Read', 'Data.Read Data.Write', fakeId('grant', 'test--client', idsFor('test--api').spId)]);
  });

  test('a tenant-wide grant the manifest no longer asks for is deleted; per-user grants are left alone', () => {
    const c = client();
    const live = liveClient(
      c,
      (l) => {
        l.grants.push({ id: 'user-grant', clientId: 'x', consentType: 'Principal', principalId: 'u', resourceId: 'r', scope: 'openid' });
      },
      client(scopes),
    );
    assert.deepEqual(brief(run(c, live)), [`delete-delegated-grant grant-remove:test/client/${fakeId('grant', 'test--client', idsFor('test--api').spId)}`]);
  });

  test('scopes without admin consent make no grant', () => {
    const c = client(permission({ ...scopes, adminConsent: false }));
    assert.deepEqual(run(c, liveState()), []);
  });

  test('an unknown scope fails even with consent', () => {
    const c = client(permission({ ...scopes, scopes: ['Data.Nope'] }));
    resolveFails(() => run(c, converged(client()).state), /scope "Data\.Nope"/);
  });

  test('resolved ids, not names, decide what exists', () => {
    // An assignment of a role with the same VALUE on another API must not satisfy this one.
    const c = client(graphRole);
    const other: ResolvedApi = apisOf(c, converged(c).state)[0];
    const live = liveClient(c, (l) => (l.assignments[0].resourceId = fakeId('another-api')));
    assert.equal(other.servicePrincipalId, GRAPH.id);
    assert.deepEqual(
      run(c, live)
        .map((x) => x.action)
        .sort(),
      ['create-app-role-assignment', 'delete-app-role-assignment'],
    );
  });
});
