import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppRole, OptionalClaims, PermissionScope, RequiredResourceAccess } from '@microsoft/microsoft-graph-types';
import { canonOptionalClaims, canonRequiredResourceAccess, canonRoles, canonScopes, canonStrings, mergeTags, same } from '../../src/plan/normalize.js';
import { deepFreeze } from '../helpers/plan-builders.js';

/** Each row: two Graph values that must compare equal (or not) after canonicalisation. */
type Row<T> = [name: string, a: T, b: T, equal: boolean];

function table<T>(title: string, canon: (v: T) => unknown, rows: Row<T>[]): void {
  describe(title, () => {
    for (const [name, a, b, equal] of rows) {
      test(`${name} → ${equal ? 'same' : 'different'}`, () => {
        assert.equal(same(canon(deepFreeze(a)), canon(deepFreeze(b))), equal);
      });
    }
  });
}

const R1 = 'AAAAAAAA-0000-0000-0000-000000000001';
const R2 = 'bbbbbbbb-0000-0000-0000-000000000002';
const role = (id: string, o: Partial<AppRole> = {}): AppRole => ({
  id,
  value: `v${id.slice(-1)}`,
  displayName: 'd',
  description: 'x',
  allowedMemberTypes: ['Application'],
  isEnabled: true,
  ...o,
});

table<AppRole[] | null | undefined>('canonRoles', canonRoles, [
  ['null, undefined and []', null, [], true],
  ['undefined and []', undefined, [], true],
  ['order of roles', [role(R1), role(R2)], [role(R2), role(R1)], true],
  ['id case', [role(R1)], [role(R1.toLowerCase())], true],
  ['allowedMemberTypes order', [role(R1, { allowedMemberTypes: ['User', 'Application'] })], [role(R1, { allowedMemberTypes: ['Application', 'User'] })], true],
  ['description null vs empty string', [role(R1, { description: null })], [role(R1, { description: '' })], true],
  ['isEnabled missing reads as enabled', [role(R1, { isEnabled: undefined })], [role(R1)], true],
  ['origin (read-only) is ignored', [role(R1, { origin: 'Application' })], [role(R1)], true],
  ['description text', [role(R1, { description: 'a' })], [role(R1, { description: 'b' })], false],
  ['disabled', [role(R1, { isEnabled: false })], [role(R1)], false],
  ['one more role', [role(R1)], [role(R1), role(R2)], false],
]);

const scope = (id: string, o: Partial<PermissionScope> = {}): PermissionScope => ({
  id,
  value: 'S',
  type: 'User',
  adminConsentDisplayName: 'a',
  adminConsentDescription: 'b',
  userConsentDisplayName: null,
  userConsentDescription: null,
  isEnabled: true,
  ...o,
});
table<PermissionScope[] | null | undefined>('canonScopes', canonScopes, [
  ['null and []', null, [], true],
  ['order', [scope(R1), scope(R2, { value: 'T' })], [scope(R2, { value: 'T' }), scope(R1)], true],
  ['user consent texts null vs missing', [scope(R1, { userConsentDisplayName: undefined })], [scope(R1)], true],
  ['type', [scope(R1, { type: 'Admin' })], [scope(R1)], false],
  ['user consent text', [scope(R1, { userConsentDescription: 'x' })], [scope(R1)], false],
]);

const claim = (name: string, o: object = {}) => ({ name, source: null, essential: false, additionalProperties: [], ...o });
table<OptionalClaims | null | undefined>('canonOptionalClaims', canonOptionalClaims, [
  ['null and three empty lists', null, { accessToken: [], idToken: [], saml2Token: [] }, true],
  ['missing lists and null lists', {}, { accessToken: null, idToken: [], saml2Token: null } as OptionalClaims, true],
  ['claim order', { accessToken: [claim('idtyp'), claim('acct')] }, { accessToken: [claim('acct'), claim('idtyp')] }, true],
  ['essential missing vs false; source missing vs null', { accessToken: [{ name: 'idtyp' }] }, { accessToken: [claim('idtyp')] }, true],
  [
    'additionalProperties order',
    { idToken: [claim('upn', { additionalProperties: ['a', 'b'] })] },
    { idToken: [claim('upn', { additionalProperties: ['b', 'a'] })] },
    true,
  ],
  ['a claim vs none', { accessToken: [claim('idtyp')] }, null, false],
  ['the same claim on another token', { accessToken: [claim('idtyp')] }, { idToken: [claim('idtyp')] }, false],
  ['essential', { accessToken: [claim('idtyp', { essential: true })] }, { accessToken: [claim('idtyp')] }, false],
]);

