/**
 * Platform rules (spa, web, publicClient redirect URIs; the implicit grant) are checked offline, as Entra
 * checks them (https://learn.microsoft.com/entra/identity-platform/reply-url): one fixture per kind of refusal
 * under test/fixtures/invalid/platforms/ with exactly its problem at file:line:column, then the rule table.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateManifestText } from '../../src/manifest/index.js';
import { fixtureTests, type FixtureCase } from '../helpers/fixtures.js';
import { redirectUriProblem, type Platform } from '../../src/manifest/rules-redirect-uris.js';

const DIR = 'test/fixtures/invalid/platforms';

const cases: Record<string, FixtureCase> = {
  'not-absolute': { code: 'invalid-uri', line: 7, column: 11, message: 'Redirect URI "localhost:3000/callback" of application "spa" is not an absolute URI' },
  'http-not-localhost': {
    code: 'invalid-uri',
    line: 8,
    column: 11,
    message: 'Redirect URI "http://contoso.com/signin-oidc" of application "web" uses http:// for a host other than localhost',
  },
  'personal-wildcard': {
    code: 'invalid-uri',
    line: 7,
    column: 22,
    message: 'Redirect URI "https://*.contoso.com/" of application "spa" must not contain wildcards (*) when personal accounts can sign in',
  },
  duplicate: {
    code: 'duplicate-value',
    line: 8,
    column: 11,
    message: 'Redirect URI "http://localhost:3000" is listed twice under spa in application "spa" (also at 7:11)',
  },
};

describe('platform fixtures', () => fixtureTests(DIR, cases));

describe('redirect URI rules', () => {
  const work = { personalAccounts: false };
  const personal = { personalAccounts: true };
  const accepted: Array<[Platform, string]> = [
    ['spa', 'http://localhost:3000'],
    ['spa', 'http://127.0.0.1:5173/auth'],
    ['spa', 'http://[::1]:8080'],
    ['spa', 'https://app.contoso.com/'],
    ['web', 'https://contoso.com/signin-oidc'],
    ['web', 'https://contoso.com/cb?tenant=a'],
    ['web', 'urn:ietf:wg:oauth:2.0:oob'],
    ['publicClient', 'msal{appId}://auth'],
    ['publicClient', 'ms-appx-web://microsoft.aad.brokerplugin/{appId}'],
    ['publicClient', 'https://login.microsoftonline.com/common/oauth2/nativeclient'],
    ['publicClient', 'http://localhost'],
  ];
  for (const [platform, uri] of accepted) {
    test(`accepts ${platform} ${uri}`, () => assert.equal(redirectUriProblem(uri, platform, work), undefined));
  }
  const refused: Array<[Platform, string, typeof work, RegExp]> = [
    ['spa', '/callback', work, /not an absolute URI/],
    ['spa', 'urn:ietf:wg:oauth:2.0:oob', work, /single-page applications cannot use/],
    ['spa', 'myapp://auth', work, /scheme "myapp:"/],
    ['web', 'http://10.0.0.1/cb', work, /http:\/\/ for a host other than localhost/],
    ['publicClient', 'http://contoso.com', work, /http:\/\//],
    ['web', "https://contoso.com/it's", work, /contains "'"/],
    ['web', 'https://contoso.com/a,b', work, /contains ","/],
    ['web', 'https://contoso.com/a b', work, /spaces/],
    ['web', `https://contoso.com/${'x'.repeat(240)}`, work, /too long: 260 characters \(maximum 256\)/],
    ['web', 'https://contoso.com/cb?tenant=a', personal, /query parameters/],
    ['spa', 'https://{clientId}.contoso.com', work, /unknown placeholder \{clientId\}/],
  ];
  for (const [platform, uri, opts, message] of refused) {
    test(`refuses ${platform} ${uri.slice(0, 40)}`, () => assert.match(redirectUriProblem(uri, platform, opts)?.message ?? '(accepted)', message));
  }

  const text = (app: string, audience = 'AzureADMyOrg') => `stack: s\napplications:\n  a:\n    displayName: A\n    signInAudience: ${audience}\n${app}`;
  test('at most 256 redirect URIs per application, 100 with personal accounts, counted over every platform', () => {
    const many = (n: number, platform: string) =>
      `    ${platform}:\n      redirectUris:\n${Array.from({ length: n }, (_, i) => `        - https://contoso.com/${platform}/${i}\n`).join('')}`;
    const ok = validateManifestText('m.yaml', text(many(128, 'web') + many(128, 'spa')), { env: {} });
    assert.ok(ok.ok, JSON.stringify(ok.problems[0]));
    const tooMany = validateManifestText('m.yaml', text(many(128, 'web') + many(129, 'spa')), { env: {} });
    assert.deepEqual(
      tooMany.problems.map((p) => [p.code, p.message, p.location.line]),
      [['invalid-value', 'Application "a" has 257 redirect URIs; at most 256', 3]],
    );
    const personal = validateManifestText('m.yaml', text(many(101, 'spa'), 'AzureADandPersonalMicrosoftAccount'), { env: {} });
    assert.match(personal.problems[0]?.message ?? '', /has 101 redirect URIs; at most 100 when personal accounts can sign in/);
  });

  test('the implicit grant is a warning, not an error; a work-and-school wildcard too', () => {
    const r = validateManifestText(
      'm.yaml',
      text('    web:\n      redirectUris: [https://*.contoso.com/cb]\n      implicitGrantSettings: { enableIdTokenIssuance: true }\n'),
      { env: {} },
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.problems.map((p) => [p.severity, p.path]),
      [
        ['warning', 'applications.a.web.redirectUris[0]'],
        ['warning', 'applications.a.web.implicitGrantSettings.enableIdTokenIssuance'],
      ],
    );
    const web = r.stacks[0].applications[0].web;
    assert.deepEqual(web.implicitGrantSettings, { enableIdTokenIssuance: true, enableAccessTokenIssuance: false });
  });
});
