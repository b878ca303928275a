/**
 * The fault matrix (issue 15): a cold apply and a secret rotation of the example stack under each fault kind the
 * emulator injects — on a seeded share of the writes — crashed after EVERY one of their writes, k = 1..N, each
 * run again under the same fault. Each crash point is the in-process crash of test/helpers/crash.ts (the disk as
 * it was at that write, nothing more reaches the tenant); under every kind a few points are a real SIGKILL of the
 * built CLI instead: k ≡ kind index + 1 (mod the number of kinds), so across the kinds every cold write point and
 * every rotation write point is also killed for real once. (A SIGKILL at every point of every kind would be ~140
 * CLI processes, over a minute of CPU on this 2-core machine; the in-process crash is the same disk and tenant
 * state.) Every case must converge with exactly one tool-created secret (no duplicate, no orphan), the secret the
 * config holds, and a config that is at any moment absent, the previous complete one, or the new complete one.
 * Graph's quotas are off: the conditional access read of every command would otherwise wait for its 1 request/s
 * (quotas.test.ts covers them).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Application, PasswordCredential } from '@microsoft/microsoft-graph-types';
import { seededRandom } from '../../src/emulator/fault-random.js';
import type { FaultRuleSpec } from '../../src/emulator/fault-rules.js';
import { apply } from '../../src/index.js';
import { applyCrashingAfter, applyKilledAfter, stackCopy, type CrashInput, type CrashRun } from '../helpers/crash.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, daemonToken, EXAMPLE, engineOptions, readDotenv } from '../helpers/engine.js';

const KINDS = ['503', '500', '504', 'reset', 'timeout', 'commit-then-503', 'commit-then-reset', '409-concurrency', 'lag'] as const;
type Kind = (typeof KINDS)[number];
const NETWORK = new Set<string>(['reset', 'timeout', 'commit-then-reset']);
const KEYS = ['TENANT_ID', 'TENANT_SUBDOMAIN', 'AUTHORITY', 'CLIENT_ID', 'CLIENT_SECRET', 'WEB_API_CLIENT_ID', 'WEB_API_SCOPE'];
/** The writes of a rotation: addPassword, the secret cache, the config, removePassword (crash-secrets.test.ts). */
const ROTATION_WRITES = 4;

// One emulator per fault kind (rules are per emulator), the kinds side by side: backoff sleeps are real.
describe('fault matrix: cold apply and rotation under every fault kind, crashed after each write, converge', { concurrency: true }, () => {
  // Within a kind one test at a time: the convergence check counts every write its emulator sees.
  KINDS.forEach((kind, index) => describe(kind, { concurrency: 1 }, () => matrixCase(kind, index)));
});

