/**
 * Output formats and their plumbing, offline: msal-node and appsettings documents, json templates of any
 * shape, dotenv quoting, the GitHub Actions file and mask lines, atomic writes, and which credentials an
 * existing file may hold.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { LiveState } from '../../src/model/live.js';
import { validateManifestText } from '../../src/manifest/index.js';
import type { CertificateField } from '../../src/model/desired.js';
import { writeFileAtomic } from '../../src/lib/atomic-write.js';
import { githubEntries, maskLines, writeGithubOutput } from '../../src/outputs/github.js';
import { credentialsInUse } from '../../src/plan/in-use.js';
import { readOutputFiles } from '../../src/gather/local.js';
import { renderOutput, tenantValues, type OutputValues } from '../../src/outputs/render.js';
import { tempDir } from '../helpers/temp.js';

const TENANT = '11111111-1111-1111-1111-111111111111';

function stackOf(yaml: string) {
  const r = validateManifestText('m.yaml', yaml, { env: {} });
  assert.ok(r.ok, JSON.stringify(r.problems));
  return r.stacks[0];
}

const values = (o: Partial<OutputValues> = {}): OutputValues => ({
  tenant: tenantValues({ id: TENANT }, 'https://login.microsoftonline.com', false),
  appId: (k) => `appid-${k}`,
  identifierUri: (k) => `api://appid-${k}`,
  secret: (k, n) => `secret-${k}-${n}`,
  certificate: (k, n, f: CertificateField) => `${f}-${k}-${n}`,
  ...o,
});

const APPS = `stack: s
applications:
  api:
    displayName: api
    identifierUris: ["api://{appId}"]
  daemon:
    displayName: daemon
    secrets: [{ name: main }]
    certificates:
      - name: cert
        generate: { subject: CN=d }
`;

describe('msal-node and appsettings', () => {
  test('msal-node with a secret: the Configuration msal-node takes as is', () => {
    const s = stackOf(
      `${APPS}outputs:\n  - path: msal.json\n    format: msal-node\n    app: daemon\n    credential: secrets.main\n    scopes: ["\${apps.api.identifierUri}/.default"]\n`,
    );
    const [o] = s.outputs;
    assert.equal(o.sensitive, true);
    assert.deepEqual(JSON.parse(renderOutput(o, values())!), {
      auth: {
        clientId: 'appid-daemon',
        authority: `https://login.microsoftonline.com/${TENANT}`,
        knownAuthorities: ['login.microsoftonline.com'],
        clientSecret: 'secret-daemon-main',
      },
      scopes: ['api://appid-api/.default'],
    });
  });

  test('msal-node with a certificate: thumbprintSha256 + the PEM private key', () => {
    const [o] = stackOf(`${APPS}outputs:\n  - path: msal.json\n    format: msal-node\n    app: daemon\n    credential: certificates.cert\n`).outputs;
    assert.deepEqual(JSON.parse(renderOutput(o, values())!).auth.clientCertificate, {
      thumbprintSha256: 'thumbprintSha256-daemon-cert',
      privateKey: 'privateKey-daemon-cert',
    });
    assert.equal(o.sensitive, true);
  });

  test("appsettings: Microsoft.Identity.Web's AzureAd section (secret; certificate by PFX path; web API audience)", () => {
    const s = stackOf(`${APPS}outputs:
  - path: a.json
    format: appsettings
    app: daemon
    credential: secrets.main
  - path: b.json
    format: appsettings
    app: daemon
    credential: certificates.cert
  - path: api.json
    format: appsettings
    app: api
    audience: \${apps.api.identifierUri}
    scopes: access_as_user
`);
    const [a, b, api] = s.outputs.map((o) => JSON.parse(renderOutput(o, values())!));
    assert.deepEqual(a, {
      AzureAd: {
        Instance: 'https://login.microsoftonline.com/',
        TenantId: TENANT,
        ClientId: 'appid-daemon',
        ClientCredentials: [{ SourceType: 'ClientSecret', ClientSecret: 'secret-daemon-main' }],
      },
    });
    assert.deepEqual(b.AzureAd.ClientCredentials, [
      { SourceType: 'Path', CertificateDiskPath: 'pfxPath-daemon-cert', CertificatePassword: 'pfxPassword-daemon-cert' },
    ]);
    assert.deepEqual(api, {
      AzureAd: {
        Instance: 'https://login.microsoftonline.com/',
        TenantId: TENANT,
        ClientId: 'appid-api',
        Audience: 'api://appid-api',
        Scopes: 'access_as_user',
      },
    });
    assert.equal(s.outputs[2].sensitive, false, 'a web API without credentials is not sensitive');
  });

  test('CIAM tenants: the ciamlogin.com authority and instance', () => {
    const t = tenantValues({ id: TENANT, tenantType: 'CIAM', subdomain: 'contoso' }, 'https://login.microsoftonline.com', false);
    assert.deepEqual(t, {
      id: TENANT,
      subdomain: 'contoso',
      authority: `https://contoso.ciamlogin.com/${TENANT}`,
      instance: 'https://contoso.ciamlogin.com/',
      authorityHost: 'contoso.ciamlogin.com',
    });
  });
});

describe('json templates, dotenv, keyFile', () => {
  test('json of any shape: string leaves are templates, other JSON is kept', () => {
    const [o] = stackOf(`${APPS}outputs:
  - path: c.json
    template:
      service: { clientId: "\${apps.daemon.appId}", retries: 3, enabled: true, tags: [a, "\${tenant.id}"], none: null }
      cert: "\${apps.daemon.certificate.path}"
`).outputs;
    assert.equal(o.format, 'json');
    assert.deepEqual(JSON.parse(renderOutput(o, values())!), {
      service: { clientId: 'appid-daemon', retries: 3, enabled: true, tags: ['a', TENANT], none: null },
      cert: 'path-daemon-cert',
    });
    assert.equal(o.sensitive, false, 'a certificate path is not secret');
  });

  test('a value that is not known yet means the file cannot be rendered (never a partial file)', () => {
    const [o] = stackOf(`${APPS}outputs:\n  - path: d.env\n    values: { A: "\${apps.daemon.appId}", S: "\${apps.daemon.secret}" }\n`).outputs;
    assert.equal(renderOutput(o, values({ secret: () => undefined })), undefined);
    assert.equal(renderOutput(o, values({ secret: () => 'a b"c' })), `A=appid-daemon\nS='a b"c'\n`);
  });

  test('a dotenv value no quoting reads back exactly is refused, naming the file and key (test/unit/outputs-dotenv.test.ts has the rest)', () => {
    const [o] = stackOf(`${APPS}outputs:\n  - path: d.env\n    values: { A: "\${apps.daemon.appId}", S: "\${apps.daemon.secret}" }\n`).outputs;
    assert.throws(() => renderOutput(o, values({ secret: () => 'a\r\nb' })), { code: 'OUTPUT_FAILED', meta: { path: 'd.env', key: 'S' } });
  });

  test("a generated certificate's keyFile is a sensitive pem output", () => {
    const s = stackOf(APPS.replace('generate: { subject: CN=d }', 'generate: { subject: CN=d }\n        keyFile: out/d.pem'));
    assert.deepEqual(
      s.outputs.map((o) => [o.path, o.format, o.sensitive]),
      [['out/d.pem', 'pem', true]],
    );
    assert.equal(renderOutput(s.outputs[0], values()), 'pem-daemon-cert');
  });
});

describe('GitHub Actions', () => {
  test('::add-mask:: one line per line of the value', () => {
    assert.deepEqual(maskLines('abc'), ['::add-mask::abc']);
    assert.deepEqual(maskLines('-----BEGIN X-----\nAAA\r\n\nBBB\n'), ['::add-mask::-----BEGIN X-----', '::add-mask::AAA', '::add-mask::BBB']);
  });

  test('$GITHUB_OUTPUT: appended, delimiter form, sensitive values masked first', () => {
    const dir = tempDir('tf-gh-');
    const file = join(dir, 'out');
    writeFileSync(file, 'x=1\n');
    const lines: string[] = [];
    const [o] = stackOf(`${APPS}outputs:\n  - path: d.env\n    values: { CLIENT_ID: "\${apps.daemon.appId}", SECRET: "\${apps.daemon.secret}" }\n`).outputs;
    const entries = githubEntries([o], values({ secret: () => 'two\nlines' }));
    assert.deepEqual(
      entries.map((e) => [e.name, e.sensitive]),
      [
        ['CLIENT_ID', false],
        ['SECRET', true],
      ],
    );
    writeGithubOutput({ file, command: (l) => lines.push(l) }, entries);
    assert.deepEqual(lines, ['::add-mask::two', '::add-mask::lines']);
    const text = readFileSync(file, 'utf8');
    const m = /^x=1\nCLIENT_ID<<(ghadelimiter_[0-9a-f-]+)\nappid-daemon\n\1\nSECRET<<(ghadelimiter_[0-9a-f-]+)\ntwo\nlines\n\2\n$/.exec(text);
    assert.ok(m, text);
    assert.notEqual(m[1], m[2], 'a fresh delimiter per value');
  });
});

describe('atomic writes', () => {
  test('0600 from the start, replaced whole, and temp files of a crashed run are cleaned up', () => {
    const dir = tempDir('tf-atomic-');
    const file = join(dir, 'c.env');
    writeFileSync(join(dir, '.c.env.0123456789ab.tmp'), 'SECRET=leftover');
    writeFileSync(join(dir, '.other.0123456789ab.tmp'), 'not ours');
    writeFileAtomic(file, 'A=1\n', 0o600);
    assert.equal(readFileSync(file, 'utf8'), 'A=1\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ['.other.0123456789ab.tmp', 'c.env']);
  });
});

describe('which credentials an output file may hold', () => {
  test('secrets by hint, certificates by keyId/thumbprint; foreign credentials are not ours to judge', () => {
    const cwd = tempDir('tf-inuse-');
    const s = stackOf(`${APPS}outputs:\n  - path: d.env\n    values: { S: "\${apps.daemon.secret}", C: "\${apps.daemon.certificate.path}" }\n`);
    writeFileSync(join(cwd, 'd.env'), 'S=Abc123secret\nC=/x/cert-main-44444444-0000-0000-0000-000000000000.pem\n');
    const live = {
      tenant: { id: TENANT, verifiedDomains: [] },
      resources: {},
      applications: {
        's--daemon': {
          app: {
            passwordCredentials: [
              { keyId: 'in-file', displayName: 'tenantform:main', hint: 'Abc' },
              { keyId: 'orphan', displayName: 'tenantform:main', hint: 'Zq_' },
              { keyId: 'no-hint', displayName: 'tenantform:main', hint: null },
              { keyId: 'portal', displayName: 'made elsewhere', hint: 'Abc' },
            ],
            keyCredentials: [
              { keyId: '44444444-0000-0000-0000-000000000000', displayName: 'tenantform:cert', key: Buffer.from('a').toString('base64') },
              { keyId: '55555555-0000-0000-0000-000000000000', displayName: 'tenantform:cert', key: Buffer.from('b').toString('base64') },
            ],
          },
          assignments: [],
          grants: [],
          federatedCredentials: [],
        },
      },
    } as unknown as LiveState;
    assert.deepEqual(credentialsInUse([s], live, readOutputFiles([s], cwd)), {
      'app:s/daemon': ['in-file', 'no-hint', '44444444-0000-0000-0000-000000000000'],
    });
  });
});
