import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TenantformError } from '../../src/errors.js';
import type { Problem } from '../../src/manifest/index.js';
import { diffStacks } from '../../src/plan/diff.js';
import { resolutionProblems } from '../../src/plan/diff-access.js';
import type { PlanApplication, PlanStack } from '../../src/plan/input.js';
import { appRole, location, permission, stackApi, tenantApi } from '../helpers/builders.js';
import { liveState, planApp, planInputs, tenantSp } from '../helpers/plan-builders.js';

/**
 * Names a manifest gives that only the tenant can resolve (a Graph permission value, an API's display name, a
 * client's appId): every one of them in one refusal, each at its own place in the manifest, with the closest
 * names the tenant does have.
 */
const GRAPH = tenantSp({
  displayName: 'Microsoft Graph',
  appId: '00000003-0000-0000-c000-000000000000',
  roles: [{ value: 'User.Read.All' }, { value: 'User.ReadWrite.All' }, { value: 'Application.Read.All' }],
  scopes: [{ value: 'User.Read' }, { value: 'openid' }],
});
const live = liveState({ resources: { 'Microsoft Graph': { servicePrincipal: GRAPH }, 'Microsoft Grpah': null } });
const at = (line: number, column: number) => location(line, column, 'm.yaml');
const api = planApp({ key: 'api', appRoles: [appRole({ value: 'Read.All' })] });
const stackOf = (...apps: PlanApplication[]): PlanStack => ({ name: 'test', applications: [api, ...apps], policies: [] });
const client = (o: Parameters<typeof planApp>[0]) => planApp({ key: 'client', ...o });
const brief = (ps: Problem[]) => ps.map((p) => `${p.location.line}:${p.location.column} ${p.code} ${p.hint ?? ''}`);

describe('resolutionProblems', () => {
  test('every unresolved name at once, each at its own value, with did-you-mean', () => {
    const c = client({
      permissions: [
        permission({
          api: tenantApi('Microsoft Graph'),
          roles: ['User.Read.All', 'User.Reed.All'],
          scopes: ['User.Raed'],
          sources: { api: at(6, 14), roles: [at(7, 17), at(7, 32)], scopes: [at(8, 18)] },
        }),
        permission({ api: tenantApi('Microsoft Grpah'), roles: ['User.Read.All'], sources: { api: at(9, 14), roles: [at(10, 17)], scopes: [] } }),
      ],
    });
    assert.deepEqual(brief(resolutionProblems([stackOf(c)], live)), [
      '7:32 unresolved-permission did you mean "User.Read.All"?',
      '8:18 unresolved-permission did you mean "User.Read"?',
      '9:14 unresolved-api did you mean "Microsoft Graph"?',
    ]);
  });

  test('a value under the wrong key: says which key it belongs under', () => {
    const c = client({ permissions: [permission({ api: tenantApi('Microsoft Graph'), roles: ['openid'], scopes: ['Application.Read.All'] })] });
    const hints = resolutionProblems([stackOf(c)], live).map((p) => p.hint);
    assert.deepEqual(hints, [
      '"openid" is a delegated permission (scope) of Microsoft Graph: list it under scopes:',
      '"Application.Read.All" is an application permission (app role) of Microsoft Graph: list it under roles:',
    ]);
  });

  test('nothing close: what the API does publish, a few of them', () => {
    const c = client({ permissions: [permission({ api: tenantApi('Microsoft Graph'), roles: ['Sites.FullControl.All'] })] });
    const [p] = resolutionProblems([stackOf(c)], live);
    assert.equal(p.message, '"Sites.FullControl.All" is not an application permission (app role) of Microsoft Graph (asked for by application "client")');
    assert.equal(p.hint, 'Microsoft Graph publishes 3 roles: Application.Read.All, User.Read.All, User.ReadWrite.All');
  });

  test('an API named by appId that is not in the tenant; a client appId that is not either', () => {
    const appId = '11111111-2222-3333-4444-555555555555';
    const unknown = { kind: 'appId' as const, appId: '0b0b0b0b-1111-4222-8333-444444444444', location: at(12, 30) };
    const c = client({
      permissions: [permission({ api: tenantApi(appId), roles: ['X'], location: at(5, 9) })],
      knownClientApplications: [unknown],
    });
    const ps = resolutionProblems([stackOf(c)], liveState({ resources: { [appId]: null } }));
    assert.deepEqual(
      ps.map((p) => [p.code, `${p.location.line}:${p.location.column}`]),
      [
        ['unresolved-api', '5:9'], // no sources (an older snapshot): the permission entry
        ['unresolved-client', '12:30'],
      ],
    );
    assert.match(ps[0].hint!, /admin consent to it creates one/);
  });

  test('names that resolve: no problem (stack APIs included)', () => {
    const c = client({
      permissions: [
        permission({ api: tenantApi('Microsoft Graph'), roles: ['User.Read.All'], scopes: ['openid'] }),
        permission({ api: stackApi('api'), roles: ['Read.All'] }),
      ],
    });
    assert.deepEqual(resolutionProblems([stackOf(c)], live), []);
  });
});

describe('the planner refuses them all in one RESOLVE_FAILED', () => {
  const c = client({
    permissions: [
      permission({ api: tenantApi('Microsoft Graph'), roles: ['User.Reed.All'], sources: { api: at(6, 14), roles: [at(7, 17)], scopes: [] } }),
      permission({ api: tenantApi('Microsoft Grpah'), roles: ['User.Read.All'], sources: { api: at(9, 14), roles: [at(10, 17)], scopes: [] } }),
    ],
  });

  test('meta.problems holds every problem; the message starts at the first one', () => {
    assert.throws(
      () => diffStacks(planInputs({ stacks: [stackOf(c)], live })),
      (e: unknown) => {
        assert.ok(e instanceof TenantformError);
        assert.equal(e.code, 'RESOLVE_FAILED');
        assert.equal((e.meta.problems as Problem[]).length, 2);
        assert.match(e.message, /^2 names in the manifests do not resolve in the tenant; the first: m\.yaml:7:17: "User\.Reed\.All" is not/);
        assert.match(String(e.meta.summary), /^2 names in the manifests do not resolve in the tenant \(above, with file:line:column\); nothing was changed\.$/);
        return true;
      },
    );
  });

  test('one problem: the message is that problem, located (the programmatic API has no list to print)', () => {
    const one = client({ permissions: [c.permissions[0]] });
    assert.throws(
      () => diffStacks(planInputs({ stacks: [stackOf(one)], live })),
      (e: unknown) =>
        e instanceof TenantformError &&
        e.message ===
          'm.yaml:7:17: "User.Reed.All" is not an application permission (app role) of Microsoft Graph (asked for by application "client") (did you mean "User.Read.All"?)',
    );
  });
});
