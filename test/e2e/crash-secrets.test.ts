/**
 * Crash safety of the example stack (manifests/todolist-daemon.yaml), at EVERY write step: an apply is stopped
 * right after its k-th write (Graph write, secret cache, output file), for k = 1..N — simulated in process
 * through the write observer (test/helpers/crash.ts), and for one k per test for real: the CLI in a child
 * process SIGKILLs itself (src/cli/crash-observer.ts). Then, before anything else runs:
 *   - the config file is either absent (cold apply) / the previous one, byte for byte (rotation), or a complete
 *     new one — never torn — and the secret it holds works (a token is issued for it);
 *   - the application holds at most two tool-created secrets;
 * and a re-run apply converges (plan empty, second apply writes nothing) and leaves exactly one tool-created
 * secret, the one in the config: no orphan (e.g. one whose value died with the process between addPassword
 * and the cache write).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Application, PasswordCredential } from '@microsoft/microsoft-graph-types';
import { apply } from '../../src/index.js';
import { applyCrashingAfter, applyKilledAfter, assertSameWriteKinds, pool, stackCopy, type CrashInput, type CrashRun } from '../helpers/crash.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, daemonToken, EXAMPLE, engineOptions, readDotenv } from '../helpers/engine.js';

const KEYS = ['TENANT_ID', 'TENANT_SUBDOMAIN', 'AUTHORITY', 'CLIENT_ID', 'CLIENT_SECRET', 'WEB_API_CLIENT_ID', 'WEB_API_SCOPE'];
const PARALLEL = 3;

/** Write names without ids and stack names, to compare runs of different stacks. */
const named = (writes: string[]) => writes.map((w) => w.replace(/[0-9a-f-]{36}/g, 'ID').replace(/uniqueName='[^']*--/g, "uniqueName='STACK--"));

