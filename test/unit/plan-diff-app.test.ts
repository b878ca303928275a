import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '@microsoft/microsoft-graph-types';
import type { LiveApplication } from '../../src/model/live.js';
import { diffApplication, entitlementsToDisable } from '../../src/plan/diff-app.js';
import type { PlanApplication } from '../../src/plan/input.js';
import type { Change } from '../../src/plan/types.js';
import { appRole, optionalClaim, scope } from '../helpers/builders.js';
import { convergedLive, edit, fakeId, idsFor, planApp } from '../helpers/plan-builders.js';

/** The converged live application of a desired one (as if a previous apply made it). */
function liveOf(d: PlanApplication): LiveApplication {
  return convergedLive([{ name: d.stack, applications: [d], policies: [] }]).state.applications[d.uniqueName.toLowerCase()];
}

const diff = (desired: PlanApplication, live?: LiveApplication, rra = live?.app.requiredResourceAccess ?? []) =>
  diffApplication({ desired, live, requiredResourceAccess: rra, resourceDeps: [] });
const actions = (cs: Change[]) => cs.map((c) => c.action);
const only = <A extends Change['action']>(cs: Change[], action: A) => {
  const found = cs.filter((c) => c.action === action);
  assert.equal(found.length, 1, `one ${action} in ${JSON.stringify(actions(cs))}`);
  return found[0] as Extract<Change, { action: A }>;
};

const API = planApp({
  key: 'api',
  identifierUris: ['api://{appId}'],
  appRoles: [appRole({ value: 'Read.All' }), appRole({ value: 'Write.All' })],
  oauth2PermissionScopes: [scope({ value: 'Data.Read' })],
  optionalClaims: { accessToken: [optionalClaim('idtyp')], idToken: [], saml2Token: [] },
});

describe('diffApplication: create', () => {
  test('a missing app is upserted by uniqueName; api://{appId} waits for a configure step', () => {
    const cs = diff(API);
    assert.deepEqual(actions(cs), ['create-application', 'configure-application']);
    const create = only(cs, 'create-application');
    assert.equal(create.uniqueName, 'test--api');
    assert.equal(create.after.uniqueName, 'test--api');
    assert.equal(create.after.displayName, 'test api');
    assert.deepEqual(create.after.tags, ['tenantform:stack=test']);
    assert.equal('identifierUris' in create.after, false, 'the appId does not exist yet');
    assert.deepEqual(create.after.api, { requestedAccessTokenVersion: 2, oauth2PermissionScopes: API.oauth2PermissionScopes });
    const configure = only(cs, 'configure-application');
    assert.deepEqual(configure.after, { identifierUris: ['api://{appId}'] });
    assert.deepEqual(configure.dependsOn, ['app:test/api']);
  });

  test('identifier URIs without {appId} go into the create itself', () => {
    const cs = diff(planApp({ identifierUris: ['https://contoso.onmicrosoft.com/x'] }));
    assert.deepEqual(actions(cs), ['create-application']);
    assert.deepEqual(only(cs, 'create-application').after.identifierUris, ['https://contoso.onmicrosoft.com/x']);
  });

  test('permissions on an API created in the same apply wait for its appId', () => {
    const rra = [{ resourceAppId: '{appId:app:test/api}', resourceAccess: [{ id: fakeId('r'), type: 'Role' }] }];
    const cs = diffApplication({ desired: planApp({ key: 'daemon' }), requiredResourceAccess: rra, resourceDeps: ['app:test/api'] });
    assert.deepEqual(actions(cs), ['create-application', 'configure-application']);
    assert.equal('requiredResourceAccess' in only(cs, 'create-application').after, false);
    const configure = only(cs, 'configure-application');
    assert.deepEqual(configure.after, { requiredResourceAccess: rra });
    assert.deepEqual(configure.dependsOn, ['app:test/daemon', 'app:test/api']);
  });

  test('known permissions are part of the create', () => {
    const rra = [{ resourceAppId: fakeId('graph'), resourceAccess: [{ id: fakeId('r'), type: 'Role' }] }];
    const cs = diffApplication({ desired: planApp(), requiredResourceAccess: rra, resourceDeps: [] });
    assert.deepEqual(actions(cs), ['create-application']);
    assert.deepEqual(only(cs, 'create-application').after.requiredResourceAccess, rra);
  });
});

