/**
 * Issue 11's browser proof (and issue 12's end to end): the sample's single-page app (examples/obo/spa, msal-browser's
 * browser build loading the authConfig.js tenantform wrote) in a real headless Chromium, against the emulator:
 * manifests/obo-conditional-access.yaml applied with the library API, the two APIs of examples/obo started from the
 * config files it wrote, and a test user with MFA.
 * (a) the policy report-only (the manifest's default): sign in on the emulator's page (password only), call the middle
 *     tier → the downstream API's answer for the user;
 * (b) the policy `enabled` (the manifest copy applied again): a new token for the middle tier (the SPA's sessionStorage
 *     cleared: the middle tier's msal-node caches its OBO token per assertion), the call → 401 insufficient_claims →
 *     msal-browser's acquireTokenRedirect with the claims → the emulator's MFA step (#otp, a TOTP at the emulator's
 *     clock) → the retried call succeeds.
 * Chromium trusts the emulator's self-signed certificate by its key only (--ignore-certificate-errors-spki-list), not by
 * switching certificate checks off. Screenshots go to test-artifacts/browser-obo/ (git-ignored).
 * Without /usr/bin/chromium (or $CHROMIUM) the suite is reported skipped with the command that installs it.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { start as startDownstream, type OboApiConfig, type RunningApi } from '../../examples/obo/downstream-api.mjs';
import { start as startMiddleTier } from '../../examples/obo/middletier-api.mjs';
import { start as startSpa, type RunningSpa } from '../../examples/obo/spa/server.mjs';
import type { TestUser } from '../../src/emulator/index.js';
import { apply } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { engineOptions } from '../helpers/engine.js';
import { totp } from '../helpers/sign-in-page.js';
import { tempDir } from '../helpers/temp.js';

const MANIFEST = resolve('manifests/obo-conditional-access.yaml');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts/browser-obo');
const WAIT = 8000;
const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y --no-install-recommends chromium\` (or set CHROMIUM=<path>)`;

/** The manifest, with the policy's state set when asked. */
function manifestCopy(policyState?: 'enabled'): string {
  let yaml = readFileSync(MANIFEST, 'utf8');
  if (policyState) yaml = yaml.replace(/(\n {2}downstream-mfa:\n)/, `$1    state: ${policyState}\n`);
  assert.ok(!policyState || yaml.includes(`state: ${policyState}`), 'the manifest copy was edited');
  return yaml;
}