function matrixCase(kind: Kind, index: number): void {
  const emu = useEmulator({ quotas: false });
  const random = seededRandom(2026 + index);
  const killedAt = (k: number) => (k - 1) % KINDS.length === index;

  const toolSecrets = async (stack: string): Promise<PasswordCredential[]> => {
    emu.clock.advance(1000);
    try {
      const app = (await graphClient(emu).api(`/applications(uniqueName='${stack}--daemon')`).select('passwordCredentials').get()) as Application;
      return (app.passwordCredentials ?? []).filter((c) => c.displayName?.startsWith('tenantform:'));
    } catch {
      return []; // not created yet
    }
  };
  const checkConfig = async (file: string, what: string) => {
    const env = readDotenv(file);
    assert.deepEqual(Object.keys(env).sort(), [...KEYS].sort(), `${what}: torn config`);
    // Past the lag rule's 400 ms too: a new secret reaches the token service only once it has replicated.
    emu.clock.advance(1000);
    await daemonToken(emu, env);
    return env;
  };
  const extra = { retryAfter: 0, ...(kind === 'timeout' ? { timeoutMs: 150 } : {}), ...(kind === 'lag' ? { lagMs: 400 } : {}) };
  const under = (): string[] => [
    // Each run meets the fault at least once: the second write request after the rules are in.
    emu.faults.add({ method: 'POST', path: '**', kind, nth: 2, ...extra } as FaultRuleSpec).id,
    ...(['POST', 'PATCH', 'DELETE'] as const).map(
      (method) =>
        emu.faults.add({
          method,
          path: '**',
          kind,
          // A seeded share of the rest. A call gives up after 8 failed attempts (retry.ts), and these runs make
          // ~2,000 write requests per kind: the share stays low enough that no call meets 8 faults in a row by
          // chance. A lost connection, which also costs the reconcile, fires less often than the answers.
          probability: NETWORK.has(kind) ? 0.06 : 0.1,
          seed: Math.floor(random() * 1e9),
          ...extra,
        } as FaultRuleSpec).id,
    ),
  ];
  /** Crash point k: for real (SIGKILL of the built CLI) on this kind's share of the points, else in process. */
  const crash = async (input: CrashInput): Promise<{ run: CrashRun; what: string }> => {
    const killed = killedAt(input.crashAfter);
    const run = killed ? await applyKilledAfter(emu, input) : await applyCrashingAfter(emu, input);
    const what = `${kind} ${input.rotateSecrets ? 'rotation' : 'cold'} k=${input.crashAfter}${killed ? ' SIGKILL' : ''} (write: ${run.writes.at(-1)})`;
    // Retries are writes too, so under a fault the k-th write can be earlier in the run than without: a run that
    // finished before its k-th write is a case of "no crash".
    assert.ok(run.crashed || (killed ? run.code === 0 : !run.stderr), `${what}: neither crashed nor done: ${run.stderr}`);
    if (killed && run.crashed) assert.equal(run.signal, 'SIGKILL', what);
    return { run, what };
  };
  /** Run again under the fault: it must succeed, leave a working config, and at most two tool-created secrets. */
  const rerun = async (copy: { cwd: string; manifests: string[] }, stack: string, what: string) => {
    const r = await apply({ ...engineOptions(emu, copy), timeoutMs: 30_000 });
    assert.ok(r.ok, `${what}: the re-run failed: ${JSON.stringify(r.results.filter((x) => x.status !== 'done'))}`);
    await checkConfig(join(copy.cwd, 'out/todolist-daemon.env'), `${what}, re-run`);
    assert.ok((await toolSecrets(stack)).length <= 2, `${what}: more than two tool-created secrets after the re-run`);
  };
  /** Without faults: the plan is empty, a second apply writes nothing, one tool-created secret is left: the config's. */
  const converged = async (cases: Array<{ copy: { cwd: string; manifests: string[] }; stack: string; what: string }>) => {
    for (const c of cases) {
      const opts = { ...engineOptions(emu, c.copy), timeoutMs: 30_000 };
      await assertConverged(emu, opts);
      const env = await checkConfig(join(c.copy.cwd, 'out/todolist-daemon.env'), `${c.what}, converged`);
      const left = await toolSecrets(c.stack);
      assert.equal(left.length, 1, `${c.what}: ${left.length} tool-created secrets`);
      assert.equal(left[0].hint, env.CLIENT_SECRET.slice(0, 3), `${c.what}: the secret left is not the config's`);
    }
  };
  const withFault = async (fn: () => Promise<void>) => {
    const rules = under();
    try {
      await fn();
      assert.ok(
        rules.some((id) => (emu.faults.fired(id) ?? 0) > 0),
        `${kind}: the fault never fired`,
      );
    } finally {
      for (const id of rules) emu.faults.remove(id);
    }
  };

  it(`${kind}: a cold apply crashed after each of its writes; every re-run converges`, async () => {
    const probe = stackCopy(EXAMPLE, `m${index}-probe`);
    const full = await applyCrashingAfter(emu, { ...probe, crashAfter: 1_000_000 });
    assert.ok(!full.crashed && !full.stderr, full.stderr);
    const n = full.writes.length;
    assert.ok(n >= 10, full.writes.join('\n'));
    const cases: Array<{ copy: { cwd: string; manifests: string[] }; stack: string; what: string }> = [];
    await withFault(async () => {
      for (let k = 1; k <= n; k++) {
        const stack = `m${index}-cold-${k}`;
        const copy = stackCopy(EXAMPLE, stack);
        const { what } = await crash({ ...copy, crashAfter: k });
        const file = join(copy.cwd, 'out/todolist-daemon.env');
        if (existsSync(file)) await checkConfig(file, `${what}, after the crash`);
        assert.ok((await toolSecrets(stack)).length <= 2, `${what}: more than two tool-created secrets`);
        await rerun(copy, stack, what);
        cases.push({ copy, stack, what });
      }
    });
    await converged(cases);
  });

  it(`${kind}: a rotation crashed after each of its writes; the config is the previous or the new one; every re-run converges`, async () => {
    const cases: Array<{ copy: { cwd: string; manifests: string[] }; stack: string; what: string }> = [];
    const stacks = Array.from({ length: ROTATION_WRITES }, (_, i) => {
      const stack = `m${index}-rot-${i + 1}`;
      return { stack, copy: stackCopy(EXAMPLE, stack) };
    });
    // The applies to rotate are made before the fault: the cold ones are the test above.
    for (const s of stacks) assert.ok((await apply(engineOptions(emu, s.copy))).ok);
    await withFault(async () => {
      for (const [i, { stack, copy }] of stacks.entries()) {
        const file = join(copy.cwd, 'out/todolist-daemon.env');
        const previous = readFileSync(file, 'utf8');
        const before = readDotenv(file);
        const { what } = await crash({ ...copy, crashAfter: i + 1, rotateSecrets: true });
        const after = await checkConfig(file, `${what}, after the crash`);
        assert.ok(readFileSync(file, 'utf8') === previous || after.CLIENT_SECRET !== before.CLIENT_SECRET, `${what}: the config changed without a new secret`);
        assert.ok((await toolSecrets(stack)).length <= 2, `${what}: more than two tool-created secrets`);
        await rerun(copy, stack, what);
        cases.push({ copy, stack, what });
      }
    });
    await converged(cases);
  });
}
