/**
 * The zod schema and its mapping to problems; the committed JSON Schema is the generated one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { manifestSchemaText as schemaText } from '../../src/manifest/schema.js';
import { validateManifests } from '../../src/manifest/index.js';
import { objectKeysAt } from '../../src/manifest/issues.js';
import { ManifestSchema } from '../../src/manifest/schema.js';
import { check, codes, only } from '../helpers/manifests.js';

describe('JSON Schema', () => {
  test('schema/tenantform.schema.json is what `tenantform schema` prints (regenerate: tenantform schema > schema/tenantform.schema.json)', () => {
    assert.equal(readFileSync('schema/tenantform.schema.json', 'utf8'), schemaText());
  });

  test('draft-07, strict objects, defaults do not make keys required', () => {
    const schema = JSON.parse(schemaText());
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['stack']);
    const app = schema.properties.applications.additionalProperties;
    assert.equal(app.additionalProperties, false);
    assert.deepEqual(app.required, ['displayName']);
    assert.equal(app.properties.appRoles.items.properties.value.pattern.startsWith('^'), true);
  });

  test('the example manifest points editors at it', () => {
    const first = readFileSync('manifests/todolist-daemon.yaml', 'utf8').split('\n')[0];
    assert.equal(first, '# yaml-language-server: $schema=../schema/tenantform.schema.json');
  });
});

test('the example manifest is valid', async () => {
  const result = await validateManifests(['manifests/todolist-daemon.yaml'], { env: {} });
  assert.deepEqual(result.problems, []);
  assert.equal(result.ok, true);
  assert.equal(result.stacks.length, 1);
});

describe('structure problems', () => {
  const cases: Array<[string, string, string[]]> = [
    ['empty file', '', ['missing-field']],
    ['not a mapping', '- a\n- b\n', ['wrong-type']],
    ['unknown top-level key', 'stack: s\naplications: {}\n', ['unknown-key aplications']],
    [
      'wrong type of a boolean',
      'stack: s\napplications:\n  a:\n    displayName: a\n    servicePrincipal: {appRoleAssignmentRequired: "yes"}\n',
      ['wrong-type applications.a.servicePrincipal.appRoleAssignmentRequired'],
    ],
    ['enum value', 'stack: s\napplications:\n  a:\n    displayName: a\n    signInAudience: AzureADMyorg\n', ['invalid-value applications.a.signInAudience']],
    [
      'token version 3',
      'stack: s\napplications:\n  a:\n    displayName: a\n    api: {requestedAccessTokenVersion: 3}\n',
      ['invalid-value applications.a.api.requestedAccessTokenVersion'],
    ],
    ['empty displayName', 'stack: s\napplications:\n  a:\n    displayName: ""\n', ['invalid-value applications.a.displayName']],
    ['empty value of a key', 'stack: s\napplications:\n  a:\n    displayName:\n', ['wrong-type applications.a.displayName']],
    [
      'optional claim of the wrong type',
      'stack: s\napplications:\n  a:\n    displayName: a\n    optionalClaims: {accessToken: [3]}\n',
      ['wrong-type applications.a.optionalClaims.accessToken[0]'],
    ],
    [
      'unknown key in an optional claim',
      'stack: s\napplications:\n  a:\n    displayName: a\n    optionalClaims: {idToken: [{name: x, essentail: true}]}\n',
      ['unknown-key applications.a.optionalClaims.idToken[0].essentail'],
    ],
    ['variables may be declared bare', 'stack: s\nvariables:\n  x:\n  y: {default: 1}\n', ['unresolved-variable variables.x']],
    [
      'role without allowedMemberTypes',
      'stack: s\napplications:\n  a:\n    displayName: a\n    appRoles: [{value: A, displayName: A, description: A}]\n',
      ['missing-field applications.a.appRoles[0]'],
    ],
    [
      'empty allowedMemberTypes',
      'stack: s\napplications:\n  a:\n    displayName: a\n    appRoles: [{value: A, displayName: A, description: A, allowedMemberTypes: []}]\n',
      ['invalid-value applications.a.appRoles[0].allowedMemberTypes'],
    ],
  ];
  for (const [name, yaml, expected] of cases) {
    test(name, () => assert.deepEqual(codes(yaml), expected));
  }

  test('messages say what is wrong in YAML words, with hints', () => {
    assert.equal(only('stack: s\naplications: {}\n').hint, 'did you mean "applications"?');
    const p = only('stack: s\napplications:\n  a:\n    displayName: a\n    signInAudience: AzureADMyorg\n');
    assert.equal(
      p.message,
      'applications.a.signInAudience must be one of "AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount", not "AzureADMyorg"',
    );
    assert.equal(p.hint, 'did you mean "AzureADMyOrg"?');
    assert.equal(
      only('stack: s\napplications:\n  a:\n    displayName: a\n    optionalClaims: {accessToken: [3]}\n').message,
      'applications.a.optionalClaims.accessToken[0] must be a string or a mapping, not a number',
    );
    assert.match(only('stack: s\napplications:\n  a:\n    displayName: a\n    colour: x\n').hint ?? '', /^allowed keys: displayName, description/);
  });

  test('an unknown key points at the key, a wrong value at the value', () => {
    const unknown = only('stack: s\napplications:\n  a:\n    displayName: a\n    colour: x\n');
    assert.deepEqual([unknown.location.line, unknown.location.column], [5, 5]);
    const wrong = only('stack: s\napplications:\n  a:\n    displayName: [a]\n');
    assert.deepEqual([wrong.location.line, wrong.location.column], [4, 18]);
  });

  test('locations follow YAML anchors and aliases', () => {
    const yaml =
      'stack: s\nx-roles: &roles\n  - {value: A, displayName: A, description: A, allowedMemberTypes: [Robot]}\napplications:\n  a:\n    displayName: a\n    appRoles: *roles\n';
    const result = check(yaml);
    assert.deepEqual(
      result.problems.map((p) => `${p.code} ${p.path} ${p.location.line}:${p.location.column}`),
      // At the alias that uses the anchor (issue 15); the message says where the anchor holds the value.
      ['unknown-key x-roles 2:1', 'invalid-value applications.a.appRoles[0].allowedMemberTypes[0] 7:15'],
    );
  });
});

describe('objectKeysAt (for hints)', () => {
  const cases: Array<[Array<string | number>, string[]]> = [
    [[], ['stack', 'variables', 'applications', 'outputs', 'conditionalAccessPolicies']],
    [
      ['conditionalAccessPolicies', 'p', 'grant'],
      ['operator', 'controls'],
    ],
    [
      ['applications', 'x', 'api'],
      ['requestedAccessTokenVersion', 'knownClientApplications', 'preAuthorizedApplications'],
    ],
    [
      ['applications', 'x', 'optionalClaims', 'accessToken', 0],
      ['name', 'source', 'essential', 'additionalProperties'],
    ],
    [
      ['outputs', 3],
      ['path', 'format', 'values', 'template', 'app', 'credential', 'scopes', 'audience', 'module'],
    ],
    [['nope'], []],
  ];
  for (const [path, keys] of cases) {
    test(path.join('.') || '(root)', () => assert.deepEqual(objectKeysAt(ManifestSchema, path), keys));
  }
});
