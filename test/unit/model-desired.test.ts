import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import {
  applicationTags,
  identifierUrisFor,
  needsAppId,
  ownerOf,
  ownershipTagFor,
  parseUniqueName,
  renderTemplate,
  servicePrincipalTags,
  stableId,
  templateRefs,
  uniqueNameFor,
} from '../../src/model/desired.js';
import { appRole, desiredApp, ref, text } from '../helpers/builders.js';

describe('stableId', () => {
  test('a deterministic UUIDv5', () => {
    const a = stableId({ stack: 's', app: 'a', kind: 'appRole', value: 'R' });
    assert.equal(a, stableId({ stack: 's', app: 'a', kind: 'appRole', value: 'R' }));
    assert.ok(isUuid(a));
    assert.equal(uuidVersion(a), 5);
  });
  test('kind is part of the name', () => {
    assert.notEqual(stableId({ stack: 's', app: 'a', kind: 'appRole', value: 'R' }), stableId({ stack: 's', app: 'a', kind: 'scope', value: 'R' }));
  });
});

describe('uniqueName', () => {
  const cases: Array<[string, string, string]> = [
    ['todolist-daemon', 'api', 'todolist-daemon--api'],
    ['a', 'b-c', 'a--b-c'],
    ['a-b', 'c', 'a-b--c'],
    ['s', 'x--y', 's--x--y'],
  ];
  for (const [stack, key, name] of cases) {
    test(`${stack} + ${key} ↔ ${name}`, () => {
      assert.equal(uniqueNameFor(stack, key), name);
      assert.deepEqual(parseUniqueName(name), { stack, key });
    });
  }
  test('stacks "a"/"b-c" and "a-b"/"c" do not collide', () => assert.notEqual(uniqueNameFor('a', 'b-c'), uniqueNameFor('a-b', 'c')));
  test('names tenantform did not make', () => {
    assert.equal(parseUniqueName('portal-app'), undefined);
    assert.equal(parseUniqueName('--x'), undefined);
    assert.equal(parseUniqueName('x--'), undefined);
  });
});

describe('ownership', () => {
  test('tag and owner', () => {
    assert.equal(ownershipTagFor('s'), 'tenantform:stack=s');
    assert.equal(ownerOf(['HideApp', 'tenantform:stack=s']), 's');
    assert.equal(ownerOf(['HideApp']), undefined);
    assert.equal(ownerOf(null), undefined);
  });
  test('tags of the application and of its service principal', () => {
    const app = desiredApp({ stack: 's', servicePrincipal: { appRoleAssignmentRequired: false, tags: ['HideApp', 'tenantform:stack=s'] } });
    assert.deepEqual(applicationTags(app), ['tenantform:stack=s']);
    assert.deepEqual(servicePrincipalTags(app), ['tenantform:stack=s', 'HideApp']);
  });
});

describe('identifier URIs and templates', () => {
  test('{appId} is filled in', () => {
    const app = desiredApp({ identifierUris: ['api://{appId}', 'https://contoso.com/{appId}/x', 'urn:x'] });
    assert.deepEqual(identifierUrisFor(app, 'abc'), ['api://abc', 'https://contoso.com/abc/x', 'urn:x']);
    assert.equal(needsAppId(app), true);
    assert.equal(needsAppId(desiredApp({ identifierUris: ['urn:x'] })), false);
  });
  test('renderTemplate and templateRefs', () => {
    const parts = [ref({ kind: 'identifierUri', app: 'api' }), text('/.default')];
    assert.deepEqual(templateRefs(parts), [{ kind: 'identifierUri', app: 'api' }]);
    assert.equal(
      renderTemplate(parts, () => 'api://x'),
      'api://x/.default',
    );
  });
});

describe('builders', () => {
  test('desiredApp derives role ids for its own stack and key, and keeps explicit ids', () => {
    const app = desiredApp({ stack: 's', key: 'api', appRoles: [appRole({ value: 'R' }), appRole({ value: 'Q', id: 'fixed' })] });
    assert.equal(app.appRoles[0].id, stableId({ stack: 's', app: 'api', kind: 'appRole', value: 'R' }));
    assert.equal(app.appRoles[1].id, 'fixed');
  });
});
