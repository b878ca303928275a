/**
 * A fleet whose apply and the plan and apply after it need more resource units than Graph's bucket holds: an S tenant
 * (3,500 RU per 10 s, https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits) of which
 * another run of the same application has just spent 2,000. The commands wait for the quota instead of spending it
 * on 429s (graph/gate.ts): they succeed, converge, and few of their items meet a 429. (Without the gate, each $batch
 * round of ~560 reads that found the bucket dry was answered mostly 429, and again after Retry-After: ~540 429s.)
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { apply } from '../../src/index.js';
import { graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, exampleFleet } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';

const STACKS = 260;
/** What the other run spends: the bucket still holds more than the gate's first burst, so no burst meets it dry. */
const SPENT = 2000;

/** Spend `ru` of the application's resource units (as another run would): $batch envelopes of 20 one-RU reads. */
async function drain(emu: Emulator, ru: number): Promise<void> {
  const token = await graphToken(emu);
  const body = JSON.stringify({ requests: Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' })) });
  for (let spent = 0; spent < ru; spent += 200) {
    const answers = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await rawFetch(emu, '/v1.0/$batch', { method: 'POST', token, body, headers: { 'content-type': 'application/json' } });
        return ((await res.json()) as { responses: Array<{ status: number }> }).responses;
      }),
    );
    if (answers.flat().some((r) => r.status === 429)) return;
  }
}

describe("a fleet under Graph's resource unit quota", () => {
  const emu = useEmulator({ tenantSize: 'S' });

  it('waits for the quota: the apply and the plans after it succeed with few 429s, and converge', async (t) => {
    const cwd = tempDir('tenantform-quota-');
    const manifests = exampleFleet(cwd, STACKS, 'quota');
    const opts = engineOptions(emu, { cwd, manifests });
    // Seeding 900 writes is not what this test is about (Graph allows 3,000 per 2 min 30 s): quotas off meanwhile.
    emu.quotas.options.quotas = false;
    const seeded = await apply(opts);
    assert.ok(seeded.ok, JSON.stringify(seeded.results.filter((x) => x.status !== 'done')));
    emu.quotas.options.quotas = true;
    for (const f of manifests) writeFileSync(f, readFileSync(f, 'utf8').replace('displayName: ciam-ToDoList-api', 'displayName: ciam-ToDoList-api-v2'));
    await drain(emu, SPENT);

    const mark = emu.requestLog.mark();
    const started = Date.now();
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.equal(r.plan.changes.length, STACKS);
    await assertConverged(emu, opts);
    const seconds = (Date.now() - started) / 1000;

    const items = emu.requestLog.since(mark).filter((e) => e.service === 'graph' && !e.path.endsWith('/$batch'));
    const ru = items.reduce((s, e) => s + (e.resourceUnits ?? 0), 0);
    const throttled = items.filter((e) => e.status === 429).length;
    const what = `${throttled} 429s for ${items.length} items, ${ru} RU in ${seconds.toFixed(1)} s`;
    t.diagnostic(what);
    // More than the bucket holds (3,500 RU), and than it had left: seconds of its refill (350 RU/s) pace the commands.
    assert.ok(ru > 3500, what);
    // The gate's first burst (≤ 500 items; told the S bucket by /users/$count, a round of ~560 at once) fits what the
    // bucket had left; answers above 80 % of the quota make it pace
    // before the bucket is dry, and the rate follows the refill from then on. 5 % of the items is room for the
    // timing of a loaded machine (a late answer, an early burst), far below a storm's ~560.
    assert.ok(throttled <= 0.05 * items.length, what);
  });
});
