import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import { planNames } from '../../src/cli/plan-names.js';
import { changeInWords } from '../../src/cli/render-change.js';
import { diffLines, valueLines } from '../../src/cli/render-diff.js';
import { renderPlan } from '../../src/cli/render-plan.js';
import type { Change, Plan } from '../../src/plan/types.js';

/**
 * Plans for people (issue 14): collections diffed element by element, GUIDs named by what they stand for,
 * applications by display name, waves numbered as in the JSON plan. Table-driven over hand-written plans.
 */
const plain = new Chalk({ level: 0 });
const ROLE_READ = '11111111-1111-4111-8111-111111111111';
const ROLE_WRITE = '22222222-2222-4222-8222-222222222222';
const ROLE_OLD = '33333333-3333-4333-8333-333333333333';
const API_SP = '44444444-4444-4444-8444-444444444444';
const role = (id: string, value: string, description = `${value} access`) => ({
  id,
  value,
  displayName: value,
  description,
  allowedMemberTypes: ['Application'],
  isEnabled: true,
});
const base = { wave: 0, dependsOn: [], reason: 'because' };

function plan(changes: Change[]): Plan {
  return {
    formatVersion: 1,
    createdAt: '2026-01-01T00:00:00Z',
    tenant: { id: 'tenant-id', kind: 'remote', identity: 'ci (app-id)' },
    stacks: ['s'],
    changes,
    warnings: [],
  };
}

const updateApi: Change = {
  ...base,
  id: 'app:s/api',
  action: 'update-application',
  app: 'app:s/api',
  uniqueName: 's--api',
  after: { displayName: 'Orders API' },
  fields: [
    {
      field: 'appRoles',
      before: [role(ROLE_READ, 'Orders.Read'), role(ROLE_OLD, 'Orders.Old')],
      after: [role(ROLE_WRITE, 'Orders.Write'), role(ROLE_READ, 'Orders.Read', 'Read every order')],
    },
    { field: 'identifierUris', before: ['api://s-api', 'api://old'], after: ['api://s-api', 'api://new'] },
    {
      field: 'api',
      before: { requestedAccessTokenVersion: 1, oauth2PermissionScopes: [] },
      after: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [] },
    },
  ],
};

describe('render-diff: collections element by element', () => {
  const names = planNames(plan([updateApi]));
  const cases: Array<{ name: string; field: string; before: unknown; after: unknown; expect: string[] }> = [
    {
      name: 'a role added, one description changed, one removed — matched by id, not position',
      field: 'appRoles',
      before: updateApi.action === 'update-application' ? updateApi.fields[0].before : [],
      after: updateApi.action === 'update-application' ? updateApi.fields[0].after : [],
      expect: [
        'appRoles:',
        '  + Orders.Write: description "Orders.Write access", allowedMemberTypes [Application], isEnabled true',
        '  ~ Orders.Read: description: "Orders.Read access" → "Read every order"',
        '  - Orders.Old',
      ],
    },
    {
      name: 'plain values: which were added, which removed',
      field: 'identifierUris',
      before: ['api://s-api', 'api://old'],
      after: ['api://s-api', 'api://new'],
      expect: ['identifierUris:', '  + "api://new"', '  - "api://old"'],
    },
    {
      name: 'an object: only the properties that change, by path',
      field: 'api',
      before: { requestedAccessTokenVersion: 1, oauth2PermissionScopes: [] },
      after: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [] },
      expect: ['api.requestedAccessTokenVersion: 1 → 2'],
    },
    {
      name: 'reordered elements: said as such, not as every element removed and added',
      field: 'appRoles',
      before: [role(ROLE_READ, 'A'), role(ROLE_WRITE, 'B')],
      after: [role(ROLE_WRITE, 'B'), role(ROLE_READ, 'A')],
      expect: ['appRoles: the same elements in another order'],
    },
    {
      name: "a property Graph adds (an app role's origin) is no change of the element",
      field: 'appRoles',
      before: [{ ...role(ROLE_READ, 'A', 'old'), origin: 'Application' }],
      after: [role(ROLE_READ, 'A', 'new')],
      expect: ['appRoles:', '  ~ A: description: "old" → "new"'],
    },
    {
      name: 'GUIDs in a permission list are named by the role they stand for; appId placeholders by the app',
      field: 'requiredResourceAccess',
      before: null,
      after: [{ resourceAppId: '{appId:app:s/api}', resourceAccess: [{ id: ROLE_READ, type: 'Role' }] }],
      expect: ['requiredResourceAccess:', '  + appId of Orders API: resourceAccess [Role Orders.Read]'],
    },
    {
      name: 'a scalar: before → after',
      field: 'signInAudience',
      before: 'AzureADMyOrg',
      after: 'AzureADMultipleOrgs',
      expect: ['signInAudience: "AzureADMyOrg" → "AzureADMultipleOrgs"'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(diffLines(c.field, c.before, c.after, names), c.expect));
  }

  it('a new object: collections one element a line, empty ones left out', () => {
    assert.deepEqual(
      [
        ...valueLines('appRoles', [role(ROLE_READ, 'Orders.Read')], names),
        ...valueLines('description', null, names),
        ...valueLines('tags', [], names),
        ...valueLines('identifierUris', ['api://{appId}'], names),
      ],
      [
        'appRoles:',
        '  + Orders.Read: description "Orders.Read access", allowedMemberTypes [Application], isEnabled true',
        'identifierUris:',
        '  + "api://{appId}" (known after apply)',
      ],
    );
  });
});

