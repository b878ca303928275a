import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createEmulator, type Emulator } from '../../src/emulator/index.js';
import { EXAMPLE_MANIFEST, freePort, runCli, STACK_LINE, tempCwd, transcript } from '../helpers/cli-engine.js';
import { daemonToken, readDotenv } from '../helpers/engine.js';

/**
 * `npm start` from a fresh directory: `tenantform apply manifests/todolist-daemon.yaml --yes` with no
 * --tenant, i.e. the embedded local tenant, its state under ./.tenantform/. TENANTFORM_LOCAL_PORT moves it
 * off its fixed port 47443, so this file can run next to a developer's local tenant or another test run.
 */
describe('CLI with the default --tenant local', () => {
  const cwd = tempCwd();
  let env: Record<string, string>;
  let emu: Emulator | undefined;
  const cli = (args: string[]) => runCli(args, { cwd, env });

  before(async () => {
    mkdirSync(join(cwd, 'manifests'));
    copyFileSync(EXAMPLE_MANIFEST, join(cwd, 'manifests/todolist-daemon.yaml'));
    env = { TENANTFORM_LOCAL_PORT: String(await freePort()) };
  });
  after(async () => {
    await emu?.close();
  });

  it('apply --yes creates the local tenant, applies, and prints where the config was written', async () => {
    const r = await cli(['apply', 'manifests/todolist-daemon.yaml', '--yes']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Applied (\d+) of \1 changes\.$/m);
    assert.match(r.stdout, /^wrote out\/todolist-daemon\.env$/m);
    assert.doesNotMatch(r.stdout + r.stderr, STACK_LINE);
    const state = JSON.parse(readFileSync(join(cwd, '.tenantform/local-tenant.json'), 'utf8')) as { tenantId: string };
    const config = readDotenv(join(cwd, 'out/todolist-daemon.env'));
    assert.equal(config.TENANT_ID, state.tenantId);
    assert.equal(config.AUTHORITY, `https://127.0.0.1:${env.TENANTFORM_LOCAL_PORT}/${state.tenantId}`);
    assert.equal(statSync(join(cwd, 'out/todolist-daemon.env')).mode & 0o777, 0o600);
    assert.equal(statSync(join(cwd, `.tenantform/secrets/${state.tenantId}.json`)).mode & 0o777, 0o600);
  });

  it('the next plan (a new process, the same local tenant) is empty and names the local tenant', async () => {
    const r = await cli(['plan', 'manifests/todolist-daemon.yaml', '--detailed-exitcode']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout.split('\n')[0], /^Tenant [0-9a-f-]{36} \(local emulator tenant\) as tenantform-admin \([0-9a-f-]{36}\)$/);
  });

  it('with the local tenant served separately (tenantform emulator), the config gets a token and plan still works', async () => {
    emu = await createEmulator({ port: Number(env.TENANTFORM_LOCAL_PORT), stateFile: join(cwd, '.tenantform/local-tenant.json'), env: {} });
    const config = readDotenv(join(cwd, 'out/todolist-daemon.env'));
    const claims = decodeJwt(await daemonToken(emu, config));
    assert.deepEqual([...(claims.roles as string[])].sort(), ['ToDoList.Read.All', 'ToDoList.ReadWrite.All']);
    assert.equal(claims.idtyp, 'app');
    const r = await cli(['plan', 'manifests/todolist-daemon.yaml', '--detailed-exitcode']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(
      emu.requestLog.entries.some((e) => e.service === 'graph' && e.path.endsWith('/$batch')),
      'the CLI read through the running emulator',
    );
    const secret = config.CLIENT_SECRET;
    for (const run of transcript) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
  });
});
