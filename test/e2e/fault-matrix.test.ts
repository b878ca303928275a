/**
 * The fault matrix (issue 15): a cold apply and a secret rotation of the example stack under each fault kind the
 * emulator injects — on a seeded share of the writes — each killed at a seeded write (the cold apply by SIGKILL of
 * the built CLI, the rotation by the in-process crash of test/helpers/crash.ts; a crash at every write, without
 * faults, is crash-secrets.test.ts) and run again under the same fault. Every case must converge with exactly one tool-created secret (no duplicate, no orphan), the secret the
 * config holds, and a config that is at any moment absent, the previous complete one, or the new complete one.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Application, PasswordCredential } from '@microsoft/microsoft-graph-types';
import { seededRandom } from '../../src/emulator/fault-random.js';
import type { FaultRuleSpec } from '../../src/emulator/fault-rules.js';
import { apply } from '../../src/index.js';
import { applyCrashingAfter, applyKilledAfter, stackCopy } from '../helpers/crash.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, daemonToken, EXAMPLE, engineOptions, readDotenv } from '../helpers/engine.js';

const KINDS = ['503', '500', '504', 'reset', 'timeout', 'commit-then-503', 'commit-then-reset', '409-concurrency', 'lag'] as const;
const NETWORK = new Set<string>(['reset', 'timeout', 'commit-then-reset']);
const KEYS = ['TENANT_ID', 'TENANT_SUBDOMAIN', 'AUTHORITY', 'CLIENT_ID', 'CLIENT_SECRET', 'WEB_API_CLIENT_ID', 'WEB_API_SCOPE'];

// One emulator per fault kind (rules are per emulator), the kinds side by side: backoff sleeps are real.
describe('fault matrix: cold apply and rotation under every fault kind, crashed at a write, converge', { concurrency: true }, () => {
  for (const kind of KINDS) describe(kind, () => matrixCase(kind));
});

function matrixCase(kind: (typeof KINDS)[number]): void {
  const emu = useEmulator();
  const random = seededRandom(2026 + KINDS.indexOf(kind));

  const toolSecrets = async (stack: string): Promise<PasswordCredential[]> => {
    emu.clock.advance(1000);
    const app = (await graphClient(emu).api(`/applications(uniqueName='${stack}--daemon')`).select('passwordCredentials').get()) as Application;
    return (app.passwordCredentials ?? []).filter((c) => c.displayName?.startsWith('tenantform:'));
  };
  const checkConfig = async (file: string, what: string) => {
    const env = readDotenv(file);
    assert.deepEqual(Object.keys(env).sort(), [...KEYS].sort(), `${what}: torn config`);
    // Past the lag rule's 400 ms too: a new secret reaches the token service only once it has replicated.
    emu.clock.advance(1000);
    await daemonToken(emu, env);
    return env;
  };
  const under = (kind: (typeof KINDS)[number]): string[] =>
    (['POST', 'PATCH', 'DELETE'] as const).map(
      (method) =>
        emu.faults.add({
          method,
          path: '**',
          kind,
          // Every retry sleeps for real (the backoff ladder), so a lost connection, which also costs the reconcile,
          // fires less often than the answers.
          probability: NETWORK.has(kind) ? 0.15 : 0.25,
          seed: Math.floor(random() * 1e9),
          retryAfter: 0,
          ...(kind === 'timeout' ? { timeoutMs: 150 } : {}),
          ...(kind === 'lag' ? { lagMs: 400 } : {}),
        } as FaultRuleSpec).id,
    );

  {
    it(`${kind}: cold apply crashed at a write, rotation crashed at a write; both converge`, async () => {
      const stack = `matrix-${kind.replace(/[^a-z0-9]/g, '')}`;
      const copy = stackCopy(EXAMPLE, stack);
      const opts = { ...engineOptions(emu, copy), timeoutMs: 30_000 };
      const file = join(copy.cwd, 'out/todolist-daemon.env');
      const rules = under(kind);
      try {
        // Cold: crash at a seeded write of the first ten, then run again under the same fault.
        // For real: the built CLI SIGKILLs itself after that write (its requests meet the same fault rules).
        const cold = await applyKilledAfter(emu, { ...copy, crashAfter: 1 + Math.floor(random() * 10) });
        assert.ok(cold.crashed || cold.code === 0, `${kind} cold: neither killed nor done: ${cold.stderr}`);
        if (existsSync(file)) await checkConfig(file, `${kind} cold, after the crash`);
        const first = await apply(opts);
        assert.ok(first.ok, `${kind} cold re-run (${cold.writes.at(-1)}): ${JSON.stringify(first.results.filter((r) => r.status !== 'done'))}`);
        const before = await checkConfig(file, `${kind} cold`);
        const previous = readFileSync(file, 'utf8');

        // Rotation: crash at one of its four writes, then run again.
        const rotation = await applyCrashingAfter(emu, { ...copy, crashAfter: 1 + Math.floor(random() * 4), rotateSecrets: true });
        const now = readFileSync(file, 'utf8');
        const after = await checkConfig(file, `${kind} rotation, after the crash (${rotation.writes.at(-1)})`);
        assert.ok(now === previous || after.CLIENT_SECRET !== before.CLIENT_SECRET, `${kind}: the config changed without a new secret`);
        const second = await apply(opts);
        assert.ok(second.ok, `${kind} rotation re-run: ${JSON.stringify(second.results.filter((r) => r.status !== 'done'))}`);
        assert.ok(
          rules.some((id) => (emu.faults.fired(id) ?? 0) > 0),
          `${kind}: the fault never fired`,
        );
      } finally {
        for (const id of rules) emu.faults.remove(id);
      }
      await assertConverged(emu, opts);
      const env = await checkConfig(file, `${kind} converged`);
      const left = await toolSecrets(stack);
      assert.equal(left.length, 1, `${kind}: ${left.length} tool-created secrets`);
      assert.equal(left[0].hint, env.CLIENT_SECRET.slice(0, 3), `${kind}: the secret left is not the config's`);
    });
  }
}