describe('crash safety: a crash after every write of the example stack', () => {
  // Graph's quotas off: ~50 commands against one tenant would each wait for conditional access's 1 request/s
  // (quotas.test.ts covers the quotas; this is about the disk and the tenant a crash leaves).
  const emu = useEmulator({ quotas: false });

  /** Crash point `k` of a run whose writes were probed: for real (SIGKILL) at `killAt`, else in process. */
  const crashAt = async (k: number, killAt: number, probe: string[], input: Omit<CrashInput, 'crashAfter'>): Promise<{ run: CrashRun; what: string }> => {
    const run = k === killAt ? await applyKilledAfter(emu, { ...input, crashAfter: k }) : await applyCrashingAfter(emu, { ...input, crashAfter: k });
    const what = `k=${k}${k === killAt ? ' SIGKILL' : ''} (write ${k}: ${run.writes.at(-1)})`;
    if (k === killAt) {
      assert.equal(run.signal, 'SIGKILL', `${what}: ${run.stderr}`);
      assertSameWriteKinds(run.writes, probe, k, `${what}: ${run.stderr}`);
    }
    assert.ok(run.crashed, `${what}: did not crash ${run.stderr}`);
    return { run, what };
  };

  const toolSecrets = async (stack: string): Promise<PasswordCredential[]> => {
    try {
      const app = (await graphClient(emu).api(`/applications(uniqueName='${stack}--daemon')`).select('passwordCredentials').get()) as Application;
      return (app.passwordCredentials ?? []).filter((c) => c.displayName?.startsWith('tenantform:'));
    } catch {
      return []; // the app does not exist yet
    }
  };

  /** The config must be complete, and its secret must work. */
  const checkConfig = async (file: string, what: string) => {
    const env = readDotenv(file);
    assert.deepEqual(Object.keys(env).sort(), [...KEYS].sort(), `${what}: torn config`);
    await daemonToken(emu, env);
    return env;
  };

  /** Re-run in process: converges, and exactly one tool-created secret is left — the config's. */
  const rerun = async (stack: string, copy: { cwd: string; manifests: string[] }, what: string) => {
    const opts = { ...engineOptions(emu, copy), timeoutMs: 30_000 };
    const r = await apply(opts);
    assert.ok(r.ok, `${what}: re-run failed ${JSON.stringify(r.results.filter((x) => x.status !== 'done'))}`);
    await assertConverged(emu, opts);
    const left = await toolSecrets(stack);
    const env = await checkConfig(join(copy.cwd, 'out/todolist-daemon.env'), what);
    assert.equal(left.length, 1, `${what}: ${left.length} tool-created secrets after the re-run`);
    assert.equal(left[0].hint, env.CLIENT_SECRET.slice(0, 3), `${what}: the secret left is not the config's`);
  };

  // Children run in parallel (their stacks are disjoint); the re-runs run one at a time afterwards, because
  // assertConverged counts every Graph write the emulator sees.
  let crashed: Array<{ stack: string; copy: { cwd: string; manifests: string[] }; what: string }> = [];
  const rerunAll = async () => {
    for (const c of crashed) await rerun(c.stack, c.copy, c.what);
    crashed = [];
  };

  it('cold apply: every k = 1..N', async () => {
    const probe = stackCopy(EXAMPLE, 'crash-probe');
    const full = await applyCrashingAfter(emu, { ...probe, crashAfter: 1_000_000 });
    assert.ok(!full.crashed && !full.stderr, full.stderr);
    const n = full.writes.length;
    assert.ok(n >= 10, full.writes.join('\n'));
    // For real: between addPassword and the cache write, where the new secret's value dies with the process.
    const killAt = full.writes.findIndex((w) => w.endsWith('/addPassword')) + 1;
    assert.ok(killAt > 0, full.writes.join('\n'));
    await pool(
      Array.from({ length: n }, (_, i) => i + 1),
      PARALLEL,
      async (k) => {
        const stack = `crash-cold-${k}`;
        const copy = stackCopy(EXAMPLE, stack);
        const { run, what } = await crashAt(k, killAt, full.writes, copy);
        assert.equal(run.writes.length, k);
        assert.ok((await toolSecrets(stack)).length <= 2, `${what}: more than two tool-created secrets`);
        const file = join(copy.cwd, 'out/todolist-daemon.env');
        if (existsSync(file)) await checkConfig(file, what);
        crashed.push({ stack, copy, what });
      },
    );
    await rerunAll();
  });

  it('--rotate-secrets: every k = 1..M; the previous config stays intact and valid until a complete new one replaces it', async () => {
    const probe = stackCopy(EXAMPLE, 'crash-rot-probe');
    assert.ok((await apply(engineOptions(emu, probe))).ok);
    const full = await applyCrashingAfter(emu, { ...probe, crashAfter: 1_000_000, rotateSecrets: true });
    assert.ok(!full.crashed && !full.stderr, full.stderr);
    const m = full.writes.length;
    assert.deepEqual(named(full.writes), [
      'graph POST /applications/ID/addPassword',
      'secret cache',
      'output out/todolist-daemon.env',
      'graph POST /applications/ID/removePassword',
    ]);
    // For real: right after the config was replaced, before the old secret is removed.
    const killAt = 3;
    await pool(
      Array.from({ length: m }, (_, i) => i + 1),
      PARALLEL,
      async (k) => {
        const stack = `crash-rot-${k}`;
        const copy = stackCopy(EXAMPLE, stack);
        assert.ok((await apply(engineOptions(emu, copy))).ok);
        const file = join(copy.cwd, 'out/todolist-daemon.env');
        const previous = readFileSync(file, 'utf8');
        const crash = await crashAt(k, killAt, full.writes, { ...copy, rotateSecrets: true });
        const what = `rotation ${crash.what}`;
        // Intact (byte for byte) before the output write, complete and new after it; valid either way.
        await checkConfig(file, what);
        if (k < 3) assert.equal(readFileSync(file, 'utf8'), previous, `${what}: the config changed before its write step`);
        else assert.notEqual(readFileSync(file, 'utf8'), previous, `${what}: the config was not replaced`);
        assert.ok((await toolSecrets(stack)).length <= 2, `${what}: more than two tool-created secrets`);
        crashed.push({ stack, copy, what });
      },
    );
    await rerunAll();
  });
});
