import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LiveState } from '../../src/model/live.js';
import { SecretStore } from '../../src/outputs/secret-cache.js';
import { adminConsentUrls, defaultScope } from '../../src/verify/consent.js';
import { tokenFailure, toolFailure } from '../../src/verify/diagnose.js';
import { probesFor, type Probe } from '../../src/verify/probes.js';
import { readWrittenConfig, scopeOf, valueOf } from '../../src/verify/written.js';
import { TenantformError } from '../../src/errors.js';
import { desiredStack, output, ref, text, todolistDaemonStack } from '../helpers/builders.js';
import { tempDir } from '../helpers/temp.js';

const API = '11111111-1111-1111-1111-111111111111';
const DAEMON = '22222222-2222-2222-2222-222222222222';

describe('verify: admin-consent URLs', () => {
  const cases: Array<[string, Parameters<typeof adminConsentUrls>[0], { v1: string; v2?: string }]> = [
    [
      'v1 only without a resource',
      { authorityHost: 'https://login.microsoftonline.com/', tenant: 'contoso.onmicrosoft.com', clientId: DAEMON },
      { v1: `https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=${DAEMON}` },
    ],
    [
      'v2 with the resource /.default, redirect and state',
      {
        authorityHost: 'https://127.0.0.1:47443',
        tenant: 'organizations',
        clientId: DAEMON,
        resource: 'https://graph.microsoft.com',
        redirectUri: 'https://x/cb',
        state: 's',
      },
      {
        v1: `https://127.0.0.1:47443/organizations/adminconsent?client_id=${DAEMON}&redirect_uri=https%3A%2F%2Fx%2Fcb&state=s`,
        v2: `https://127.0.0.1:47443/organizations/v2.0/adminconsent?client_id=${DAEMON}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&redirect_uri=https%3A%2F%2Fx%2Fcb&state=s`,
      },
    ],
  ];
  for (const [name, input, want] of cases) it(name, () => assert.deepEqual(adminConsentUrls(input), want));

  it('keeps the double slash for identifier URIs that end in "/"', () => {
    assert.equal(defaultScope('https://api.contoso.com/'), 'https://api.contoso.com//.default');
    assert.equal(defaultScope(`api://${API}`), `api://${API}/.default`);
  });
});

describe('verify: the written config', () => {
  it('reads dotenv as Node apps do, not as tenantform meant it', () => {
    // Written the old JSON way, or by hand: what util.parseEnv / node --env-file read is what verify tests.
    const cwd = mkdtempSync(join(tmpdir(), 'tenantform-written-'));
    writeFileSync(join(cwd, 'd.env'), `A="\\u0061pp"\nB="s3cr\\"t"\nC='${DAEMON}' # the daemon\nD=x#y\n`);
    const values = ['A', 'B', 'C', 'D'].map((key) => ({ key, source: '', parts: [ref({ kind: 'appId', app: 'daemon' })] }));
    const c = readWrittenConfig([desiredStack({ outputs: [output({ path: 'd.env', values })] })], cwd);
    rmSync(cwd, { recursive: true, force: true });
    assert.deepEqual(Object.fromEntries(c.values.map((v) => [v.key, v.value])), { A: '\\u0061pp', B: 's3cr\\', C: DAEMON, D: 'x' });
  });

  it('pairs each value with its template (dotenv, flat JSON, JSON shapes) and finds credentials and scopes', () => {
    const cwd = tempDir('tenantform-written-');
    mkdirSync(join(cwd, 'out'));
    writeFileSync(join(cwd, 'out/d.env'), `CLIENT_ID=${DAEMON}\nCLIENT_SECRET="s3cr~t"\nAPI_SCOPE=api://${API}/.default\nAPI_ID=${API}\n`);
    writeFileSync(join(cwd, 'out/msal.json'), JSON.stringify({ auth: { clientId: DAEMON, clientSecret: 'other' }, scopes: [`api://${API}/.default`] }));
    const stack = desiredStack({
      outputs: [
        output({
          path: 'out/d.env',
          values: [
            { key: 'CLIENT_ID', source: '', parts: [ref({ kind: 'appId', app: 'daemon' })] },
            { key: 'CLIENT_SECRET', source: '', parts: [ref({ kind: 'secret', app: 'daemon', secret: 'main' })] },
            { key: 'API_SCOPE', source: '', parts: [ref({ kind: 'identifierUri', app: 'api' }), text('/.default')] },
            { key: 'API_ID', source: '', parts: [ref({ kind: 'appId', app: 'api' })] },
          ],
        }),
        output({
          path: 'out/msal.json',
          format: 'json',
          shape: {
            object: [
              [
                'auth',
                {
                  object: [
                    ['clientId', { parts: [ref({ kind: 'appId', app: 'daemon' })] }],
                    ['clientSecret', { parts: [ref({ kind: 'secret', app: 'daemon', secret: 'main' })] }],
                  ],
                },
              ],
              ['scopes', [{ parts: [ref({ kind: 'identifierUri', app: 'api' }), text('/.default')] }]],
            ],
          },
        }),
        output({ path: 'out/missing.env', values: [{ key: 'X', source: '', parts: [ref({ kind: 'tenant', field: 'id' })] }] }),
      ],
    });
    const c = readWrittenConfig([stack], cwd);
    assert.deepEqual(c.missing, ['out/missing.env']);
    const secret = valueOf(c, (r) => r.kind === 'secret');
    assert.deepEqual([secret?.file, secret?.key, secret?.value], ['out/d.env', 'CLIENT_SECRET', 's3cr~t']);
    assert.equal(valueOf(c, (r) => r.kind === 'secret', 'out/msal.json')?.key, 'auth.clientSecret');
    // The scope: names the API and ends in .default (API_ID names it too, but is no scope).
    assert.deepEqual([scopeOf(c, 'api')?.key, scopeOf(c, 'api', 'out/msal.json')?.key], ['API_SCOPE', 'scopes[0]']);
  });
});