const rra = (appId: string, ...access: Array<[string, string]>): RequiredResourceAccess => ({
  resourceAppId: appId,
  resourceAccess: access.map(([id, type]) => ({ id, type })),
});
table<RequiredResourceAccess[] | null | undefined>('canonRequiredResourceAccess', canonRequiredResourceAccess, [
  ['null and []', null, [], true],
  ['order of APIs and of access', [rra('a', [R1, 'Role'], [R2, 'Scope']), rra('b')], [rra('b'), rra('a', [R2, 'Scope'], [R1, 'Role'])], true],
  ['GUID case', [rra('A', [R1, 'Role'])], [rra('a', [R1.toLowerCase(), 'Role'])], true],
  ['Role vs Scope', [rra('a', [R1, 'Role'])], [rra('a', [R1, 'Scope'])], false],
  ['one more API', [rra('a')], [rra('a'), rra('b')], false],
]);

table<string[] | null | undefined>('canonStrings', canonStrings, [
  ['null and []', null, [], true],
  ['order', ['b', 'a'], ['a', 'b'], true],
  ['case matters', ['A'], ['a'], false],
]);

describe('mergeTags', () => {
  const rows: Array<[string, string[] | null, string[], string[]]> = [
    ['no live tags', null, ['tenantform:stack=s'], ['tenantform:stack=s']],
    ['foreign tags are kept, sorted', ['Zeta', 'HideApp'], ['tenantform:stack=s'], ['HideApp', 'Zeta', 'tenantform:stack=s']],
    ['stale tenantform tags go', ['tenantform:stack=old', 'tenantform:x'], ['tenantform:stack=s'], ['tenantform:stack=s']],
    ['no duplicates', ['HideApp', 'tenantform:stack=s'], ['tenantform:stack=s', 'HideApp'], ['HideApp', 'tenantform:stack=s']],
  ];
  for (const [name, live, managed, expect] of rows) {
    test(name, () => assert.deepEqual(mergeTags(live && deepFreeze(live), deepFreeze(managed)), expect));
  }
});

describe('same: exactly JSON.stringify(a) === JSON.stringify(b)', () => {
  class Box {
    constructor(readonly v: number) {}
  }
  const values: unknown[] = [
    undefined,
    null,
    0,
    -0,
    1,
    NaN,
    Infinity,
    '',
    'a',
    '1',
    true,
    false,
    () => 1,
    [],
    [null],
    [undefined],
    [() => 1],
    [1, 2],
    [2, 1],
    [[1], { a: 1 }],
    {},
    { a: undefined },
    { a: null },
    { a: 1 },
    { a: 1, b: 2 },
    { b: 2, a: 1 },
    { a: 1, b: undefined },
    { a: { b: [1, { c: 'x' }] } },
    { a: { b: [1, { c: 'y' }] } },
    { 2: 'x', 1: 'y' },
    Object.assign(Object.create(null), { a: 1 }),
    new Date(0),
    '1970-01-01T00:00:00.000Z',
    { toJSON: () => 1 },
    new Box(1),
    { v: 1 },
    { a: new Date(0) },
    { a: '1970-01-01T00:00:00.000Z' },
  ];
  test('every pair of a table of values', () => {
    for (const a of values) {
      for (const b of values) {
        assert.equal(same(a, b), JSON.stringify(a) === JSON.stringify(b), `${String(JSON.stringify(a))} vs ${String(JSON.stringify(b))}`);
      }
    }
  });
});