describe('diffApplication: update', () => {
  test('a converged application plans nothing', () => assert.deepEqual(diff(API, liveOf(API)), []));

  const cases: Array<{ name: string; live: (a: Application) => void; fields: string[]; after: Record<string, unknown> }> = [
    { name: 'displayName (rename in place)', live: (a) => (a.displayName = 'old'), fields: ['displayName'], after: { displayName: 'test api' } },
    { name: 'description', live: (a) => (a.description = 'drift'), fields: ['description'], after: { description: null } },
    { name: 'signInAudience', live: (a) => (a.signInAudience = 'AzureADMultipleOrgs'), fields: ['signInAudience'], after: { signInAudience: 'AzureADMyOrg' } },
    {
      name: 'token version',
      live: (a) => (a.api!.requestedAccessTokenVersion = null),
      fields: ['api.requestedAccessTokenVersion'],
      after: { api: { requestedAccessTokenVersion: 2 } },
    },
    {
      name: 'optional claims',
      live: (a) => (a.optionalClaims = null),
      fields: ['optionalClaims'],
      after: { optionalClaims: { accessToken: [optionalClaim('idtyp')], idToken: [], saml2Token: [] } },
    },
    {
      name: 'identifier URIs (with the real appId)',
      live: (a) => (a.identifierUris = []),
      fields: ['identifierUris'],
      after: { identifierUris: [`api://${idsFor('test--api').appId}`] },
    },
    {
      name: 'ownership tag missing, foreign tag kept',
      live: (a) => (a.tags = ['HideApp']),
      fields: ['tags'],
      after: { tags: ['HideApp', 'tenantform:stack=test'] },
    },
    { name: 'stale tenantform tag dropped', live: (a) => a.tags!.push('tenantform:old'), fields: ['tags'], after: { tags: ['tenantform:stack=test'] } },
    {
      name: 'two fields: one PATCH, api parts merged',
      live: (a) => {
        a.displayName = 'old';
        a.api!.requestedAccessTokenVersion = 1;
      },
      fields: ['displayName', 'api.requestedAccessTokenVersion'],
      after: { displayName: 'test api', api: { requestedAccessTokenVersion: 2 } },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const live = edit(liveOf(API), (l) => c.live(l.app));
      const cs = diff(API, live);
      const u = only(cs, 'update-application');
      assert.deepEqual(actions(cs), ['update-application']);
      assert.deepEqual(
        u.fields.map((f) => f.field),
        c.fields,
      );
      assert.deepEqual(u.after, c.after);
      assert.deepEqual(u.dependsOn, []);
    });
  }

  test('a field change records before and after', () => {
    const cs = diff(
      API,
      edit(liveOf(API), (l) => (l.app.displayName = 'old')),
    );
    assert.deepEqual(only(cs, 'update-application').fields, [{ field: 'displayName', before: 'old', after: 'test api' }]);
  });

  test('an existing app whose resource API is created in this apply configures permissions after it', () => {
    const d = planApp({ key: 'daemon' });
    const rra = [{ resourceAppId: '{appId:app:test/api}', resourceAccess: [{ id: fakeId('r'), type: 'Role' }] }];
    const cs = diffApplication({ desired: d, live: liveOf(d), requiredResourceAccess: rra, resourceDeps: [] });
    assert.deepEqual(actions(cs), ['configure-application']);
    assert.deepEqual(only(cs, 'configure-application').dependsOn, []);
  });
});

