import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphFault } from '../../src/emulator/errors.js';
import { parseTypeRef, validateActionBody, validateBody } from '../../src/emulator/graph/validate-body.js';

/** The generic body validator is a pure function: table-driven cases, no network. */

function outcome(run: () => void): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (e instanceof GraphFault) return `${e.status} ${e.code}`;
    throw e;
  }
}

describe('validateBody', () => {
  const cases: Array<[string, string, unknown, string]> = [
    ['servicePrincipal with known properties', 'servicePrincipal', { appId: 'x', tags: ['a'], appRoleAssignmentRequired: true }, 'ok'],
    ['servicePrincipal with an unknown property', 'servicePrincipal', { appId: 'x', signInAudiences: 'x' }, '400 RequestBodyRead'],
    ['non-nullable boolean set to null', 'servicePrincipal', { appRoleAssignmentRequired: null }, '400 RequestBodyRead'],
    ['nullable string set to null', 'application', { notes: null }, 'ok'],
    ['Edm.Guid that is not a GUID', 'servicePrincipal', { appOwnerOrganizationId: 'abc' }, '400 RequestBodyRead'],
    ['Edm.Int32 given a string', 'apiApplication', { requestedAccessTokenVersion: '2' }, '400 RequestBodyRead'],
    ['DateTimeOffset without an offset', 'passwordCredential', { endDateTime: '2030-01-01T00:00:00' }, '400 RequestBodyRead'],
    ['DateTimeOffset with Z', 'passwordCredential', { endDateTime: '2030-01-01T00:00:00.000Z' }, 'ok'],
    [
      'nested collection of complex values',
      'application',
      { requiredResourceAccess: [{ resourceAppId: 'x', resourceAccess: [{ id: 'bad', type: 'Role' }] }] },
      '400 RequestBodyRead',
    ],
    ['instance annotations are ignored', 'application', { '@odata.type': '#microsoft.graph.application', displayName: 'x' }, 'ok'],
    ['@odata.type of an unrelated type', 'application', { '@odata.type': '#microsoft.graph.servicePrincipal' }, '400 RequestBodyRead'],
    ['navigation bind', 'application', { 'owners@odata.bind': ['https://graph.microsoft.com/v1.0/directoryObjects/x'] }, 'ok'],
    ['bind of something that is not a navigation property', 'application', { 'colours@odata.bind': ['x'] }, '400 RequestBodyRead'],
    [
      'derived complex type by @odata.type',
      'conditionalAccessSessionControls',
      { signInFrequency: { '@odata.type': '#microsoft.graph.signInFrequencySessionControl', isEnabled: true, value: 1 } },
      'ok',
    ],
    ['enum member', 'conditionalAccessConditionSet', { clientAppTypes: ['all'] }, 'ok'],
    ['unknown enum member', 'conditionalAccessConditionSet', { clientAppTypes: ['sometimes'] }, '400 RequestBodyRead'],
    ['an array where an object is expected', 'application', [], '400 RequestBodyRead'],
  ];
  for (const [name, type, body, expected] of cases) {
    it(name, () =>
      assert.equal(
        outcome(() => validateBody(type, body)),
        expected,
      ),
    );
  }

  it('names the nested type and property in the message', () => {
    assert.throws(
      () => validateBody('application', { web: { implicitGrantSettings: { enableIdTokens: true } } }),
      (e: GraphFault) => /'enableIdTokens' does not exist on type 'microsoft\.graph\.implicitGrantSettings'/.test(e.message),
    );
  });
});

describe('validateActionBody', () => {
  it('accepts the documented parameters and rejects others', () => {
    assert.equal(
      outcome(() => validateActionBody('application', 'addPassword', { passwordCredential: { displayName: 'x' } })),
      'ok',
    );
    assert.equal(
      outcome(() => validateActionBody('application', 'removePassword', { keyId: 'nope' })),
      '400 RequestBodyRead',
    );
    assert.equal(
      outcome(() => validateActionBody('servicePrincipal', 'addPassword', { password: 'x' })),
      '400 RequestBodyRead',
    );
  });
});

describe('parseTypeRef', () => {
  it('reads both collection spellings and nullability', () => {
    assert.deepEqual(parseTypeRef('appRole[] (not null)'), { name: 'appRole', collection: true, nullable: false });
    assert.deepEqual(parseTypeRef('Collection(Edm.String)'), { name: 'Edm.String', collection: true, nullable: true });
    assert.deepEqual(parseTypeRef('Edm.Guid'), { name: 'Edm.Guid', collection: false, nullable: true });
  });
});
