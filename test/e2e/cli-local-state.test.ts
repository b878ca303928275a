/**
 * The embedded local tenant's state (issue 15): when another process holds the local port and this folder has no
 * local tenant, the CLI says so and writes nothing (it used to write a fresh state file and TLS key for a tenant that
 * existed nowhere, then fail with an msal error); `--local-state` names the state file to use.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXAMPLE_MANIFEST, freePort, runCli, STACK_LINE, tempCwd } from '../helpers/cli-engine.js';

describe('the local tenant and its port', () => {
  it('a port held by another process, no local tenant here: USAGE naming the port and the ways out; nothing written', async () => {
    const port = await freePort();
    const holder = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    try {
      const cwd = tempCwd();
      const run = await runCli(['plan', EXAMPLE_MANIFEST], { cwd, env: { TENANTFORM_LOCAL_PORT: String(port) } });
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          `^error \\[USAGE\\] Port ${port} on 127\\.0\\.0\\.1 is in use .* does not exist here, so this folder has no local tenant.*--local-state.*TENANTFORM_LOCAL_PORT.*Nothing was written\\.`,
          'm',
        ),
      );
      assert.doesNotMatch(run.stderr, STACK_LINE);
      assert.equal(existsSync(join(cwd, '.tenantform')), false, 'no state file, no TLS key');
    } finally {
      holder.close();
    }
  });

  it("--local-state: another folder's local tenant; refused with a tenant that is not local", async () => {
    const env = { TENANTFORM_LOCAL_PORT: String(await freePort()) };
    const first = tempCwd();
    const applied = await runCli(['apply', EXAMPLE_MANIFEST, '--yes', '--json'], { cwd: first, env });
    assert.equal(applied.code, 0, applied.stderr);
    const tenant = (JSON.parse(applied.stdout) as { plan: { tenant: { id: string } } }).plan.tenant.id;

    const other = tempCwd();
    const state = join(first, '.tenantform/local-tenant.json');
    const planned = await runCli(['plan', EXAMPLE_MANIFEST, '--json', '--local-state', state], { cwd: other, env });
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal((JSON.parse(planned.stdout) as { plan: { tenant: { id: string } } }).plan.tenant.id, tenant, 'the same local tenant');
    assert.equal(existsSync(join(other, '.tenantform/local-tenant.json')), false);

    const remote = await runCli(['plan', EXAMPLE_MANIFEST, '--tenant', 'contoso.onmicrosoft.com', '--local-state', state], { cwd: other, env });
    assert.equal(remote.code, 1);
    assert.match(remote.stderr, /--local-state names the state file of the embedded local tenant, but --tenant is contoso\.onmicrosoft\.com/);
  });
});
