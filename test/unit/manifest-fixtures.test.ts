/**
 * Every validation error kind has a fixture under test/fixtures/invalid/<kind>.yaml; each test asserts
 * the code, the exact message and the exact line:column of the problem it is about.
 */
import { describe } from 'node:test';
import { fixtureTests, type FixtureCase } from '../helpers/fixtures.js';

const DIR = 'test/fixtures/invalid';

const cases: Record<string, FixtureCase> = {
  'yaml-syntax': { code: 'yaml-syntax', line: 4, column: 18, message: 'YAML: Missing closing " quote' },
  'duplicate-key': { code: 'duplicate-key', line: 5, column: 5, message: 'Key "displayName" appears twice in the same mapping' },
  'unknown-key': { code: 'unknown-key', line: 10, column: 9, message: 'Unknown key "isEnabled" in applications.api.appRoles[0]' },
  'wrong-type': { code: 'wrong-type', line: 5, column: 21, message: 'applications.api.identifierUris must be a list, not a string' },
  'missing-field': { code: 'missing-field', line: 3, column: 3, message: 'applications.api is missing the required key "displayName"' },
  'invalid-value': { code: 'invalid-value', line: 6, column: 16, message: 'App role value "Read All" in application "api" contains a space' },
  'invalid-guid': { code: 'invalid-guid', line: 7, column: 13, message: 'applications.api.appRoles[0].id must be a GUID, not "1234-not-a-guid"' },
  'invalid-uri': {
    code: 'invalid-uri',
    line: 7,
    column: 9,
    message: 'Identifier URI "api://*.contoso.com" of application "api" must not contain wildcards (*)',
  },
  'duplicate-value': {
    code: 'duplicate-value',
    line: 10,
    column: 16,
    message: 'App role value "ToDoList.Read.All" is used twice in application "api" (also at 6:16)',
  },
  'duplicate-id': {
    code: 'duplicate-id',
    line: 13,
    column: 13,
    message: 'Id 7D0F6B2E-5C8A-4F43-9A7E-2B4C1D9E8F01 of scope "Lists.Read" is already used by app role "Lists.Read.All" in application "api" (also at 7:13)',
  },
  'duplicate-stack': {
    code: 'duplicate-stack',
    line: 2,
    column: 8,
    message: 'Stack "todolist-daemon" is also declared in manifests/todolist-daemon.yaml:9:8',
    with: ['manifests/todolist-daemon.yaml'],
  },
  'dangling-reference': { code: 'dangling-reference', line: 14, column: 17, message: 'Application "api" has no app role "ToDoList.Write.All"' },
  'invalid-reference': {
    code: 'invalid-reference',
    line: 4,
    column: 18,
    message: '${apps.api.appId} can only be used in output values; here only ${var.NAME} can',
  },
  'unresolved-variable': { code: 'unresolved-variable', line: 3, column: 3, message: 'Variable "environment" has no value' },
  'unknown-variable': {
    code: 'unknown-variable',
    line: 3,
    column: 1,
    message: '--var enviroment sets a variable that no manifest declares',
    vars: { enviroment: 'prod' },
  },
  'reference-cycle': { code: 'reference-cycle', line: 4, column: 14, message: 'Variable defaults form a cycle: prefix → name → prefix' },
};

describe('invalid fixtures', () => fixtureTests(DIR, cases));