/** base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo: what --ignore-certificate-errors-spki-list takes. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

describe('the SPA in a real browser: sign-in, On-Behalf-Of, the claims challenge and the MFA step-up', { skip }, () => {
  let downstreamApi: RunningApi | undefined;
  let middleApi: RunningApi | undefined;
  let spa: RunningSpa | undefined;
  let browser: Browser | undefined;
  // Registered before the emulator's hooks: all of these stop first.
  after(async () => {
    await browser?.close();
    await spa?.close();
    await middleApi?.close();
    await downstreamApi?.close();
  });
  const emu = useEmulator();

  const cwd = tempDir('tenantform-browser-obo-');
  const manifest = join(cwd, 'obo-conditional-access.yaml');
  let user: TestUser;
  let down: OboApiConfig;
  let page: Page;
  const consoleLines: string[] = [];

  before(async () => {
    writeFileSync(manifest, manifestCopy());
    const r = await apply(engineOptions(emu, { manifests: [manifest], cwd }));
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    down = JSON.parse(readFileSync(join(cwd, 'out/DownstreamAPI/config.json'), 'utf8')) as OboApiConfig;
    const mid = JSON.parse(readFileSync(join(cwd, 'out/MiddletierAPI/config.json'), 'utf8')) as OboApiConfig & { credentials: { clientSecret: string } };
    user = emu.addUser({ userPrincipalName: 'spa-alice', displayName: 'Alice SPA', password: 'alice-spa-1', mfa: true });
    const common = { ca: emu.ca, port: 0, authorityHost: emu.authorityHost };
    downstreamApi = await startDownstream({ config: down, ...common });
    middleApi = await startMiddleTier({ config: mid, ...common, downstreamUrl: `${downstreamApi.url}/api` });
    spa = await startSpa({
      root: resolve('examples/obo/spa'),
      authConfig: join(cwd, 'out/Client/App/authConfig.js'),
      port: 0,
      authorityHost: emu.authorityHost,
      middleTierUrl: `${middleApi.url}/api`,
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    // A specifier esbuild leaves alone: scripts/build-tests.mjs bundles the tests, and playwright-core reads its own
    // files at run time, so it is loaded from node_modules as installed.
    const playwright = 'playwright-core';
    const { chromium } = (await import(playwright)) as typeof import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: WAIT,
      // Trust exactly the emulator's key (its self-signed certificate), nothing else; playwright passes a
      // --user-data-dir, without which Chromium ignores this switch.
      args: [`--ignore-certificate-errors-spki-list=${spkiHash(emu.ca)}`],
    });
    const context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    page.on('console', (m) => consoleLines.push(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  });

  /** The SPA's log and the browser console, for a failure's message. */
  const diagnostics = async () =>
    `\n#log:\n${await page
      .locator('#log')
      .textContent()
      .catch(() => '?')}\n${consoleLines.join('\n')}\nat ${page.url()}`;
  const emulatorOrigin = () => new URL(emu.authorityHost).origin;

  it('(a) report-only policy: sign in with the password on the emulator’s page; the call answers the downstream API’s JSON', async () => {
    await page.goto(spa!.url);
    await page
      .locator('#status', { hasText: 'signed out' })
      .waitFor()
      .catch(async (e) => assert.fail(`${e}${await diagnostics()}`));
    await page.click('#sign-in');
    await page.waitForURL((u) => u.origin === emulatorOrigin());
    await page.locator('form#credentials').waitFor();
    await page.fill('#username', user.userPrincipalName);
    await page.fill('#password', user.password);
    const signInShot = join(ARTIFACTS, '1-sign-in-page.png');
    await page.screenshot({ path: signInShot });
    await page.click('#signin');
    await page.waitForURL((u) => u.origin === new URL(spa!.url).origin);
    await page
      .locator('#status', { hasText: 'signed in as' })
      .waitFor()
      .catch(async (e) => assert.fail(`${e}${await diagnostics()}`));
    await page.click('#call-api');
    await page
      .locator('#result', { hasText: '"name"' })
      .waitFor()
      .catch(async (e) => assert.fail(`${e}${await diagnostics()}`));
    const answer = JSON.parse((await page.locator('#result').textContent()) ?? '') as Record<string, string>;
    assert.equal(answer.name, 'Alice SPA');
    assert.equal(answer.oid, user.id);
    assert.equal(answer['issued-for'], down.credentials.clientID);
    assert.equal(answer.scope, 'user_impersonation');
    const shot = join(ARTIFACTS, '2-spa-report-only.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshots: ${signInShot}, ${shot}`);
  });

  it('(b) policy enabled: the claims challenge sends the SPA back to sign in; the emulator asks for the TOTP code; the retry succeeds', async () => {
    writeFileSync(manifest, manifestCopy('enabled'));
    const r = await apply(engineOptions(emu, { manifests: [manifest], cwd }));
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));

    // A new token for the middle tier (the session cookie signs the user in without the form; password only).
    // (evaluated in the page, where sessionStorage is the SPA's: a string, as tsconfig has no DOM lib)
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.locator('#status', { hasText: 'signed out' }).waitFor();
    await page.click('#sign-in');
    await page
      .locator('#status', { hasText: 'signed in as' })
      .waitFor()
      .catch(async (e) => assert.fail(`${e}${await diagnostics()}`));
    await page.locator('#result').evaluate((el) => (el.textContent = ''));

    await page.click('#call-api');
    await page.waitForURL((u) => u.origin === emulatorOrigin()).catch(async (e) => assert.fail(`${e}${await diagnostics()}`));
    await page
      .locator('form#mfa')
      .waitFor()
      .catch(async (e) => assert.fail(`${e}\n${await page.content()}`));
    await page.fill('#otp', totp(emu, user));
    const mfaShot = join(ARTIFACTS, '3-mfa-step.png');
    await page.screenshot({ path: mfaShot });
    await page.click('#verify');
    await page.waitForURL((u) => u.origin === new URL(spa!.url).origin);
    await page
      .locator('#result', { hasText: '"name"' })
      .waitFor()
      .catch(async (e) => assert.fail(`${e}${await diagnostics()}`));
    const answer = JSON.parse((await page.locator('#result').textContent()) ?? '') as Record<string, string>;
    assert.equal(answer.name, 'Alice SPA');
    assert.equal(answer.oid, user.id);
    const logText = (await page.locator('#log').textContent()) ?? '';
    assert.match(logText, /signed in again for the claims challenge \{"access_token":\{"capolids":\{"essential":true,"values":\["[^"]+"\]\}\}\}: retrying/);
    const shot = join(ARTIFACTS, '4-spa-after-step-up.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshots: ${mfaShot}, ${shot}`);
  });
});
