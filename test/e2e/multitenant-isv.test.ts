import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import type { Emulator, EmulatorTenant } from '../../src/emulator/index.js';
import { apply, consentUrl, plan, type CommonOptions } from '../../src/index.js';
import { verify, type VerifyResult } from '../../src/verify/index.js';
import { credentialEnv, runCli } from '../helpers/cli-engine.js';
import { secretCredential, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, readDotenv, settle } from '../helpers/engine.js';
import { loginFetch } from '../helpers/tokens.js';
import { tempDir } from '../helpers/temp.js';

const ISV = resolve('test/fixtures/verify/isv-daemon.yaml');

function adminCredential(emu: Emulator, t: EmulatorTenant): ClientSecretCredential {
  return new ClientSecretCredential(t.tenantId, t.adminClientId, t.adminClientSecret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.ca },
  });
}

const failures = (r: VerifyResult) => r.checks.filter((c) => !c.ok);

/**
 * The ISV case: a multi-tenant daemon and API registered in the ISV's home tenant, used in a customer
 * tenant. The customer side gets only service principals (from the home appIds) and admin consent there —
 * by `apply --tenant <customer> --home-tenant <isv>` or by the admin-consent URL — and the daemon then gets
 * tokens from the customer tenant (tid = customer) with the config written in the home tenant.
 */