describe('verify: probes from the manifest, the tenant and the written config', () => {
  const live = {
    tenant: { id: 't', verifiedDomains: [] },
    resources: {},
    applications: {
      'todolist-daemon--api': { app: { appId: API }, servicePrincipal: { id: 'sp-api' }, assignments: [], grants: [], federatedCredentials: [] },
      'todolist-daemon--daemon': {
        app: { appId: DAEMON },
        servicePrincipal: { id: 'sp-daemon' },
        assignments: [{ resourceId: 'sp-api', appRoleId: todolistDaemonStack().applications[0].appRoles[0].id }],
        grants: [],
        federatedCredentials: [],
      },
    },
  } as unknown as LiveState;

  it('one probe per confidential client and API, with the computed scope and what Graph shows granted', () => {
    const cwd = tempDir('tenantform-probe-');
    const secrets = new SecretStore(join(cwd, 'secrets.json'));
    const [p] = probesFor(todolistDaemonStack(), { live, written: { values: [], missing: [] }, secrets, cwd });
    assert.equal(p.client.label, 'todolist-daemon/daemon');
    assert.equal(p.api.appId, API);
    assert.deepEqual(p.api.identifierUris, [`api://${API}`]);
    assert.equal(p.api.version, 2);
    assert.equal(p.api.wantsIdtyp, true);
    assert.equal(p.scope.value, `api://${API}/.default`);
    assert.match(p.scope.source, /^computed/);
    assert.deepEqual(p.assignedInGraph, ['ToDoList.Read.All']);
    assert.equal(p.credential, undefined, 'no output file and no cache entry');
  });
});

describe('verify: diagnoses by AADSTS code', () => {
  const probe = (o: Partial<Probe> = {}): Probe => ({
    client: { label: 's/daemon', stack: 's', key: 'daemon', appId: DAEMON, displayName: 'daemon' },
    api: {
      label: 's/api',
      key: 'api',
      appId: API,
      identifierUris: ['https://api.contoso.com/v1/'],
      version: 1,
      wantsIdtyp: false,
      assignmentRequired: false,
      roleIds: {},
    },
    roles: ['Read.All'],
    consented: true,
    assignedInGraph: [],
    scope: { value: 'https://api.contoso.com/v1//.default', source: 'out/d.env:SCOPE' },
    credential: { kind: 'secret', value: 'x', source: 'out/d.env:CLIENT_SECRET' },
    written: {},
    missingConfig: [],
    ...o,
  });
  const ctx = { tenantId: 't', authorityHost: 'https://login.microsoftonline.com', manifests: 'm.yaml' };
  const fail = (code: number, error = 'invalid_request', status = 400) => ({
    ok: false as const,
    status,
    error,
    codes: [code],
    description: `AADSTS${code}: …`,
  });
  const cases: Array<[string, Probe, number, string]> = [
    ['no /.default', probe({ scope: { value: 'https://api.contoso.com/v1/', source: 'f:k' } }), 1002012, 'scope-not-default'],
    ['single slash after a URI ending in /', probe({ scope: { value: 'https://api.contoso.com/v1/.default', source: 'f:k' } }), 500011, 'trailing-slash'],
    ['same, as invalid_scope 70011', probe({ scope: { value: 'https://api.contoso.com/v1/.default', source: 'f:k' } }), 70011, 'trailing-slash'],
    ['unknown resource', probe({ scope: { value: 'https://other/.default', source: 'f:k' } }), 500011, 'resource-not-found'],
    ['not assigned', probe(), 501051, 'not-assigned'],
    ['expired secret', probe(), 7000222, 'secret-expired'],
    ['wrong secret', probe(), 7000215, 'secret-invalid'],
    ['no SP in the tenant', probe(), 700016, 'client-not-in-tenant'],
    ['certificate', probe(), 700027, 'certificate-invalid'],
    ['anything else', probe(), 90002, 'token-error'],
  ];
  for (const [name, p, code, want] of cases) {
    it(`${name}: AADSTS${code} → ${want}`, () => {
      const d = tokenFailure(p, fail(code), ctx);
      assert.equal(d.code, want);
      assert.equal(d.meta?.aadsts, code);
      assert.ok(d.next.length > 10);
    });
  }

  it('the consent URL names the tenant and the client', () => {
    const d = tokenFailure(probe(), fail(501051), ctx);
    assert.equal(d.meta?.consentUrl, `https://login.microsoftonline.com/t/adminconsent?client_id=${DAEMON}`);
  });

  it("the tool's missing Graph permission → the permissions and a directory role", () => {
    const d = toolFailure(
      new TenantformError('GRAPH_PERMISSION', 'x', {
        needs: ['Organization.Read.All'],
        action: 'read the organization',
        status: 403,
        graphCode: 'Authorization_RequestDenied',
      }),
    );
    assert.equal(d.code, 'tool-permission');
    assert.deepEqual(d.meta?.needs, ['Organization.Read.All', 'Application.Read.All']);
    assert.deepEqual(d.meta?.roles, ['Directory Readers']);
  });
});
