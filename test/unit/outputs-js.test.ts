/**
 * `js` outputs (an ES module exporting each top-level key, as MSAL.js samples keep authConfig.js) and the
 * `${apps.KEY.scopes.VALUE}` reference (a delegated scope as a client requests it): rendered offline and checked
 * at validation with file:line:column.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { validateManifestText } from '../../src/manifest/index.js';
import { renderOutput, type OutputValues } from '../../src/outputs/render.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const manifest = (outputs: string, uris = "['api://{appId}']") => `stack: s
applications:
  api:
    displayName: api
    identifierUris: ${uris}
    scopes:
      - { value: Files.Read, adminConsentDisplayName: Read, adminConsentDescription: Read files }
outputs:
${outputs}`;
const values = (uri: string): OutputValues => ({
  tenant: {
    id: 't',
    authority: 'https://login.microsoftonline.com/t',
    instance: 'https://login.microsoftonline.com/',
    authorityHost: 'login.microsoftonline.com',
  },
  appId: () => APP_ID,
  identifierUri: () => uri,
  secret: () => undefined,
  certificate: () => undefined,
});
const load = (outputs: string, uris?: string) => {
  const r = validateManifestText('m.yaml', manifest(outputs, uris), { env: {} });
  return r;
};

describe('js outputs and scope references', () => {
  test('an ES module exporting each key; a scope value with dots is the URI, "/", the value', async () => {
    const r = load(
      "  - path: out/authConfig.js\n    template:\n      msalConfig: { auth: { clientId: '${apps.api.appId}' } }\n      loginRequest: { scopes: ['${apps.api.scopes.Files.Read}'] }\n",
    );
    assert.ok(r.ok, JSON.stringify(r.problems));
    const out = r.stacks[0].outputs[0];
    assert.equal(out.format, 'js');
    const text = renderOutput(out, values(`api://${APP_ID}`))!;
    assert.match(text, /^\/\/ Written by tenantform/);
    const mod = (await import(`data:text/javascript,${encodeURIComponent(text)}`)) as Record<string, unknown>;
    assert.deepEqual(mod.msalConfig, { auth: { clientId: APP_ID } });
    assert.deepEqual(mod.loginRequest, { scopes: [`api://${APP_ID}/Files.Read`] });
    // A URI ending in "/" gets a second one: Entra splits a scope at its last "/".
    assert.match(renderOutput(out, values('https://contoso.com/api/'))!, /"https:\/\/contoso\.com\/api\/\/Files\.Read"/);
  });

  test('flat values export one string each', async () => {
    const r = load('  - path: out/config.mjs\n    values:\n      clientId: ${apps.api.appId}\n');
    const mod = (await import(`data:text/javascript,${encodeURIComponent(renderOutput(r.stacks[0].outputs[0], values('x'))!)}`)) as Record<string, unknown>;
    assert.equal(mod.clientId, APP_ID);
  });

  test('module: false writes a classic script (constants for a <script> tag)', () => {
    const r = load('  - path: out/authConfig.js\n    module: false\n    values:\n      clientId: ${apps.api.appId}\n');
    const text = renderOutput(r.stacks[0].outputs[0], values('x'))!;
    assert.doesNotMatch(text, /export/);
    assert.equal(runInNewContext(`${text}\nclientId`), APP_ID);
    assert.deepEqual(
      load('  - path: a.env\n    module: false\n    values:\n      A: x\n').problems.map((p) => p.message),
      ['"module" is not used by dotenv outputs'],
    );
  });

  const refused: Array<[string, string, string | undefined, string]> = [
    [
      'an export name that is not a JavaScript name',
      '  - path: a.js\n    values:\n      client-id: x\n',
      undefined,
      'Output "a.js" would export "client-id", which is not a JavaScript name',
    ],
    [
      'a scope the API does not have',
      '  - path: a.env\n    values:\n      S: ${apps.api.scopes.Files.Write}\n',
      undefined,
      '${apps.api.scopes.Files.Write}: application "api" has no scope "Files.Write"',
    ],
    [
      'a scope of an API without identifier URIs',
      '  - path: a.env\n    values:\n      S: ${apps.api.scopes.Files.Read}\n',
      '[]',
      '${apps.api.scopes.Files.Read}: application "api" has no identifierUris',
    ],
  ];
  for (const [what, outputs, uris, message] of refused) {
    test(`refuses ${what}`, () => {
      const r = load(outputs, uris);
      assert.deepEqual(
        r.problems.filter((p) => p.severity === 'error').map((p) => p.message),
        [message],
      );
    });
  }
});
