/**
 * An API's known and pre-authorized clients are checked offline (rules-clients.ts): each names an application of
 * the manifest or an appId, and pre-authorizes only scopes of the API itself. Fixtures under
 * test/fixtures/invalid/clients/ carry exactly the problem they are about, at file:line:column.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateManifestText } from '../../src/manifest/index.js';
import { fixtureTests, type FixtureCase } from '../helpers/fixtures.js';

const DIR = 'test/fixtures/invalid/clients';

const cases: Record<string, FixtureCase> = {
  'preauthorize-unknown-scope': { code: 'dangling-reference', line: 10, column: 36, message: 'Application "api" has no scope "Files.Read" to pre-authorize' },
  'known-client-unknown': {
    code: 'dangling-reference',
    line: 6,
    column: 38,
    message: 'Known client "mobile" of application "api" is neither an application of this manifest nor an appId',
  },
};

describe('client fixtures', () => fixtureTests(DIR, cases));

describe('clients, normalized', () => {
  const appId = '6b5b3c1e-2f7a-4c8e-9d0a-1e2f3a4b5c6d';
  test('keys stay keys, appIds are lowercased, pre-authorized scopes become the API’s own scope ids', () => {
    const r = validateManifestText(
      'm.yaml',
      `stack: s
applications:
  api:
    displayName: api
    scopes:
      - { value: access_as_user, adminConsentDisplayName: A, adminConsentDescription: A }
    api:
      knownClientApplications: [spa, ${appId.toUpperCase()}]
      preAuthorizedApplications:
        - { app: spa, scopes: [access_as_user] }
  spa:
    displayName: spa
`,
      { env: {} },
    );
    assert.ok(r.ok, JSON.stringify(r.problems));
    const api = r.stacks[0].applications[0];
    assert.deepEqual(api.knownClientApplications, [
      { kind: 'stack', key: 'spa' },
      { kind: 'appId', appId, location: { file: 'm.yaml', line: 8, column: 38 } },
    ]);
    assert.deepEqual(api.preAuthorizedApplications, [{ client: { kind: 'stack', key: 'spa' }, scopeIds: [api.oauth2PermissionScopes[0].id] }]);
  });

  test('a client listed twice is refused', () => {
    const r = validateManifestText(
      'm.yaml',
      `stack: s\napplications:\n  api:\n    displayName: api\n    api:\n      knownClientApplications: [spa, spa]\n  spa:\n    displayName: spa\n`,
      { env: {} },
    );
    assert.deepEqual(
      r.problems.map((p) => [p.code, p.message]),
      [['duplicate-value', 'Known client "spa" is listed twice in application "api" (also at 6:33)']],
    );
  });
});
