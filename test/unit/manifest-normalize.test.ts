/**
 * Normalization: defaults, stable ids, Graph shapes, output templates; and the load API around it.
 */
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { TenantformError } from '../../src/errors.js';
import { loadManifests, validateManifests } from '../../src/manifest/index.js';
import { lifetimeMs } from '../../src/manifest/normalize.js';
import { stableId, type DesiredStack } from '../../src/model/desired.js';
import { todolistDaemonStack } from '../helpers/builders.js';
import { check } from '../helpers/manifests.js';
import { tempDir } from '../helpers/temp.js';

/** Drop source locations (builders cannot know them). */
function withoutLocations<T>(value: T): T {
  // `sources`: where a permission's api, roles and scopes are written (locations too).
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'location' || k === 'sources' ? undefined : v)));
}

async function example(): Promise<DesiredStack> {
  const { stacks } = await loadManifests(['manifests/todolist-daemon.yaml'], { env: {} });
  return stacks[0];
}

describe('the example manifest', () => {
  test("normalizes to exactly the builders' todolist-daemon stack (besides outputs and locations)", async () => {
    const stack = await example();
    const built = todolistDaemonStack();
    assert.deepEqual(withoutLocations({ ...stack, outputs: [] }), withoutLocations(built));
  });

  test('is plain data: JSON round trip is lossless', async () => {
    const stack = await example();
    assert.deepEqual(JSON.parse(JSON.stringify(stack)), stack);
  });

  test('derives uniqueName, ownership tag and stable ids', async () => {
    const [api, daemon] = (await example()).applications;
    assert.equal(api.uniqueName, 'todolist-daemon--api');
    assert.equal(daemon.uniqueName, 'todolist-daemon--daemon');
    assert.equal(api.ownershipTag, 'tenantform:stack=todolist-daemon');
    assert.equal(api.appRoles[0].id, stableId({ stack: 'todolist-daemon', app: 'api', kind: 'appRole', value: 'ToDoList.Read.All' }));
    // Pinned: these ids are what tenants already hold; changing the derivation would churn every role.
    assert.equal(api.appRoles[0].id, 'ffe73e64-d912-5741-971b-1c6038ba1d73');
  });

  test('the output: parts, sensitivity, format', async () => {
    const [out] = (await example()).outputs;
    assert.equal(out.path, 'out/todolist-daemon.env');
    assert.equal(out.format, 'dotenv');
    assert.equal(out.sensitive, true);
    assert.deepEqual(
      out.values.map((v) => v.key),
      ['TENANT_ID', 'TENANT_SUBDOMAIN', 'AUTHORITY', 'CLIENT_ID', 'CLIENT_SECRET', 'WEB_API_CLIENT_ID', 'WEB_API_SCOPE'],
    );
    const parts = Object.fromEntries(out.values.map((v) => [v.key, v.parts]));
    assert.deepEqual(parts.CLIENT_SECRET, [{ ref: { kind: 'secret', app: 'daemon', secret: 'main' } }]);
    assert.deepEqual(parts.WEB_API_SCOPE, [{ ref: { kind: 'identifierUri', app: 'api' } }, { text: '/.default' }]);
    assert.deepEqual(parts.AUTHORITY, [{ ref: { kind: 'tenant', field: 'authority' } }]);
  });
});

