/**
 * Credential rules are checked offline, before any write, with file:line:column: one fixture per rule under
 * test/fixtures/invalid/credentials/, each with exactly the problem it is about. Plus the manifest forms of
 * federated credentials (GitHub branch/environment/pull request/tag, Kubernetes, any issuer) as normalized.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateManifests, validateManifestText } from '../../src/manifest/index.js';
import { fixtureTests, type FixtureCase } from '../helpers/fixtures.js';

const DIR = 'test/fixtures/invalid/credentials';

const cases: Record<string, FixtureCase> = {
  'renew-before-lifetime': { code: 'invalid-value', line: 8, column: 22, message: 'renewBefore 30d of secret "main" is not shorter than its lifetime 30d' },
  'certificate-source': {
    code: 'missing-field',
    line: 6,
    column: 9,
    message: 'Certificate "main" in application "daemon" needs exactly one of generate: or file:',
  },
  'fic-duplicate-subject': {
    code: 'duplicate-value',
    line: 8,
    column: 9,
    message: 'Federated credential "main-again" has the same issuer and subject as "main" in application "deployer" (also at 6:9)',
  },
  'fic-name': { code: 'invalid-value', line: 6, column: 15, message: 'Federated credential name "deploy from main" in application "deployer" is not allowed' },
  'fic-github-kind': {
    code: 'invalid-value',
    line: 7,
    column: 9,
    message: 'GitHub credential "main" needs exactly one of branch, environment, pullRequest: true or tag',
  },
  'fic-issuer': {
    code: 'invalid-value',
    line: 8,
    column: 19,
    message: 'Issuer "http://oidc.example.com/cluster" of federated credential "aks" must be an https URL',
  },
  'fic-limit': { code: 'invalid-value', line: 5, column: 5, message: 'Application "deployer" has 21 federated credentials; Graph allows at most 20' },
  'output-credential': {
    code: 'invalid-value',
    line: 13,
    column: 10,
    message: 'Output "out/msal.json": the application has 2 credentials; name one with credential:',
  },
  'output-certificate-ref': {
    code: 'dangling-reference',
    line: 11,
    column: 13,
    message: '${apps.daemon.certificates.main.path}: application "daemon" has no certificate "main"',
  },
  'output-pfx-private-key': {
    code: 'invalid-reference',
    line: 12,
    column: 12,
    message: '${apps.daemon.certificate.privateKey}: certificate "legacy" is a PFX file, so its private key is not available as PEM',
  },
  'output-pem-pfx-path': {
    code: 'invalid-reference',
    line: 11,
    column: 12,
    message: '${apps.daemon.certificate.pfxPath}: certificate "main" is a PEM file, so there is no PFX to name',
  },
  'output-app-missing': {
    code: 'missing-field',
    line: 6,
    column: 5,
    message: 'outputs[0] is missing the required key "app" (the application the appsettings file configures)',
  },
};

describe('credential fixtures: one problem each, at its place', () => fixtureTests(DIR, cases));

describe('federated credential forms', () => {
  const fics = (yaml: string) => {
    const r = validateManifestText('m.yaml', `stack: s\napplications:\n  a:\n    displayName: A\n    federatedCredentials:\n${yaml}`, { env: {} });
    assert.ok(r.ok, JSON.stringify(r.problems));
    return r.stacks[0].applications[0].federatedCredentials.map(({ location: _l, ...f }) => f);
  };
  const gh = 'https://token.actions.githubusercontent.com';
  const table: Array<[string, string, { issuer: string; subject: string; audiences?: string[]; description?: string }]> = [
    ['branch', '{ repository: o/r, branch: main }', { issuer: gh, subject: 'repo:o/r:ref:refs/heads/main' }],
    ['environment', '{ repository: o/r, environment: prod }', { issuer: gh, subject: 'repo:o/r:environment:prod' }],
    ['pull request', '{ repository: o/r, pullRequest: true }', { issuer: gh, subject: 'repo:o/r:pull_request' }],
    ['tag', '{ repository: o/r, tag: v1.2.0 }', { issuer: gh, subject: 'repo:o/r:ref:refs/tags/v1.2.0' }],
  ];
  for (const [what, form, expected] of table) {
    test(`GitHub Actions ${what}`, () => {
      assert.deepEqual(fics(`      - name: x\n        github: ${form}\n`), [
        { name: 'x', issuer: expected.issuer, subject: expected.subject, audiences: ['api://AzureADTokenExchange'], description: 'tenantform:stack=s' },
      ]);
    });
  }
  test('Kubernetes service account', () => {
    const [f] = fics('      - name: aks\n        kubernetes: { issuer: "https://oidc.example/abc/", namespace: jobs, serviceAccount: worker }\n');
    assert.deepEqual([f.issuer, f.subject], ['https://oidc.example/abc/', 'system:serviceaccount:jobs:worker']);
  });
  test('any issuer and subject, own audience and description', () => {
    const [f] = fics(
      '      - name: other\n        issuer: https://idp.example\n        subject: svc-1\n        audience: api://custom\n        description: the build farm\n',
    );
    assert.deepEqual(f, {
      name: 'other',
      issuer: 'https://idp.example',
      subject: 'svc-1',
      audiences: ['api://custom'],
      description: 'tenantform:stack=s the build farm',
    });
  });
  test('the example deployer manifest is valid and has no secret', async () => {
    const r = await validateManifests(['manifests/github-deployer.yaml'], { env: {} });
    assert.ok(r.ok, JSON.stringify(r.problems));
    const [app] = r.stacks[0].applications;
    assert.deepEqual([app.secrets, app.certificates], [[], []]);
    assert.equal(app.federatedCredentials.length, 3);
  });
});