describe('multi-tenant daemon: home tenant → customer tenants', () => {
  let home: EmulatorTenant;
  let customer: EmulatorTenant;
  let homeOpts: CommonOptions;
  let customerOpts: CommonOptions;

  // Many commands at once against one tenant, one of them with a 1 s deadline: conditional access's one request per
  // second (quotas.ts, tested in test/emulator/quotas.test.ts) would decide this test's outcome, not the ISV flow.
  const emu = useEmulator({ extraTenants: 1, quotas: false });
  before(async () => {
    [home, customer] = emu.tenants;
    homeOpts = { ...engineOptions(emu), manifests: [ISV] };
    customerOpts = {
      ...homeOpts,
      tenant: customer.tenantId,
      credential: adminCredential(emu, customer),
      homeTenant: home.tenantId,
      homeCredential: secretCredential(emu),
      timeoutMs: 20_000,
    };
  });

  it('applies and verifies in the home tenant', async () => {
    assert.ok((await apply(homeOpts)).ok);
    await assertConverged(emu, homeOpts);
    const r = await verify(homeOpts);
    assert.deepEqual(failures(r), []);
    assert.equal(readDotenv(join(homeOpts.cwd!, 'out/isv-daemon.env')).TENANT_ID, home.tenantId);
  });

  it('prints the admin-consent URL for a customer tenant (authority host of the home target)', async () => {
    const r = await consentUrl({ ...homeOpts, app: 'daemon', customerTenant: customer.domain });
    const clientId = readDotenv(join(homeOpts.cwd!, 'out/isv-daemon.env')).CLIENT_ID;
    assert.equal(r.url, `${emu.authorityHost}/${customer.domain}/adminconsent?client_id=${clientId}`);
    assert.equal(r.v2, undefined, 'two APIs: only the v1 form covers both');
    assert.deepEqual(r.permissions, [
      { api: 'isv/api', roles: ['Reports.Read.All'] },
      { api: 'Microsoft Graph', roles: ['Application.Read.All'] },
    ]);
    const api = await consentUrl({ ...homeOpts, app: 'isv/api', customerTenant: customer.tenantId });
    assert.equal(api.permissions.length, 0);
  });

  it('before consent, verify in the customer tenant names the missing service principal and the consent URL', async () => {
    const r = await verify({ ...customerOpts, timeoutMs: 800 });
    const f = failures(r);
    assert.ok(f.length >= 1);
    assert.ok(
      f.every((c) => c.diagnosis?.code === 'client-not-in-tenant'),
      JSON.stringify(f, null, 1),
    );
    assert.match(String(f[0].diagnosis?.meta?.consentUrl), new RegExp(`/${customer.tenantId}/adminconsent\\?client_id=`));
    assert.match(f[0].diagnosis!.next, /--home-tenant/);
  });

  it('apply into the customer tenant creates only service principals and consent, then verifies there (tid = customer)', async () => {
    const p = await plan(customerOpts);
    assert.deepEqual([...new Set(p.plan.changes.map((c) => c.action))].sort(), ['create-app-role-assignment', 'create-service-principal']);
    assert.equal(p.plan.tenant.id, customer.tenantId);
    const r = await apply(customerOpts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.deepEqual(r.outputs, []);
    await assertConverged(emu, customerOpts);
    const v = await verify(customerOpts);
    assert.deepEqual(failures(v), []);
    assert.deepEqual(
      v.checks.filter((c) => c.check === 'tenant').map((c) => c.detail),
      [`tid ${customer.tenantId}`, `tid ${customer.tenantId}`],
    );
    assert.deepEqual(
      v.checks.filter((c) => c.check === 'roles').map((c) => c.detail),
      ['Reports.Read.All', 'Application.Read.All'],
    );
    // The home tenant is untouched by the customer apply and still converged.
    await assertConverged(emu, homeOpts);
  });

  it('a customer whose administrator opens the consent URL gets the same result', async () => {
    const third = await emu.addTenant({ subdomain: 'fabrikam' });
    const { url } = await consentUrl({ ...homeOpts, app: 'daemon', customerTenant: third.domain });
    const res = await loginFetch(emu, new URL(url).pathname + new URL(url).search);
    assert.equal(res.status, 200);
    settle(emu);
    const v = await verify({ ...customerOpts, tenant: third.tenantId, credential: adminCredential(emu, third) });
    assert.deepEqual(failures(v), []);
  });

  it('refuses a customer apply of single-tenant apps', async () => {
    const cwd = tempDir('tenantform-isv-');
    const file = join(cwd, 'single.yaml');
    const { readFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(ISV, 'utf8').replace('stack: isv', 'stack: isv-single').replaceAll('AzureADMultipleOrgs', 'AzureADMyOrg'));
    assert.ok((await apply({ ...homeOpts, cwd, manifests: [file] })).ok);
    settle(emu);
    await assert.rejects(apply({ ...customerOpts, cwd, manifests: [file] }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'USAGE');
      assert.match(e.message, /single-tenant .*AzureADMultipleOrgs/);
      return true;
    });
    await assert.rejects(consentUrl({ ...homeOpts, cwd, manifests: [file], app: 'daemon', customerTenant: customer.tenantId }), /single-tenant/);
  });

  it('CLI: consent-url prints the URL; verify exits 0 in the customer tenant and 1 with a diagnosis', async () => {
    const cwd = tempDir('tenantform-isv-cli-');
    // The CLI reads the same written config and secret cache as the programmatic runs.
    mkdirSync(join(cwd, 'out'));
    copyFileSync(join(homeOpts.cwd!, 'out/isv-daemon.env'), join(cwd, 'out/isv-daemon.env'));
    const remote = ['--graph-url', emu.graphUrl, '--authority-host', emu.authorityHost, '--ca-file', emu.caFile];
    const [url, ok, bad] = await Promise.all([
      runCli(['consent-url', ISV, '--app', 'daemon', '--tenant', customer.domain, '--home-tenant', home.tenantId, ...remote], { cwd, env: credentialEnv(emu) }),
      runCli(['verify', ISV, '--tenant', customer.tenantId, '--home-tenant', home.tenantId, ...remote, '--json'], {
        cwd,
        env: {
          AZURE_TENANT_ID: customer.tenantId,
          AZURE_CLIENT_ID: customer.adminClientId,
          AZURE_CLIENT_SECRET: customer.adminClientSecret,
          TENANTFORM_HOME_CLIENT_ID: home.adminClientId,
          TENANTFORM_HOME_CLIENT_SECRET: home.adminClientSecret,
        },
      }),
      runCli(['verify', ISV, '--tenant', home.tenantId, ...remote, '--timeout', '1'], {
        cwd: tempDir('tenantform-isv-cli-'),
        env: credentialEnv(emu),
      }),
    ]);
    // Never a secret or a token in what the CLI prints.
    const secret = readDotenv(join(cwd, 'out/isv-daemon.env')).CLIENT_SECRET;
    for (const run of [url, ok, bad]) {
      assert.ok(!(run.stdout + run.stderr).includes(secret));
      assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\./.test(run.stdout + run.stderr), 'no JWT printed');
    }
    assert.equal(url.code, 0, url.stderr);
    assert.match(url.stdout, new RegExp(`${emu.authorityHost}/${customer.domain}/adminconsent\\?client_id=[0-9a-f-]{36}`));
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const doc = JSON.parse(ok.stdout) as { ok: boolean; command: string; verify: VerifyResult };
    assert.equal(doc.command, 'verify');
    assert.equal(doc.verify.tenant.id, customer.tenantId);
    // No written config in that directory: the file the daemon reads is missing → exit 1, naming it and what writes it.
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /FAIL/);
    assert.match(bad.stdout, /next: {4}Run `tenantform apply .*` \(it writes out\/isv-daemon\.env\)/);
  });
});