/** Live API app with one change made to the desired roles/scopes; what must be disabled first? */
describe('diffApplication: enabled roles and scopes are disabled before they change or go', () => {
  const read = API.appRoles[0];
  const dataRead = API.oauth2PermissionScopes[0];
  const withRoles = (roles: PlanApplication['appRoles'], scopes = API.oauth2PermissionScopes): PlanApplication => ({
    ...API,
    appRoles: roles,
    oauth2PermissionScopes: scopes,
  });
  const cases: Array<{ name: string; desired: PlanApplication; live?: (a: Application) => void; roles: string[]; scopes: string[] }> = [
    { name: 'role description changed', desired: withRoles([{ ...read, description: 'new' }, API.appRoles[1]]), roles: ['Read.All'], scopes: [] },
    { name: 'role displayName changed', desired: withRoles([{ ...read, displayName: 'new' }, API.appRoles[1]]), roles: ['Read.All'], scopes: [] },
    { name: 'role value changed (same id)', desired: withRoles([{ ...read, value: 'Read.Everything' }, API.appRoles[1]]), roles: ['Read.All'], scopes: [] },
    {
      name: 'role allowedMemberTypes changed',
      desired: withRoles([{ ...read, allowedMemberTypes: ['Application', 'User'] }, API.appRoles[1]]),
      roles: ['Read.All'],
      scopes: [],
    },
    { name: 'role removed', desired: withRoles([API.appRoles[1]]), roles: ['Read.All'], scopes: [] },
    { name: 'two roles removed', desired: withRoles([]), roles: ['Read.All', 'Write.All'], scopes: [] },
    {
      name: 'scope consent text changed',
      desired: withRoles(API.appRoles, [{ ...dataRead, adminConsentDescription: 'new' }]),
      roles: [],
      scopes: ['Data.Read'],
    },
    { name: 'scope type changed', desired: withRoles(API.appRoles, [{ ...dataRead, type: 'User' }]), roles: [], scopes: ['Data.Read'] },
    { name: 'scope removed', desired: withRoles(API.appRoles, []), roles: [], scopes: ['Data.Read'] },
    { name: 'role and scope removed', desired: withRoles([API.appRoles[1]], []), roles: ['Read.All'], scopes: ['Data.Read'] },
  ];
  for (const c of cases) {
    test(`${c.name} → disable, then update`, () => {
      const live = liveOf(API);
      const cs = diff(c.desired, live);
      assert.deepEqual(actions(cs), ['disable-entitlements', 'update-application']);
      const disable = only(cs, 'disable-entitlements');
      assert.deepEqual(disable.roles, c.roles);
      assert.deepEqual(disable.scopes, c.scopes);
      assert.equal(disable.id, 'app:test/api#disable');
      assert.deepEqual(only(cs, 'update-application').dependsOn, ['app:test/api#disable']);
      // The disable write is the LIVE list with exactly those entries switched off (PATCH replaces collections).
      if (c.roles.length) {
        const roles = disable.after.appRoles as Array<{ value: string; isEnabled: boolean }>;
        assert.deepEqual(
          roles.map((r) => r.value),
          live.app.appRoles!.map((r) => r.value),
        );
        assert.deepEqual(
          roles.filter((r) => !r.isEnabled).map((r) => r.value),
          c.roles,
        );
      } else assert.equal('appRoles' in disable.after, false);
      if (c.scopes.length) {
        const scopes = (disable.after.api as { oauth2PermissionScopes: Array<{ value: string; isEnabled: boolean }> }).oauth2PermissionScopes;
        assert.deepEqual(
          scopes.filter((s) => !s.isEnabled).map((s) => s.value),
          c.scopes,
        );
      } else assert.equal('api' in disable.after, false);
    });
  }

  const noDisable: Array<{ name: string; desired: PlanApplication; live?: (a: Application) => void }> = [
    { name: 'disabling a role alone', desired: withRoles([{ ...read, isEnabled: false }, API.appRoles[1]]) },
    { name: 'disabling a scope alone', desired: withRoles(API.appRoles, [{ ...dataRead, isEnabled: false }]) },
    { name: 'removing a role that is already disabled', desired: withRoles([API.appRoles[1]]), live: (a) => (a.appRoles![0].isEnabled = false) },
    {
      name: 'changing a role that is already disabled',
      desired: withRoles([{ ...read, isEnabled: false, description: 'new' }, API.appRoles[1]]),
      live: (a) => (a.appRoles![0].isEnabled = false),
    },
    { name: 'adding a role', desired: withRoles([...API.appRoles, appRole({ value: 'Admin.All' })]) },
    { name: 're-enabling a disabled role', desired: API, live: (a) => (a.appRoles![0].isEnabled = false) },
  ];
  for (const c of noDisable) {
    test(`${c.name} → one update, no disable step`, () => {
      const live = edit(liveOf(API), (l) => c.live?.(l.app));
      assert.deepEqual(actions(diff(c.desired, live)), ['update-application']);
    });
  }

  test('role order and id case in Graph are not changes', () => {
    const live = edit(liveOf(API), (l) => {
      l.app.appRoles = [...l.app.appRoles!].reverse().map((r) => ({ ...r, id: r.id!.toUpperCase() }));
    });
    assert.deepEqual(diff(API, live), []);
    assert.deepEqual(entitlementsToDisable(live.app, API), { roles: [], scopes: [], body: {} });
  });
});