describe('defaults and shapes', () => {
  const stackOf = (yaml: string) => {
    const r = check(yaml);
    assert.deepEqual(r.problems, []);
    return r.stacks[0];
  };

  test('a minimal application gets every default', () => {
    const [app] = stackOf('stack: s\napplications:\n  a:\n    displayName: A\n').applications;
    assert.deepEqual(withoutLocations(app), {
      key: 'a',
      uniqueName: 's--a',
      ownershipTag: 'tenantform:stack=s',
      displayName: 'A',
      description: null,
      signInAudience: 'AzureADMyOrg',
      identifierUris: [],
      requestedAccessTokenVersion: 2,
      appRoles: [],
      oauth2PermissionScopes: [],
      optionalClaims: { accessToken: [], idToken: [], saml2Token: [] },
      servicePrincipal: { appRoleAssignmentRequired: false, tags: [] },
      secrets: [],
      certificates: [],
      federatedCredentials: [],
      permissions: [],
      knownClientApplications: [],
      preAuthorizedApplications: [],
      spa: { redirectUris: [] },
      web: { redirectUris: [], implicitGrantSettings: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false } },
      publicClient: { redirectUris: [] },
      isFallbackPublicClient: false,
    });
    assert.deepEqual(app.location, { file: 'm.yaml', line: 3, column: 3 });
  });

  test('scopes, explicit ids (lowercased), claims in both forms, permissions on tenant APIs', () => {
    const [app] = stackOf(`stack: s
applications:
  a:
    displayName: A
    scopes:
      - value: Lists.Read
        id: AAAAAAAA-0000-0000-0000-000000000001
        type: User
        adminConsentDisplayName: Read lists
        adminConsentDescription: Read the user's lists
        userConsentDisplayName: Read your lists
      - value: Lists.Write
        enabled: false
        adminConsentDisplayName: Write lists
        adminConsentDescription: Write the user's lists
    optionalClaims:
      idToken: [email, {name: groups, essential: true, additionalProperties: [sam_account_name]}]
    servicePrincipal: {appRoleAssignmentRequired: true, tags: [HideApp]}
    secrets: [{name: ci, lifetime: 12h}]
    permissions:
      - {api: Microsoft Graph, scopes: [User.Read], adminConsent: true}
      - {api: 00000003-0000-0000-C000-000000000000, roles: [User.Read.All]}
`).applications;
    assert.deepEqual(app.oauth2PermissionScopes, [
      {
        id: 'aaaaaaaa-0000-0000-0000-000000000001',
        value: 'Lists.Read',
        type: 'User',
        adminConsentDisplayName: 'Read lists',
        adminConsentDescription: "Read the user's lists",
        userConsentDisplayName: 'Read your lists',
        userConsentDescription: null,
        isEnabled: true,
      },
      {
        id: stableId({ stack: 's', app: 'a', kind: 'scope', value: 'Lists.Write' }),
        value: 'Lists.Write',
        type: 'Admin',
        adminConsentDisplayName: 'Write lists',
        adminConsentDescription: "Write the user's lists",
        userConsentDisplayName: null,
        userConsentDescription: null,
        isEnabled: false,
      },
    ]);
    assert.deepEqual(app.optionalClaims.idToken, [
      { name: 'email', source: null, essential: false, additionalProperties: [] },
      { name: 'groups', source: null, essential: true, additionalProperties: ['sam_account_name'] },
    ]);
    assert.deepEqual(app.servicePrincipal, { appRoleAssignmentRequired: true, tags: ['HideApp'] });
    assert.deepEqual(app.secrets, [{ name: 'ci', lifetime: '12h', lifetimeMs: 12 * 3_600_000, renewBeforeMs: 4 * 3_600_000 }]); // default window: a third of the lifetime
    assert.deepEqual(
      app.permissions.map((p) => ({ api: p.api, roles: p.roles, scopes: p.scopes, adminConsent: p.adminConsent })),
      [
        { api: { kind: 'tenant', name: 'Microsoft Graph', match: 'displayName' }, roles: [], scopes: ['User.Read'], adminConsent: true },
        { api: { kind: 'tenant', name: '00000003-0000-0000-c000-000000000000', match: 'appId' }, roles: ['User.Read.All'], scopes: [], adminConsent: false },
      ],
    );
  });

  test('stable ids: same input → same ids; another stack, app or value → another id', () => {
    const yaml = (stack: string, key: string, value: string) =>
      `stack: ${stack}\napplications:\n  ${key}:\n    displayName: A\n    appRoles: [{value: ${value}, displayName: d, description: d, allowedMemberTypes: [Application]}]\n`;
    const id = (stack: string, key: string, value: string) => stackOf(yaml(stack, key, value)).applications[0].appRoles[0].id;
    assert.equal(id('s', 'a', 'R'), id('s', 'a', 'R'));
    assert.equal(new Set([id('s', 'a', 'R'), id('t', 'a', 'R'), id('s', 'b', 'R'), id('s', 'a', 'Q')]).size, 4);
  });

  test('output format follows a .json path unless given; only secrets make an output sensitive', () => {
    const stack = stackOf(`stack: s
applications:
  a: {displayName: A}
outputs:
  - {path: out/a.json, values: {clientId: "\${apps.a.appId}"}}
  - {path: out/b.txt, format: json, values: {x: "1"}}
`);
    assert.deepEqual(
      stack.outputs.map((o) => [o.format, o.sensitive]),
      [
        ['json', false],
        ['json', false],
      ],
    );
  });
});

