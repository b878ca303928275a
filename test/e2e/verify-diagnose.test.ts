import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { apply } from '../../src/index.js';
import { verify, type VerifyCheck, type VerifyResult } from '../../src/verify/index.js';
import { clientWithRoles } from '../helpers/directory.js';
import { graphClient, secretCredential, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, readDotenv, variant } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Each usual failure, provoked for real against the emulator, must come back as a failed check with the
 * right diagnosis and a next step (never a crash, never message-text matching inside the tool).
 */
function failed(r: VerifyResult): VerifyCheck {
  assert.equal(r.ok, false, 'verify should fail');
  const f = r.checks.find((c) => !c.ok);
  assert.ok(f?.diagnosis, JSON.stringify(r.checks, null, 1));
  return f;
}

/** Apply a variant of the example as its own stack (so cases do not share applications), and return its options. */
async function applied(emu: Emulator, stack: string, edit: (yaml: string) => string = (y) => y) {
  const opts = engineOptions(emu);
  const file = variant(opts.cwd!, (y) => edit(y.replace('stack: todolist-daemon', `stack: ${stack}`)));
  const o = { ...opts, manifests: [file] };
  const r = await apply(o);
  assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
  await assertConverged(emu, o);
  return o;
}

describe('verify: diagnoses with the next step', () => {
  const emu = useEmulator();

  it('admin consent missing: the token has no roles → the admin-consent URL of that tenant and app', async () => {
    const o = await applied(emu, 'tl-consent', (y) => y.replace('adminConsent: true', 'adminConsent: false'));
    const r = await verify(o);
    const f = failed(r);
    assert.equal(f.check, 'roles');
    assert.equal(f.detail, '(no roles claim)');
    assert.equal(f.diagnosis!.code, 'admin-consent-missing');
    const daemonId = readDotenv(join(o.cwd!, 'out/todolist-daemon.env')).CLIENT_ID;
    const url = `${emu.authorityHost}/${emu.tenantId}/adminconsent?client_id=${daemonId}`;
    assert.equal(f.diagnosis!.meta?.consentUrl, url);
    assert.match(f.diagnosis!.next, /adminConsent: true/);
    assert.ok(f.diagnosis!.next.includes(url));
    assert.ok(r.waitedMs < 1000, 'roles that were never granted are not waited for');
  });

  it('not assigned while the API requires assignment (AADSTS501051)', async () => {
    const o = await applied(emu, 'tl-assign', (y) =>
      y
        .replace('adminConsent: true', 'adminConsent: false')
        .replace('    optionalClaims:', '    servicePrincipal:\n      appRoleAssignmentRequired: true\n    optionalClaims:'),
    );
    const f = failed(await verify(o));
    assert.equal(f.check, 'token');
    assert.equal(f.diagnosis!.code, 'not-assigned');
    assert.equal(f.diagnosis!.meta?.aadsts, 501051);
    assert.match(f.diagnosis!.next, /appRoleAssignmentRequired: false|adminConsent: true/);
  });

  it('a scope without /.default (AADSTS1002012)', async () => {
    const o = await applied(emu, 'tl-scope', (y) => y.replace('WEB_API_SCOPE: ${apps.api.identifierUri}/.default', 'WEB_API_SCOPE: ${apps.api.identifierUri}'));
    const r = await verify(o);
    const f = failed(r);
    assert.equal(f.diagnosis!.code, 'scope-not-default');
    assert.equal(f.diagnosis!.meta?.aadsts, 1002012);
    assert.match(f.diagnosis!.problem, /out\/todolist-daemon\.env:WEB_API_SCOPE/);
    assert.match(f.diagnosis!.next, /\/\.default/);
  });

  it('a v1 API whose identifier URI ends in "/": the scope needs the double slash', async () => {
    const uri = 'https://tenantformlocal.onmicrosoft.com/tl-slash/';
    const v1 = (y: string) => y.replace('      - api://{appId}', `      - ${uri}`).replace('requestedAccessTokenVersion: 2', 'requestedAccessTokenVersion: 1');
    const o = await applied(emu, 'tl-slash', (y) =>
      v1(y).replace('WEB_API_SCOPE: ${apps.api.identifierUri}/.default', 'WEB_API_SCOPE: ${apps.api.identifierUri}.default'),
    );
    const f = failed(await verify(o));
    assert.equal(f.diagnosis!.code, 'trailing-slash');
    assert.equal(f.diagnosis!.meta?.scope, `${uri}/.default`);
    assert.ok(f.diagnosis!.next.includes(`${uri}/.default`));

    // The fix the diagnosis names works: v1 token, aud = the URI with its slash.
    const fixed = await applied(emu, 'tl-slash2', (y) => v1(y).replace('tl-slash/', 'tl-slash2/'));
    const ok = await verify(fixed);
    assert.ok(ok.ok, JSON.stringify(ok.checks.filter((c) => !c.ok)));
    assert.equal(ok.checks.find((c) => c.check === 'audience')?.detail, 'https://tenantformlocal.onmicrosoft.com/tl-slash2/');
    assert.equal(ok.checks.find((c) => c.check === 'version')?.detail, 'ver 1.0');
  });

  it('a secret that is not a secret of the app (AADSTS7000215), after a bounded wait', async () => {
    const o = await applied(emu, 'tl-badsecret');
    const file = join(o.cwd!, 'out/todolist-daemon.env');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^CLIENT_SECRET=.*$/m, 'CLIENT_SECRET=not-the-secret'));
    const lines: string[] = [];
    const r = await verify({ ...o, timeoutMs: 1_500, progress: (l) => lines.push(l) });
    const f = failed(r);
    assert.equal(f.diagnosis!.code, 'secret-invalid');
    assert.ok(
      lines.some((l) => l.includes('AADSTS7000215')),
      lines.join('\n'),
    );
    assert.ok(r.waitedMs >= 250 && r.waitedMs < 5_000, `waited ${r.waitedMs} ms`);
  });

  it('a config file that names another app (stale config)', async () => {
    const o = await applied(emu, 'tl-stale');
    const file = join(o.cwd!, 'out/todolist-daemon.env');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^CLIENT_ID=.*$/m, 'CLIENT_ID=11111111-2222-3333-4444-555555555555'));
    const f = failed(await verify(o));
    assert.equal(f.check, 'config');
    assert.equal(f.diagnosis!.code, 'stale-config');
    assert.match(f.diagnosis!.next, /tenantform output/);
  });

  it("the tool's own identity lacks Graph permissions → which permission or directory role to grant", async () => {
    const { app } = await clientWithRoles(emu, graphClient(emu), []);
    const password = (await graphClient(emu)
      .api(`/applications/${app.id}/addPassword`)
      .post({ passwordCredential: { displayName: 'tool' } })) as { secretText: string };
    emu.clock.advance(1);
    const o = { ...engineOptions(emu), credential: secretCredential(emu, app.appId!, password.secretText) };
    const r = await verify(o);
    const f = failed(r);
    assert.equal(f.check, 'graph-read');
    assert.equal(f.diagnosis!.code, 'tool-permission');
    assert.deepEqual(f.diagnosis!.meta?.needs, ['Organization.Read.All', 'Application.Read.All']);
    assert.match(f.diagnosis!.next, /Directory Readers/);
  });
});

describe('verify: an expired secret (AADSTS7000222)', () => {
  const emu = useEmulator();

  it('says so and names the rotation command', async () => {
    const cwd = tempDir('tenantform-e2e-');
    const o = { ...engineOptions(emu, { cwd }), manifests: [variant(cwd, (y) => y.replace('lifetime: 180d', 'lifetime: 1d'))] };
    assert.ok((await apply(o)).ok);
    await assertConverged(emu, o);
    emu.clock.advance(2 * 86_400_000);
    // A fresh tool credential: the cached Graph token of the first one has expired on the emulator's clock.
    const f = failed(await verify({ ...o, credential: secretCredential(emu) }));
    assert.equal(f.check, 'token');
    assert.equal(f.diagnosis!.code, 'secret-expired');
    assert.equal(f.diagnosis!.meta?.aadsts, 7000222);
    assert.match(f.diagnosis!.next, /--rotate-secrets/);
  });
});