describe('render-plan: names instead of refs and GUIDs', () => {
  const revoke = (appRoleId: string, roleValue: string): Change => ({
    ...base,
    wave: 1,
    id: `assignment-remove:s/daemon/${appRoleId}`,
    action: 'delete-app-role-assignment',
    app: 'app:s/daemon',
    assignmentId: 'a-id',
    resourceId: API_SP,
    appRoleId,
    role: roleValue,
  });
  const grant: Change = {
    ...base,
    id: 'assignment:s/daemon/Graph/User.Read.All',
    action: 'create-app-role-assignment',
    app: 'app:s/daemon',
    resource: { kind: 'tenant', servicePrincipalId: API_SP, display: 'Orders API (tenant)' },
    appRoleId: ROLE_READ,
    role: 'Orders.Read',
  };
  const sp: Change = { ...base, id: 'sp:s/api', action: 'create-service-principal', app: 'app:s/api', after: {} };

  it('a revoke by GUID names the role (from the plan) and the API', () => {
    const p = plan([updateApi, grant, revoke(ROLE_OLD, ROLE_OLD)]);
    const text = renderPlan(p, plain);
    assert.match(text, /- revoke Orders\.Old on Orders API \(tenant\) from s--daemon {2}#/);
  });

  it('a revoked role of an API of the stack: the API named by the application whose roles the plan shows', () => {
    const text = renderPlan(plan([updateApi, revoke(ROLE_OLD, 'Orders.Old')]), plain);
    assert.match(text, /- revoke Orders\.Old on Orders API from s--daemon {2}#/);
  });

  it('an API the plan does not show is named as Graph recorded it on the assignment', () => {
    const c = { ...revoke(ROLE_OLD, 'Orders.Old'), resourceDisplayName: 'Legacy Orders' } as Change;
    assert.match(renderPlan(plan([c]), plain), /- revoke Orders\.Old on Legacy Orders from s--daemon {2}#/);
  });

  it('a GUID the plan cannot name is said to be one', () => {
    const unknown = '55555555-5555-4555-8555-555555555555';
    const text = renderPlan(plan([revoke(unknown, unknown)]), plain);
    assert.match(text, new RegExp(`revoke app role ${unknown} on the API with service principal ${API_SP} from s--daemon`));
  });

  it('service principals by their application display name; progress in words', () => {
    const p = plan([updateApi, sp]);
    assert.match(renderPlan(p, plain), /\+ create service principal for Orders API {2}#/);
    assert.equal(changeInWords(sp, planNames(p), 'doing'), 'creating service principal for Orders API');
    assert.equal(changeInWords(sp, planNames(p), 'done'), 'created service principal for Orders API');
    assert.equal(changeInWords(updateApi, planNames(p), 'done'), 'updated application Orders API (s--api)');
  });

  it('waves are numbered as in the JSON plan (from 0)', () => {
    const text = renderPlan(plan([updateApi, revoke(ROLE_OLD, 'Orders.Old')]), plain);
    assert.match(text, /^ {2}wave 0$/m);
    assert.match(text, /^ {2}wave 1$/m);
    assert.doesNotMatch(text, /wave 2/);
  });
});
