/**
 * Cross-field rules (src/manifest/rules*.ts), table-driven: manifest text → expected problem codes and paths.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { permissionValueProblem } from '../../src/manifest/rules.js';
import { identifierUriProblem } from '../../src/manifest/rules-uris.js';
import { API_APP, check, codes, only } from '../helpers/manifests.js';

const role = (value: string, extra = '') => `
      - value: ${value}
        displayName: d
        description: d
        allowedMemberTypes: [Application]${extra}`;
const scopeYaml = (value: string, extra = '') => `
      - value: ${value}
        adminConsentDisplayName: d
        adminConsentDescription: d${extra}`;

describe('app role and scope values', () => {
  const cases: Array<[string, string | undefined]> = [
    ['ToDoList.Read.All', undefined],
    ["a!#$%&'()*+,-./:;<=>?@[]^_`{|}~z", undefined],
    ['Read All', 'contains a space'],
    ['.Read', 'starts with a dot'],
    ['Read"All', 'contains characters Graph does not allow: "\\""'],
    ['Lesen.Übersicht', 'contains characters Graph does not allow: "Ü"'],
    ['x'.repeat(120), undefined],
    ['x'.repeat(121), 'is longer than 120 characters'],
  ];
  for (const [value, expected] of cases) {
    test(`${JSON.stringify(value.slice(0, 40))} → ${expected ?? 'ok'}`, () => assert.equal(permissionValueProblem(value), expected));
  }

  test('roles and scopes share one value namespace', () => {
    const p = only(`stack: s
applications:
  api:
    displayName: api
    appRoles:${role('Lists.Read')}
    scopes:${scopeYaml('Lists.Read')}
`);
    assert.equal(p.code, 'duplicate-value');
    assert.equal(p.path, 'applications.api.scopes[0].value');
    assert.equal(p.message, 'Scope value "Lists.Read" is also used by an app role in application "api" (also at 6:16)');
    assert.match(p.hint ?? '', /share one value namespace/);
  });

  test('the same value in two applications is fine', () => {
    assert.deepEqual(
      codes(`stack: s
applications:
  a:
    displayName: a
    appRoles:${role('Lists.Read')}
  b:
    displayName: b
    appRoles:${role('Lists.Read')}
`),
      [],
    );
  });

  test('duplicate ids compare case-insensitively, across roles and scopes', () => {
    assert.deepEqual(
      codes(`stack: s
applications:
  api:
    displayName: api
    appRoles:${role('A', '\n        id: 11111111-1111-1111-1111-11111111111a')}${role('B', '\n        id: 11111111-1111-1111-1111-11111111111A')}
    scopes:${scopeYaml('C', '\n        id: 11111111-1111-1111-1111-11111111111a')}
`),
      ['duplicate-id applications.api.appRoles[1].id', 'duplicate-id applications.api.scopes[0].id'],
    );
  });

  test('a member type listed twice', () => {
    assert.deepEqual(
      codes(`stack: s
applications:
  api:
    displayName: api
    appRoles:
      - value: A
        displayName: d
        description: d
        allowedMemberTypes: [Application, User, Application]
`),
      ['duplicate-value applications.api.appRoles[0].allowedMemberTypes[2]'],
    );
  });
});

describe('personal-account audiences', () => {
  const app = (body: string) => `stack: s
applications:
  api:
    displayName: api
    signInAudience: AzureADandPersonalMicrosoftAccount
${body}`;
  test('token version 1 is refused', () => {
    assert.deepEqual(codes(app('    api: {requestedAccessTokenVersion: 1}\n')), ['invalid-value applications.api.api.requestedAccessTokenVersion']);
  });
  test('the default version (2) is fine', () => assert.deepEqual(codes(app('')), []));
  test('scope values longer than 40 characters', () => {
    assert.deepEqual(codes(app(`    scopes:${scopeYaml('s'.repeat(41))}\n`)), ['invalid-value applications.api.scopes[0].value']);
  });
  test('identifier URIs: no urn:, no query', () => {
    assert.deepEqual(codes(app('    identifierUris: ["urn:x:y", "api://{appId}?a=b", "api://{appId}"]\n')), [
      'invalid-uri applications.api.identifierUris[0]',
      'invalid-uri applications.api.identifierUris[1]',
    ]);
  });
});

describe('identifier URIs', () => {
  const cases: Array<[string, RegExp | undefined]> = [
    ['api://{appId}', undefined],
    ['api://{appId}/access', undefined],
    ['api://contoso.com/todo', undefined],
    ['https://contoso.com/todo', undefined],
    ['https://api.contoso.com', undefined],
    ['urn:contoso:todo', undefined],
    ['api://aaaabbbb-0000-cccc-1111-dddd2222eeee/{appId}', undefined],
    ['api://{appid}', /unknown placeholder \{appid\}/],
    ['api://{tenantId}/x', /unknown placeholder/],
    ['http://contoso.com/todo', /scheme "http:"/],
    ['my-api', /not an absolute URI/],
    ['api://', /has no host/],
    ['https://localhost/x', /not a domain/],
    ['api://*', /wildcards/],
    ['api://my api', /spaces/],
    [`api://{appId}/${'x'.repeat(213)}`, /too long: 256 characters/],
    [`api://{appId}/${'x'.repeat(212)}`, undefined],
  ];
  for (const [uri, expected] of cases) {
    test(`${uri.slice(0, 50)} → ${expected ?? 'ok'}`, () => {
      const p = identifierUriProblem(uri, { personalAccounts: false });
      if (expected) assert.match(p?.message ?? '(none)', expected);
      else assert.equal(p, undefined);
    });
  }

  test('repeated in one app, and shared by two apps of the stack', () => {
    assert.deepEqual(
      codes(`stack: s
applications:
  a:
    displayName: a
    identifierUris: ['api://{appId}', 'api://{appId}', https://contoso.com/x]
  b:
    displayName: b
    identifierUris: ['api://{appId}', https://contoso.com/x]
`),
      ['duplicate-value applications.a.identifierUris[1]', 'duplicate-value applications.b.identifierUris[1]'],
    );
  });

  test('${...} in an identifier URI is refused with a hint about {appId}', () => {
    const p = only(`stack: s
applications:
  a:
    displayName: a
    identifierUris: ['api://\${apps.a.appId}']
`);
    assert.equal(p.code, 'invalid-reference');
    assert.match(p.hint ?? '', /\{appId\}/);
  });
});

describe('other per-application rules', () => {
  const cases: Array<[string, string, string[]]> = [
    ['app key with a dot', '  my.app:\n    displayName: x\n', ['invalid-value applications.my.app']],
    [
      'optional claim twice',
      '  a:\n    displayName: x\n    optionalClaims: {accessToken: [idtyp, {name: idtyp}]}\n',
      ['duplicate-value applications.a.optionalClaims.accessToken[1]'],
    ],
    ['secret name twice', '  a:\n    displayName: x\n    secrets: [{name: main}, {name: main}]\n', ['duplicate-value applications.a.secrets[1].name']],
    ['secret name with a dot', '  a:\n    displayName: x\n    secrets: [{name: ci.main}]\n', ['invalid-value applications.a.secrets[0].name']],
    ['secret lifetime', '  a:\n    displayName: x\n    secrets: [{name: main, lifetime: 6 months}]\n', ['invalid-value applications.a.secrets[0].lifetime']],
    [
      'reserved tag',
      '  a:\n    displayName: x\n    servicePrincipal: {tags: ["tenantform:stack=other"]}\n',
      ['invalid-value applications.a.servicePrincipal.tags[0]'],
    ],
    ['tag twice', '  a:\n    displayName: x\n    servicePrincipal: {tags: [HideApp, HideApp]}\n', ['duplicate-value applications.a.servicePrincipal.tags[1]']],
  ];
  for (const [name, apps, expected] of cases) {
    test(name, () => assert.deepEqual(codes(`stack: s\napplications:\n${apps}`), expected));
  }

  test('stack names', () => {
    assert.deepEqual(codes('stack: My_Stack\n'), ['invalid-value stack']);
    assert.deepEqual(codes('stack: a--b\n'), ['invalid-value stack']);
    assert.deepEqual(codes(`stack: ${'a'.repeat(41)}\n`), ['invalid-value stack']);
    assert.deepEqual(codes(`stack: ${'a'.repeat(40)}\n`), []);
  });
});

describe('permissions', () => {
  const daemon = (perm: string) => `stack: s
applications:${API_APP}
  daemon:
    displayName: daemon
    permissions:
${perm}`;
  const cases: Array<[string, string, string[]]> = [
    ['granting a role of the stack', '      - {api: api, roles: [ToDoList.Read.All], adminConsent: true}\n', []],
    ['a role that does not exist', '      - {api: api, roles: [ToDoList.Read]}\n', ['dangling-reference applications.daemon.permissions[0].roles[0]']],
    ['a scope that does not exist', '      - {api: api, scopes: [user_impersonation]}\n', ['dangling-reference applications.daemon.permissions[0].scopes[0]']],
    ['neither roles nor scopes', '      - {api: api}\n', ['invalid-value applications.daemon.permissions[0]']],
    [
      'a role listed twice',
      '      - {api: api, roles: [ToDoList.Read.All, ToDoList.Read.All]}\n',
      ['duplicate-value applications.daemon.permissions[0].roles[1]'],
    ],
    [
      'the same API twice',
      '      - {api: api, roles: [ToDoList.Read.All]}\n      - {api: api, roles: [ToDoList.Read.All]}\n',
      ['duplicate-value applications.daemon.permissions[1].api'],
    ],
    ['a tenant API by name (resolved later)', '      - {api: Microsoft Graph, roles: [User.Read.All], adminConsent: true}\n', []],
    ['a tenant API by appId (resolved later)', '      - {api: 00000003-0000-0000-c000-000000000000, scopes: [User.Read]}\n', []],
    [
      'the display name of a stack app',
      '      - {api: ciam-ToDoList-api, roles: [ToDoList.Read.All]}\n',
      ['invalid-value applications.daemon.permissions[0].api'],
    ],
  ];
  for (const [name, perm, expected] of cases) {
    test(name, () => assert.deepEqual(codes(daemon(perm)), expected));
  }

  test('a role that only Users may hold, and a disabled role', () => {
    const yaml = `stack: s
applications:
  api:
    displayName: api
    appRoles:${role('Admin', '\n        allowedMemberTypes: [User]').replace('        allowedMemberTypes: [Application]\n', '')}${role('Old', '\n        enabled: false')}
  daemon:
    displayName: daemon
    permissions:
      - {api: api, roles: [Admin, Old]}
`;
    const problems = check(yaml).problems;
    assert.deepEqual(
      problems.map((p) => p.message),
      ['App role "Admin" of application "api" cannot be granted to an application', 'App role "Old" of application "api" is disabled, so it cannot be granted'],
    );
  });

  test('a near miss of a stack key is a warning, not an error', () => {
    const result = check(daemon('      - {api: apii, roles: [ToDoList.Read.All]}\n'));
    assert.equal(result.ok, true);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].severity, 'warning');
    assert.equal(result.problems[0].hint, 'did you mean "api"?');
  });

  test('a permission on a broken application is not reported as dangling', () => {
    const yaml = `stack: s
applications:
  api:
    displayName: 12
  daemon:
    displayName: daemon
    permissions: [{api: api, roles: [Anything]}]
`;
    assert.deepEqual(codes(yaml), ['wrong-type applications.api.displayName']);
  });
});

describe('outputs', () => {
  const stack = (values: string, extra = '') => `stack: s
applications:${API_APP}
  daemon:
    displayName: daemon
    secrets: [{name: main}${extra}]
outputs:
  - path: out/x.env
    values:
${values}`;
  const cases: Array<[string, string, string[], string?]> = [
    [
      'all forms',
      '      A: ${tenant.id} ${tenant.subdomain} ${tenant.authority} ${apps.api.appId} ${apps.api.identifierUri} ${apps.daemon.secret} ${apps.daemon.secrets.main}\n',
      [],
    ],
    ['unknown application', '      A: ${apps.web.appId}\n', ['dangling-reference outputs[0].values.A']],
    ['unknown tenant field', '      A: ${tenant.name}\n', ['dangling-reference outputs[0].values.A']],
    ['unknown namespace', '      A: ${env.HOME}\n', ['dangling-reference outputs[0].values.A']],
    ['no identifier URI', '      A: ${apps.daemon.identifierUri}\n', ['dangling-reference outputs[0].values.A']],
    ['no secret', '      A: ${apps.api.secret}\n', ['dangling-reference outputs[0].values.A']],
    ['unknown secret name', '      A: ${apps.daemon.secrets.mian}\n', ['dangling-reference outputs[0].values.A']],
    ['ambiguous secret', '      A: ${apps.daemon.secret}\n', ['invalid-reference outputs[0].values.A'], ', {name: backup}'],
    ['not a dotenv name', '      1A: x\n', ['invalid-value outputs[0].values.1A']],
    ['literal ${ escaped', '      A: $${not.a.ref}\n', []],
    ['malformed reference', '      A: ${apps..x}\n', ['invalid-reference outputs[0].values.A']],
  ];
  for (const [name, values, expected, extra] of cases) {
    test(name, () => assert.deepEqual(codes(stack(values, extra)), expected));
  }

  test('the problem points at the reference inside the value', () => {
    const p = only(stack('      CLIENT: "id=${apps.web.appId}"\n'));
    assert.deepEqual([p.location.line, p.location.column], [18, 19]);
    assert.equal(p.message, '${apps.web.appId} names application "web", which this manifest does not declare');
  });

  test('json outputs take any key; paths must be unique; values must not be empty', () => {
    const yaml = `stack: s
outputs:
  - {path: out/a.json, values: {"1 odd key": x}}
  - {path: ./out/a.json, values: {}}
`;
    assert.deepEqual(codes(yaml), ['duplicate-value outputs[1].path', 'invalid-value outputs[1].values']);
  });
});

test('an unknown key does not hide the rule problems of the same application', () => {
  const yaml = `stack: s
applications:
  a:
    displayName: a
    colour: blue
    appRoles:${role('X')}${role('X')}
`;
  assert.deepEqual(codes(yaml), ['unknown-key applications.a.colour', 'duplicate-value applications.a.appRoles[1].value']);
});

test('a duplicate YAML key does not stop the other checks', () => {
  assert.deepEqual(codes('stack: s\nstack: t\napplications:\n  a: {displayName: a, identifierUris: [x]}\n'), [
    'duplicate-key',
    'invalid-uri applications.a.identifierUris[0]',
  ]);
});

test('problems of different applications are all reported at once, in file order', () => {
  const yaml = `stack: s
applications:
  a:
    displayName: a
    colour: blue
  b:
    displayName: b
    appRoles:${role('X')}${role('X')}
  c:
    displayName: c
    identifierUris: [http://c]
    permissions: [{api: b, roles: [Y]}]
`;
  assert.deepEqual(codes(yaml), [
    'unknown-key applications.a.colour',
    'duplicate-value applications.b.appRoles[1].value',
    'invalid-uri applications.c.identifierUris[0]',
    'dangling-reference applications.c.permissions[0].roles[0]',
  ]);
});
