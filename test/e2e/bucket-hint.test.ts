/**
 * The throttle gate knows the tenant's resource unit bucket (graph/gate.ts): the plan's first round reads
 * `GET /users/$count`, and an L tenant (> 500 users: 8,000 RU per 10 s,
 * https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits) lets a fleet's round go out
 * whole, where a gate that knows nothing keeps 500–600 items in flight (20 % of the smallest bucket). Here a fleet of
 * ~640 reads a round: a no-op plan is 2 Graph round trips, every $batch of a round sent before the first answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestLogEntry } from '../../src/emulator/index.js';
import { apply, plan } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { engineOptions, exampleFleet, settle } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';

const STACKS = 300;
/** Wide, so a loaded machine opening ~32 connections a round still sends them all before the first answer. */
const LATENCY_MS = 300;

/** The $batch envelopes (server side: [answered − duration, answered]) and the rounds they form: each starts after the one before was answered. */
function rounds(log: RequestLogEntry[]): number[] {
  const envelopes = log
    .filter((e) => e.service === 'graph' && !e.batch && e.path.endsWith('/$batch'))
    .map((e) => ({ end: Date.parse(e.time), start: Date.parse(e.time) - e.durationMs }))
    .sort((a, b) => a.start - b.start);
  const out: number[] = [];
  let answered = -Infinity;
  for (const e of envelopes) {
    // Sent after an answer of the current round: a new round (1 ms for the log's millisecond rounding).
    if (e.start >= answered - 1) {
      out.push(0);
      answered = Infinity;
    }
    out[out.length - 1]++;
    answered = Math.min(answered, e.end);
  }
  return out;
}

describe('the throttle gate told the bucket by the tenant’s users', () => {
  const emu = useEmulator();

  it('an L tenant: a no-op plan of ~640 items a round is 2 Graph round trips, no 429', async () => {
    for (let i = 0; i < 501; i++) emu.addUser({ userPrincipalName: `u${i}@tenantformlocal.onmicrosoft.com`, password: `Pw-${i}-not-secret!` });
    const cwd = tempDir('tenantform-hint-');
    const manifests = exampleFleet(cwd, STACKS, 'hint');
    const opts = engineOptions(emu, { cwd, manifests });
    // 2,700 writes: Graph's 3,000 per 2 min 30 s is not what this test is about.
    emu.quotas.options.quotas = false;
    const seeded = await apply(opts);
    assert.ok(seeded.ok, JSON.stringify(seeded.results.filter((x) => x.status !== 'done')));
    emu.quotas.options.quotas = true;
    settle(emu);
    // A window later (emulator time for its bucket; the gate's own draws are in real time): the bucket is full.
    await new Promise((r) => setTimeout(r, 2000));

    emu.faults.options.latencyMs = LATENCY_MS;
    try {
      const mark = emu.requestLog.mark();
      const p = await plan(opts);
      assert.equal(p.plan.changes.length, 0);
      const log = emu.requestLog.since(mark);
      const items = log.filter((e) => e.service === 'graph' && e.batch);
      const counted = items.filter((e) => e.path === '/users/$count');
      assert.deepEqual(
        counted.map((e) => e.status),
        [200],
      );
      assert.equal(items.filter((e) => e.status === 429).length, 0);
      const r = rounds(log);
      // > 30 envelopes (600 items) a round, all sent before the round's first answer.
      assert.equal(r.length, 2, `envelopes per round: ${r.join(', ')}`);
      assert.ok(
        r.every((n) => n * 20 > 600),
        `envelopes per round: ${r.join(', ')} (${items.length} items)`,
      );
    } finally {
      emu.faults.options.latencyMs = 0;
    }
  });
});