describe('lifetimes', () => {
  const cases: Array<[string, number]> = [
    ['12h', 12 * 3_600_000],
    ['180d', 180 * 86_400_000],
    ['8w', 56 * 86_400_000],
    ['2y', 730 * 86_400_000],
  ];
  for (const [text, ms] of cases) test(text, () => assert.equal(lifetimeMs(text), ms));
});

describe('loading', () => {
  test('invalid manifests throw VALIDATION_FAILED with every problem', async () => {
    await assert.rejects(loadManifests(['test/fixtures/invalid/duplicate-value.yaml'], { env: {} }), (e: unknown) => {
      assert.ok(e instanceof TenantformError);
      assert.equal(e.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        (e.meta.problems as Array<{ code: string }>).map((p) => p.code),
        ['duplicate-value'],
      );
      return true;
    });
  });

  test('a missing file is MANIFEST_NOT_FOUND, naming every missing path', async () => {
    await assert.rejects(validateManifests(['nope.yaml', 'manifests/todolist-daemon.yaml', 'gone/'], { env: {} }), (e: unknown) => {
      assert.ok(e instanceof TenantformError);
      assert.equal(e.code, 'MANIFEST_NOT_FOUND');
      assert.deepEqual(e.meta.paths, ['nope.yaml', 'gone/']);
      return true;
    });
  });

  test('no paths is a usage error', async () => {
    await assert.rejects(validateManifests([], { env: {} }), (e: unknown) => e instanceof TenantformError && e.code === 'USAGE');
  });

  test('an identifier URI claimed by two stacks is refused offline, at the second, pointing at the first', async () => {
    const dir = tempDir('tenantform-manifests-');
    const app = (stack: string, uri: string) =>
      `stack: ${stack}\napplications:\n  api:\n    displayName: api\n    identifierUris: ['${uri}', 'api://{appId}']\n`;
    writeFileSync(path.join(dir, 'a.yaml'), app('a', 'api://contoso.com/todo'));
    writeFileSync(path.join(dir, 'b.yaml'), app('b', 'api://CONTOSO.com/todo'));
    const result = await validateManifests(['a.yaml', 'b.yaml'], { env: {}, cwd: dir });
    assert.deepEqual(
      result.problems.map((p) => `${p.code} ${p.location.file}:${p.location.line}:${p.location.column} ${p.message}`),
      [
        'duplicate-value b.yaml:5:22 Identifier URI "api://CONTOSO.com/todo" is also used by application "api" of stack "a" (a.yaml:5:22); identifier URIs are unique in a tenant',
      ],
    );
  });

  test('a directory means its *.yaml and *.yml files, sorted; one output path per tenant-wide file', async () => {
    const dir = tempDir('tenantform-manifests-');
    mkdirSync(path.join(dir, 'm'));
    writeFileSync(path.join(dir, 'm', 'b.yml'), 'stack: b\noutputs: [{path: out/x.env, values: {A: x}}]\n');
    writeFileSync(path.join(dir, 'm', 'a.yaml'), 'stack: a\noutputs: [{path: ./out/x.env, values: {A: y}}]\n');
    writeFileSync(path.join(dir, 'm', 'notes.txt'), 'not a manifest');
    const result = await validateManifests(['m'], { env: {}, cwd: dir });
    assert.deepEqual(result.files, [path.join('m', 'a.yaml'), path.join('m', 'b.yml')]);
    assert.deepEqual(
      result.problems.map((p) => `${p.code} ${p.location.file}:${p.location.line}:${p.location.column}`),
      [`duplicate-value ${path.join('m', 'b.yml')}:2:18`],
    );
    assert.match(result.problems[0].message, /also written by stack "a"/);
  });
});
