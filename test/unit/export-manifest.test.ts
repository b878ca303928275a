import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { checkExport, exportManifest, importCommand } from '../../src/export/index.js';
import { stableId } from '../../src/model/desired.js';
import type { ExportRead } from '../../src/model/export.js';
import { assignment, exported, exportRead, grant, graphApp, graphRole, graphScope, graphSp, guid, seed000 } from '../helpers/export-fixtures.js';
import { githubFormOf } from '../../src/manifest/normalize-credentials.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const TENANT = { id: 't', kind: 'remote' as const, identity: 'test' };

function run(read: ExportRead, stack = 'todo') {
  const r = exportManifest(read, { stack, schemaRef: 'tenantform.schema.json', now: NOW });
  const check = checkExport({ file: 'exported.yaml', result: r, read, secrets: {}, tenant: TENANT, now: NOW, cwd: '/' });
  const doc = parse(r.text) as { stack: string; applications: Record<string, Record<string, unknown>> };
  return { ...r, check, doc, app: (key: string) => doc.applications[key] as Record<string, any> };
}

describe('export: the manifest for registrations made by hand (seed 000)', () => {
  it('says every managed property, leaves defaults out, and plans no change once adopted', () => {
    const { read, api } = seed000();
    const r = run(read);
    assert.deepEqual(r.check, { problems: [], changes: [] });
    assert.deepEqual(
      r.apps.map((a) => a.key),
      ['ciam-client-app', 'ciam-todolist-api'],
    );
    assert.deepEqual(r.app('ciam-todolist-api'), {
      displayName: 'ciam-ToDoList-api',
      identifierUris: ['api://{appId}'],
      appRoles: api.appRoles!.map((role) => ({
        value: role.value,
        id: role.id,
        displayName: role.displayName,
        description: role.description,
        allowedMemberTypes: ['Application'],
      })),
      optionalClaims: { accessToken: ['idtyp'] },
      servicePrincipal: { tags: ['WindowsAzureActiveDirectoryIntegratedApp'] },
    });
    assert.deepEqual(r.app('ciam-client-app').permissions, [
      { api: 'ciam-todolist-api', roles: ['ToDoList.Read.All', 'ToDoList.ReadWrite.All'], adminConsent: true },
    ]);
  });

  it('starts with the schema line and names the tenant and the time; credentials are comments', () => {
    const r = run(seed000().read);
    const lines = r.text.split('\n');
    assert.equal(lines[0], '# yaml-language-server: $schema=tenantform.schema.json');
    assert.equal(lines[1], '# Exported by tenantform export from tenant 72f988bf-0000-4000-8000-000000000001 (Contoso) at 2025-03-01T12:00:00.000Z.');
    assert.match(r.text, /# {3}client secret "ciam app client secret" \(keyId ce\S+, starts abc\), expires 2025-07-01\n/);
    assert.match(r.text, /# secrets:\n {4}# {3}- \{ name: main, lifetime: 180d \}/);
    assert.deepEqual(r.warnings, ['ciam-client-app: 1 credential is listed as a comment (values cannot be exported; it stays on the application untouched)']);
  });

  it('gives the same text whatever order Graph listed the applications in', () => {
    const { read } = seed000();
    assert.equal(run({ ...read, applications: [...read.applications].reverse() }).text, run(read).text);
  });

  it('leaves out the ids tenantform would derive itself (a stack exported into its own name), keeps any other', () => {
    const derived = graphRole('Read', { id: stableId({ stack: 'todo', app: 'api', kind: 'appRole', value: 'Read' }) });
    const handMade = graphRole('Write');
    const app = graphApp({ displayName: 'api', uniqueName: 'todo--api', tags: ['tenantform:stack=todo'], appRoles: [derived, handMade] });
    const r = run(exportRead([exported(app, { servicePrincipal: graphSp(app) })]));
    assert.deepEqual(
      (r.app('api').appRoles as Array<{ value: string; id?: string }>).map((x) => [x.value, x.id]),
      [
        ['Read', undefined],
        ['Write', handMade.id],
      ],
    );
    assert.deepEqual(r.check, { problems: [], changes: [] });
    assert.deepEqual(r.warnings, []);
  });
});

describe('export: what the manifest cannot say exactly is reported (comment + warning), and the check says what apply would do', () => {
  const withSp = (o: Parameters<typeof graphApp>[0]) => {
    const app = graphApp(o);
    return { app, sp: graphSp(app) };
  };

  it('partial admin consent: adminConsent true, the rest granted by the next apply', () => {
    const a = graphRole('A');
    const b = graphRole('B');
    const api = withSp({ displayName: 'api', appRoles: [a, b] });
    const client = withSp({
      displayName: 'client',
      requiredResourceAccess: [
        {
          resourceAppId: api.app.appId!,
          resourceAccess: [
            { id: a.id, type: 'Role' },
            { id: b.id, type: 'Role' },
          ],
        },
      ],
    });
    const read = exportRead([
      exported(api.app, { servicePrincipal: api.sp }),
      exported(client.app, { servicePrincipal: client.sp, assignments: [assignment(client.sp, api.sp, a.id!)] }),
    ]);
    const r = run(read);
    assert.deepEqual(r.app('client').permissions, [{ api: 'api', roles: ['A', 'B'], adminConsent: true }]);
    assert.match(r.warnings.join('\n'), /client: has admin consent for only part of its permissions on api \(not for B\)/);
    assert.match(r.text, /# ! has admin consent for only part of its permissions on api/);
    assert.deepEqual(
      r.check.changes.map((c) => c.split(' ')[0]),
      ['create-app-role-assignment'],
    );
  });

  it('consent without a configured permission: kept (listed), and the next apply configures it', () => {
    const a = graphRole('A');
    const api = withSp({ displayName: 'api', appRoles: [a] });
    const client = withSp({ displayName: 'client' });
    const read = exportRead([
      exported(api.app, { servicePrincipal: api.sp }),
      exported(client.app, { servicePrincipal: client.sp, assignments: [assignment(client.sp, api.sp, a.id!)] }),
    ]);
    const r = run(read);
    assert.deepEqual(r.app('client').permissions, [{ api: 'api', roles: ['A'], adminConsent: true }]);
    assert.match(r.warnings.join('\n'), /is granted A on api without it being a configured permission/);
    assert.match(r.check.changes.join('\n'), /^update-application app:todo\/client \(requiredResourceAccess\)/);
  });

  it('Microsoft Graph and other tenant APIs by display name and scope value; by appId when the name is not unique', () => {
    const graph = graphSp(graphApp({ displayName: 'Microsoft Graph', appId: '00000003-0000-0000-c000-000000000000' }), {
      oauth2PermissionScopes: [graphScope('User.Read', { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d' })],
    });
    const twin = graphScope('Data.Read');
    const twinA = graphSp(graphApp({ displayName: 'Twin' }), { oauth2PermissionScopes: [twin] });
    const spa = withSp({
      displayName: 'spa',
      requiredResourceAccess: [
        { resourceAppId: graph.appId!, resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }] },
        { resourceAppId: twinA.appId!, resourceAccess: [{ id: twin.id, type: 'Scope' }] },
      ],
    });
    const read = exportRead([exported(spa.app, { servicePrincipal: spa.sp, grants: [grant(spa.sp, graph, 'User.Read')] })], [graph, twinA]);
    read.displayNameCounts.Twin = 2;
    const r = run(read);
    assert.deepEqual(r.app('spa').permissions, [
      { api: 'Microsoft Graph', scopes: ['User.Read'], adminConsent: true },
      { api: twinA.appId, scopes: ['Data.Read'] },
    ]);
    assert.deepEqual(r.check, { problems: [], changes: [] });
  });

  it('{appId} for the own appId in identifier and redirect URIs; another app’s appId stays literal', () => {
    const other = guid('ap');
    const app = graphApp({ displayName: 'desktop' });
    app.identifierUris = [`api://${app.appId}`, `api://contoso.onmicrosoft.com/${app.appId}`];
    app.publicClient = { redirectUris: [`msal${app.appId}://auth`, `https://login.microsoftonline.com/common/oauth2/nativeclient`] };
    app.web = {
      redirectUris: [`https://contoso.com/${other}/signin-oidc`],
      implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: false },
    };
    app.isFallbackPublicClient = true;
    const r = run(exportRead([exported(app, { servicePrincipal: graphSp(app) })]));
    const d = r.app('desktop');
    assert.deepEqual(d.identifierUris, ['api://{appId}', 'api://contoso.onmicrosoft.com/{appId}']);
    assert.deepEqual(d.publicClient, { redirectUris: ['msal{appId}://auth', 'https://login.microsoftonline.com/common/oauth2/nativeclient'] });
    assert.deepEqual(d.web, { redirectUris: [`https://contoso.com/${other}/signin-oidc`], implicitGrantSettings: { enableIdTokenIssuance: true } });
    assert.equal(d.isFallbackPublicClient, true);
    assert.deepEqual(r.check.changes, []);
  });

  it('known and pre-authorized clients: exported ones by key, others by appId, unknown ones left out (apply keeps them)', () => {
    const s = graphScope('access');
    const spa = withSp({ displayName: 'spa' });
    const outside = withSp({ displayName: 'outside' });
    const gone = guid('ap');
    const api = withSp({
      displayName: 'api',
      api: {
        requestedAccessTokenVersion: 2,
        oauth2PermissionScopes: [s],
        knownClientApplications: [spa.app.appId!, outside.app.appId!, gone],
        preAuthorizedApplications: [
          { appId: spa.app.appId!, delegatedPermissionIds: [s.id!] },
          { appId: gone, delegatedPermissionIds: [s.id!] },
        ],
      },
    });
    const read = exportRead([exported(api.app, { servicePrincipal: api.sp }), exported(spa.app, { servicePrincipal: spa.sp })], [outside.sp]);
    const r = run(read);
    assert.deepEqual(r.app('api').api, {
      knownClientApplications: ['spa', outside.app.appId],
      preAuthorizedApplications: [{ app: 'spa', scopes: ['access'] }],
    });
    assert.match(r.warnings.join('\n'), new RegExp(`api: names the client ${gone}, which has no service principal in this tenant`));
    assert.deepEqual(r.check, { problems: [], changes: [] });
  });

  it('a GitHub Actions subject becomes the github: form only when it writes back exactly', () => {
    const gh = 'https://token.actions.githubusercontent.com';
    assert.deepEqual(githubFormOf(gh, 'repo:o/r:ref:refs/tags/v1.2'), { repository: 'o/r', tag: 'v1.2' });
    assert.deepEqual(githubFormOf(gh, 'repo:o/r:pull_request'), { repository: 'o/r', pullRequest: true });
    assert.equal(githubFormOf(gh, 'repo:o/r:environment:prod:job_workflow_ref:x'), undefined, 'a customized subject template');
    assert.equal(githubFormOf('https://gitlab.example.com', 'repo:o/r:pull_request'), undefined);
  });

  it("tenantform's own credentials are entries (else apply would remove them); others are comments with how to adopt them", () => {
    const app = graphApp({
      displayName: 'deployer',
      passwordCredentials: [{ displayName: 'tenantform:main', keyId: guid('ke'), startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2027-01-01T00:00:00Z' }],
    });
    const fics = [
      {
        id: 'f1',
        name: 'main',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:o/r:ref:refs/heads/main',
        audiences: ['api://AzureADTokenExchange'],
        description: 'tenantform:stack=todo deploys main',
      },
      {
        id: 'f2',
        name: 'portal',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:o/r:environment:prod',
        audiences: ['api://AzureADTokenExchange'],
        description: null,
      },
    ];
    const read = exportRead([exported(app, { servicePrincipal: graphSp(app), federatedCredentials: fics })]);
    const r = run(read);
    const d = r.app('deployer');
    assert.deepEqual(d.secrets, [{ name: 'main', lifetime: '2y' }]);
    // GitHub Actions trusts in the `github:` shorthand a person writes.
    assert.deepEqual(d.federatedCredentials, [{ name: 'main', description: 'deploys main', github: { repository: 'o/r', branch: 'main' } }]);
    assert.match(r.text, /# federatedCredentials: .*\n\s+# {3}- \{ name: portal, github: \{ repository: o\/r, environment: prod \} \}/);
    // Its secret's value is in this machine's cache: kept. Without it, the check says apply would replace it.
    const cached = checkExport({
      file: 'x.yaml',
      result: r,
      read,
      secrets: { todo: { deployer: { main: { keyId: String(app.passwordCredentials![0].keyId), value: 'v' } } } },
      tenant: TENANT,
      now: NOW,
      cwd: '/',
    });
    assert.deepEqual(cached.changes, []);
    assert.deepEqual(
      r.check.changes.map((c) => c.split(' ')[0]),
      ['add-secret', 'remove-secret'],
    );
  });

  it('owners, unmanaged properties, user consent and role assignments to users: reported, left as they are', () => {
    const role = graphRole('Admin', { allowedMemberTypes: ['User'] });
    const app = graphApp({ displayName: 'portal app', appRoles: [role], tags: ['team:x'], notes: 'ask team x' } as never);
    const sp = graphSp(app, { accountEnabled: false });
    const read = exportRead([
      exported(app, {
        servicePrincipal: sp,
        owners: [
          { type: 'user', id: 'u1', name: 'ada@contoso.com' },
          { type: 'servicePrincipal', id: 's1', name: 'deployer' },
        ],
        assignedTo: [{ id: 'x', appRoleId: role.id, principalId: 'u2', principalType: 'User', principalDisplayName: 'Grace', resourceId: sp.id }],
        grants: [{ id: 'g', clientId: sp.id, resourceId: sp.id, consentType: 'Principal', principalId: 'u3', scope: 'openid' }],
      }),
    ]);
    const r = run(read);
    const text = r.warnings.join('\n');
    assert.match(text, /portal-app: sets what tenantform does not manage .*tags \["team:x"\]; notes "ask team x"/);
    assert.match(text, /portal-app: its service principal sets .*accountEnabled false/);
    assert.match(text, /portal-app: has owners tenantform does not manage .*user ada@contoso\.com/);
    assert.doesNotMatch(text, /deployer/, 'a service principal owner (the deploying identity) is not worth a warning');
    assert.match(text, /portal-app: its app roles are assigned to principals tenantform does not manage .*Admin → User Grace/);
    assert.match(text, /portal-app: a user \(u3\) consented to "openid"/);
    for (const w of r.warnings) assert.ok(r.text.includes(`# ! ${w.replace(/^portal-app: /, '')}`), w);
    assert.deepEqual(r.check.changes, []);
  });

  it('owners that could not be read are said once for the whole file', () => {
    const { read } = seed000();
    for (const a of read.applications) a.owners = { refused: { status: 501, code: 'NotImplemented', message: 'no' } };
    const r = run(read);
    assert.equal(r.warnings.filter((w) => w.startsWith('owners could not be read (501 NotImplemented)')).length, 1);
    assert.match(r.text, /^# ! owners could not be read/m);
  });

  it("another stack's applications: a template, not adoptable, and no import command for them", () => {
    const { read } = seed000();
    read.applications[0].app.tags = ['tenantform:stack=other'];
    read.applications[0].app.uniqueName = 'other--api';
    const r = run(read);
    assert.deepEqual(
      r.apps.map((a) => [a.key, a.adoptable]),
      [
        ['api', false],
        ['ciam-client-app', true],
      ],
    );
    assert.equal(r.warnings.filter((w) => w.startsWith('api: ')).length, 1, 'one warning says both: its stack and its uniqueName');
    assert.equal(importCommand('x.yaml', r.apps), `tenantform import x.yaml --app ciam-client-app=${r.apps[1].appId}`);
    assert.equal(importCommand(undefined, [{ ...r.apps[0] }]), undefined);
  });

  it('no token version (null = v1): 1 for an app that publishes an API, the default 2 for one that does not; both reported', () => {
    const noVersion = { requestedAccessTokenVersion: null, oauth2PermissionScopes: [graphScope('read')] };
    const api = graphApp({ displayName: 'v1 api', api: noVersion });
    const client = graphApp({ displayName: 'client', api: { requestedAccessTokenVersion: null } });
    const r = run(exportRead([exported(api, { servicePrincipal: graphSp(api) }), exported(client, { servicePrincipal: graphSp(client) })]));
    assert.deepEqual(r.app('v1-api').api, { requestedAccessTokenVersion: 1 });
    assert.equal(r.app('client').api, undefined);
    assert.equal(r.warnings.filter((w) => /no api\.requestedAccessTokenVersion/.test(w)).length, 2);
    assert.deepEqual(
      r.check.changes.map((c) => c.replace(/:.*/, '')),
      ['update-application app', 'update-application app'],
    );
  });

  it('a disabled role, or one a permission names that is gone: reported, never silently dropped', () => {
    const off = graphRole('Off', { isEnabled: false });
    const api = graphApp({ displayName: 'api', appRoles: [off] });
    const client = graphApp({
      displayName: 'client',
      requiredResourceAccess: [
        {
          resourceAppId: api.appId!,
          resourceAccess: [
            { id: off.id, type: 'Role' },
            { id: guid('ro'), type: 'Role' },
          ],
        },
      ],
    });
    const r = run(exportRead([exported(api, { servicePrincipal: graphSp(api) }), exported(client, { servicePrincipal: graphSp(client) })]));
    assert.deepEqual((r.app('api').appRoles as Array<{ enabled?: boolean }>)[0].enabled, false);
    assert.equal(r.app('client').permissions, undefined);
    const text = r.warnings.join('\n');
    assert.match(text, /client: the app role Off of api, which is disabled or not for applications: the next apply removes it/);
    assert.match(text, /client: an app role \S+ that api does not publish \(any more\)/);
    assert.match(r.check.changes.join('\n'), /requiredResourceAccess/);
  });
});
