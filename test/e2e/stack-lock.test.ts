/**
 * Per-stack locks (issue 15): two applies of one stack at once — one of them used to fail half-way through a
 * rotation. The second is refused before it reads the tenant, naming the stack and the holder; a lock left by a
 * killed process is taken over; plans take none. Through the programmatic API and the built CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { graphWrites } from '../../src/emulator/index.js';
import { apply, destroy, plan, TenantformError } from '../../src/index.js';
import { EXAMPLE_MANIFEST, remoteArgs, runCli, credentialEnv } from '../helpers/cli-engine.js';
import { useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';

describe('one apply of a stack at a time', () => {
  const emu = useEmulator();

  it('a second apply while the first runs is refused before it reads anything; afterwards the lock is gone', async () => {
    const opts = engineOptions(emu, { cwd: tempDir('tenantform-lock-') });
    let second: unknown;
    let readsBySecond = -1;
    const first = await apply({
      ...opts,
      confirm: async () => {
        const mark = emu.requestLog.mark();
        second = await apply(opts).catch((e: unknown) => e);
        readsBySecond = emu.requestLog.since(mark).length;
        // A plan takes no lock: it writes nothing.
        assert.equal((await plan(opts)).empty, false);
        return true;
      },
    });
    assert.ok(first.ok);
    assert.ok(second instanceof TenantformError, String(second));
    assert.equal(second.code, 'CONFLICT');
    assert.match(
      second.message,
      new RegExp(
        `^Another apply of stack todolist-daemon in tenant ${emu.tenantId} is running \\(pid ${process.pid} on ${hostname()}, since .*\\)\\. Wait for it`,
      ),
    );
    assert.equal(readsBySecond, 0, 'the second apply sent nothing to the tenant');
    assert.deepEqual(readdirSync(join(opts.cwd!, '.tenantform/locks')), [], 'released');
    await assertConverged(emu, opts);
  });

  it("a lock whose process is gone (SIGKILL) is taken over; another host's is refused with the file to delete", async () => {
    const opts = engineOptions(emu, { cwd: tempDir('tenantform-lock-') });
    const dir = join(opts.cwd!, '.tenantform/locks');
    mkdirSync(dir, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    const file = join(dir, `${emu.tenantId}--todolist-daemon.lock`);
    writeFileSync(file, JSON.stringify({ pid: gone, host: hostname(), command: 'apply', startedAt: '2026-01-01T00:00:00Z' }));
    const r = await apply(opts);
    assert.ok(r.ok);
    assert.equal(existsSync(file), false);

    writeFileSync(file, JSON.stringify({ pid: 1, host: 'build-agent-7', command: 'destroy', startedAt: '2026-01-01T00:00:00Z' }));
    const mark = emu.requestLog.mark();
    await assert.rejects(destroy({ ...opts, manifests: [EXAMPLE_MANIFEST] }), (e: TenantformError) => {
      assert.equal(e.code, 'CONFLICT');
      assert.match(
        e.message,
        /Another destroy of stack todolist-daemon .* \(pid 1 on build-agent-7, .*\)\..* if that process is gone, delete .*todolist-daemon\.lock\./,
      );
      return true;
    });
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
  });

  it('the CLI: exit 1 with the holder, nothing written; plan still runs', async () => {
    const cwd = tempDir('tenantform-lock-cli-');
    const dir = join(cwd, '.tenantform/locks');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${emu.tenantId}--todolist-daemon.lock`),
      JSON.stringify({ pid: process.pid, host: hostname(), command: 'apply', startedAt: new Date().toISOString() }),
    );
    const env = credentialEnv(emu);
    const mark = emu.requestLog.mark();
    const run = await runCli(['apply', EXAMPLE_MANIFEST, ...remoteArgs(emu), '--yes'], { cwd, env });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^error \[CONFLICT\] Another apply of stack todolist-daemon in tenant .* is running \(pid \d+/m);
    assert.equal(emu.requestLog.since(mark).length, 0, 'refused before it signed in');
    const p = await runCli(['plan', EXAMPLE_MANIFEST, ...remoteArgs(emu)], { cwd, env });
    assert.equal(p.code, 0, p.stderr);
  });

  it('another folder applying the same stack (no lock can see it) is named in the plan: its secret replaced the one this folder holds', async () => {
    const a = engineOptions(emu, { cwd: tempDir('tenantform-folder-a-') });
    const b = engineOptions(emu, { cwd: tempDir('tenantform-folder-b-') });
    assert.ok((await apply(a)).ok);
    settle(emu);
    assert.deepEqual((await plan(a)).plan.warnings, []);
    // Folder B knows no secret value: it adds its own and removes A's (a leftover no config of B's holds).
    assert.ok((await apply(b)).ok);
    settle(emu);
    const seen = (await plan(a)).plan.warnings.filter((w) => /another folder or machine/.test(w));
    assert.equal(seen.length, 1, JSON.stringify(seen));
    assert.match(seen[0], /client secret "main" of todolist-daemon--daemon: the one this folder's secret cache holds \(keyId [0-9a-f-]+\) is gone/);
    assert.match(seen[0], /Apply stack todolist-daemon from one place/);
    // B itself, whose secret is still in place, sees nothing; and the CLI prints the warning without a secret.
    assert.deepEqual((await plan(b)).plan.warnings, []);
    const cli = await runCli(['plan', EXAMPLE_MANIFEST, ...remoteArgs(emu)], { cwd: a.cwd!, env: credentialEnv(emu) });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout + cli.stderr, /another folder or machine applies stack todolist-daemon/);
    await assertConverged(emu, b);
  });
});
