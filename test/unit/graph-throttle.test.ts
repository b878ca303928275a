/**
 * The throttle gate's logic offline (graph/throttle.ts, graph/gate.ts): a lane's reactions to answers, which limit
 * a 429 is about, and — in virtual time, against a token bucket like Graph's (emulator quotas.ts) — that a run
 * needing more than the quota finishes near the floor the quota sets with few 429s.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countOf, limitOf, ThrottleGate } from '../../src/graph/gate.js';
import { bucketOfUsers, ITEM_RU, Lane, LANES, type LaneAnswer } from '../../src/graph/throttle.js';
import type { GraphResponse } from '../../src/graph/transport.js';

const ok = (accepted: number, extra: Partial<LaneAnswer> = {}): LaneAnswer => ({ accepted, throttled: 0, ...extra });

describe('a lane', () => {
  test('open: the first 500 items go at once; clean answers grow the cap (slow start) up to 600', () => {
    const lane = new Lane(LANES['resource-units']);
    const round = () =>
      Array.from({ length: lane.cap / 20 }, () => {
        assert.equal(lane.waitMs(0, 20), 0);
        return lane.take(0, 20);
      });
    const first = round();
    assert.equal(first.length, 25);
    assert.equal(lane.waitMs(0, 20), Infinity, 'waits for an answer');
    for (const t of first) lane.settle(100, t, ok(20));
    assert.equal(lane.cap, 600);
    for (const t of round()) lane.settle(200, t, ok(20));
    assert.equal(lane.cap, 600);
    assert.equal(lane.mode, 'open');
  });

  test('open: an answer above 80 % of the quota paces at what the window accepted, never below the floor', () => {
    const lane = new Lane(LANES['resource-units']);
    for (let t = 0; t < 400; t += 100) lane.settle(t + 100, lane.take(t, 600), ok(600));
    lane.settle(500, lane.take(400, 600), ok(600, { usage: 0.9, usageHeader: true }));
    assert.equal(lane.mode, 'paced');
    assert.equal(lane.rate, 300, '3,000 accepted in a 10 s window: 300/s');
    const big = new Lane(LANES['resource-units']);
    for (let t = 0; t < 1100; t += 100) big.settle(t + 100, big.take(t, 600), ok(600));
    big.settle(1200, big.take(1100, 400), ok(400, { usage: 0.8, usageHeader: true }));
    assert.equal(big.rate, 700, '7,000 in the window: 700/s');
  });

  test('a 429 closes the lane for its Retry-After; the other 429s of the same burst are one event', () => {
    const lane = new Lane(LANES['resource-units']);
    const a = lane.take(0, 20);
    const b = lane.take(0, 20);
    lane.settle(100, a, { accepted: 5, throttled: 15, retryAfterMs: 2000 });
    assert.equal(lane.mode, 'paced');
    assert.ok(lane.waitMs(100, 20) >= 1900);
    const rate = lane.rate;
    lane.settle(110, b, { accepted: 0, throttled: 20, retryAfterMs: 3000 });
    assert.equal(lane.rate, rate, 'sent before the reaction: no second decrease');
    assert.equal(lane.openAt, 2100);
    assert.equal(lane.waitMs(2100, 20), 0, 'then a burst (a quarter second of the rate) may go');
    lane.take(2100, 75);
    assert.equal(lane.waitMs(2100, 20), 67, 'and then paced: the tokens for 20 items at 300/s take 67 ms');
  });

  test('two 429s a while apart measure the refill: the rate becomes 90 % of what was accepted between them', () => {
    const lane = new Lane(LANES['resource-units']);
    lane.settle(100, lane.take(0, 20), { accepted: 0, throttled: 20, retryAfterMs: 1000 });
    let t = 1100;
    // 40 items every 100 ms, more than the 300/s it allows: requests wait for the rate (waitMs), as they do in the gate.
    for (; t < 3100; t += 100) {
      lane.waitMs(t, 40);
      lane.settle(t, lane.take(t, 40), ok(40));
    }
    lane.settle(3100, lane.take(3000, 20), { accepted: 0, throttled: 20, retryAfterMs: 1000 });
    assert.equal(Math.round(lane.rate), 240, '800 accepted in the 3 s between them: 267/s, less 10 %');
  });

  test('an answer at 95 % of the quota is an empty bucket too: it measures the refill without a 429', () => {
    const lane = new Lane(LANES['resource-units']);
    lane.settle(100, lane.take(0, 500), ok(500, { usage: 1, usageHeader: true }));
    assert.equal(lane.mode, 'paced');
    assert.equal(lane.base, 300, 'the floor: 500 accepted in a 10 s window is less');
    for (let t = 200; t <= 2100; t += 100) {
      lane.waitMs(t, 50);
      lane.settle(t, lane.take(t, 50), ok(50, { usage: 0.8, usageHeader: true }));
    }
    lane.settle(2200, lane.take(2100, 50), ok(50, { usage: 1, usageHeader: true }));
    assert.equal(Math.round(lane.base), 450, '1,050 accepted in the 2.1 s between the two: 500/s, less 10 %');
    assert.ok(lane.rate <= lane.base);
  });

  test('a lane that sent all it had measures its demand, not the bucket: a 429 then keeps its rate', () => {
    const lane = new Lane(LANES['resource-units']);
    lane.settle(100, lane.take(0, 20), { accepted: 0, throttled: 20, retryAfterMs: 1000 });
    for (let t = 1100; t < 3100; t += 500) lane.settle(t + 50, lane.take(t, 5), ok(5));
    lane.settle(3200, lane.take(3100, 5), { accepted: 0, throttled: 5, retryAfterMs: 1000 });
    assert.equal(lane.base, 300, 'a few items a second were all it had: no reason to go slower');
  });

  test('an idle lane does not grow between two commands', () => {
    const lane = new Lane(LANES['resource-units']);
    lane.settle(100, lane.take(0, 20), { accepted: 0, throttled: 20, retryAfterMs: 1000 });
    assert.equal(lane.waitMs(1100, 20), 0);
    lane.settle(1200, lane.take(1100, 20), ok(20, { usageHeader: true }));
    const rate = lane.rate;
    lane.waitMs(60_000, 20);
    lane.settle(60_100, lane.take(60_000, 20), ok(20));
    assert.ok(lane.rate <= rate * 2 ** 0.25, `${lane.rate} after a minute idle (was ${rate})`);
  });

  test('told the bucket (an L tenant, 8,000 RU): an open lane sends 80 % of it at once, then what the refill brings back', () => {
    const lane = new Lane(LANES['resource-units']);
    lane.know(8000);
    const share = Math.floor((0.8 * 8000) / ITEM_RU / 20) * 20; // 5,320 items
    const tickets = [];
    for (let sent = 0; sent < share; sent += 20) {
      assert.equal(lane.waitMs(0, 20), 0, `${sent} sent`);
      tickets.push(lane.take(0, 20));
    }
    const wait = lane.waitMs(0, 20);
    assert.ok(wait > 0 && Number.isFinite(wait), `over the share: waits for the refill (${wait} ms), not for an answer`);
    // 8,000 RU per 10 s is 667 items a second: 30 ms bring back 20.
    assert.ok(wait <= 40, `${wait} ms`);
    assert.equal(lane.waitMs(wait, 20), 0);
    // What was sent a window ago is back: the whole share again.
    for (const t of tickets) lane.settle(100, t, ok(20));
    assert.equal(lane.waitMs(10_000, share), 0);
    assert.equal(lane.mode, 'open');
  });

  test('told the bucket: answers above 80 % of the quota and 429s pace it as before', () => {
    const lane = new Lane(LANES['resource-units']);
    lane.know(3500);
    lane.settle(100, lane.take(0, 2000), ok(2000, { usage: 0.85, usageHeader: true }));
    assert.equal(lane.mode, 'paced');
    assert.equal(lane.rate, 300);
    const other = new Lane(LANES['resource-units']);
    other.know(8000);
    other.settle(100, other.take(0, 2000), { accepted: 1000, throttled: 1000, retryAfterMs: 2000 });
    assert.equal(other.mode, 'paced');
    assert.ok(other.waitMs(100, 20) >= 1900);
  });

  test('without a bucket (or a bucket that makes no sense): 500 at once, then answers, as before', () => {
    for (const told of [undefined, 0, NaN, -1]) {
      const lane = new Lane(LANES['resource-units']);
      if (told !== undefined) lane.know(told);
      for (let i = 0; i < 25; i++) lane.take(0, 20);
      assert.equal(lane.waitMs(0, 20), Infinity, String(told));
    }
  });

  test('the bucket by users: S under 50, M up to 500, L above (throttling-limits)', () => {
    assert.deepEqual([0, 49, 50, 500, 501, 100_000].map(bucketOfUsers), [3500, 3500, 5000, 5000, 8000, 8000]);
  });

  test('conditional access: 1 request per second after its 429 without Retry-After', () => {
    const lane = new Lane(LANES['conditional-access']);
    lane.settle(50, lane.take(0, 1), { accepted: 0, throttled: 1 });
    assert.equal(lane.rate, 1);
    assert.equal(lane.waitMs(500, 1), 550);
    assert.equal(lane.waitMs(1050, 1), 0);
    lane.take(1050, 1);
    assert.equal(lane.waitMs(1050, 1), 1000);
  });
});

describe('which limit a 429 is about', () => {
  const get = { method: 'GET', url: '/applications' };
  const ca = { method: 'POST', url: '/identity/conditionalAccess/policies' };
  const cases: Array<[string, { method: string; url: string }, Record<string, string>, string | undefined]> = [
    ['resource units', get, { 'x-ms-throttle-information': 'ResourceUnitLimitExceeded', 'retry-after': '1' }, 'resource-units'],
    ['writes', ca, { 'x-ms-throttle-scope': 'Tenant_Application/Write/a/t', 'retry-after': '3' }, 'writes'],
    ['conditional access (no Retry-After)', ca, { 'x-ms-throttle-information': 'RequestLimitExceeded' }, 'conditional-access'],
    ['a bare 429 asking a wait', get, { 'retry-after': '2' }, 'resource-units'],
    ['a bare 429 asking none (an injected fault)', get, { 'retry-after': '0' }, undefined],
  ];
  for (const [name, item, headers, lane] of cases) test(name, () => assert.equal(limitOf(item, headers), lane));
});

describe('the gate', () => {
  test('reads each $batch item’s answer by id; a 429 paces only the limit it names', async () => {
    const gate = new ThrottleGate(() => 0);
    const body = {
      requests: [
        { id: '0', method: 'GET', url: '/organization' },
        { id: '1', method: 'PATCH', url: "/applications(uniqueName='a')" },
      ],
    };
    const ticket = await gate.admit({ method: 'POST', path: '/$batch', body });
    const res: GraphResponse = {
      status: 200,
      headers: {},
      body: {
        responses: [
          { id: '1', status: 429, headers: { 'Retry-After': '5', 'x-ms-throttle-information': 'WriteLimitExceeded' } },
          { id: '0', status: 200, headers: { 'x-ms-resource-unit': '1' } },
        ],
      },
    };
    gate.settle(ticket, res);
    assert.equal(gate.lanes.writes.mode, 'paced');
    assert.equal(gate.lanes.writes.openAt, 5000);
    assert.equal(gate.lanes['resource-units'].mode, 'open');
    assert.equal(gate.throttled, 1);
  });

  /** A gate that sent 500 items, the first envelope holding `/users/$count`, answered with `count`; then: may 20 more go now? */
  async function afterCount(count: { status: number; body?: unknown }, batch = true): Promise<boolean> {
    const gate = new ThrottleGate(() => 0);
    const items = (n: number, first?: string) =>
      Array.from({ length: n }, (_, i) => ({ id: String(i), method: 'GET', url: i === 0 && first ? first : '/organization' }));
    const first = batch
      ? await gate.admit({ method: 'POST', path: '/$batch', body: { requests: items(20, '/users/$count') } })
      : await gate.admit({ method: 'GET', path: '/users/$count' });
    const rest = [];
    for (let sent = 20; sent < 500; sent += 20) rest.push(await gate.admit({ method: 'POST', path: '/$batch', body: { requests: items(20) } }));
    const ok200 = (i: number) => ({ id: String(i), status: 200, headers: {}, body: { value: [] } });
    const res: GraphResponse = batch
      ? {
          status: 200,
          headers: {},
          body: { responses: [{ id: '0', ...count, headers: { 'Content-Type': 'text/plain' } }, ...items(19).map((_, i) => ok200(i + 1))] },
        }
      : { status: count.status, headers: { 'content-type': 'text/plain' }, body: count.body };
    gate.settle(first, res);
    // 480 still in flight, with the bucket known or not: 600 would be today's most.
    const more = Array.from({ length: 10 }, () => gate.admit({ method: 'POST', path: '/$batch', body: { requests: items(20) } }));
    const admitted = await Promise.race([Promise.all(more).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);
    for (const t of rest) gate.settle(t, { status: 200, headers: {}, body: { responses: [] } });
    return admitted;
  }

  test('reads the tenant’s users from a /users/$count answer as it passes (in a $batch or alone): more goes out at once', async () => {
    assert.equal(await afterCount({ status: 200, body: '12000' }), true, 'a JSON string (the emulator, OData)');
    assert.equal(await afterCount({ status: 200, body: Buffer.from('12000').toString('base64') }), true, 'base64');
    assert.equal(await afterCount({ status: 200, body: 12000 }), true, 'a number');
    assert.equal(await afterCount({ status: 200, body: '12000' }, false), true, 'alone, text/plain');
  });

  test('no count, no hint: a 403, a 400, a body it cannot read leave the gate as it was', async () => {
    const denied = { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } };
    assert.equal(await afterCount(denied), false);
    assert.equal(await afterCount({ status: 400, body: { error: { code: 'Request_BadRequest', message: '$count is not currently supported.' } } }), false);
    assert.equal(await afterCount({ status: 200, body: 'lots' }), false);
    assert.equal(await afterCount({ status: 200 }), false);
  });

  test('knowBucket: told directly (e.g. by a caller that knows the tenant), the gate lets waiting requests go', async () => {
    const gate = new ThrottleGate(() => 0);
    const body = { requests: Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' })) };
    for (let i = 0; i < 25; i++) await gate.admit({ method: 'POST', path: '/$batch', body });
    let went = false;
    void gate.admit({ method: 'POST', path: '/$batch', body }).then(() => (went = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(went, false);
    gate.knowBucket(8000);
    await new Promise((r) => setImmediate(r));
    assert.equal(went, true);
  });

  test('countOf: a plain number, as text, a JSON string or base64; nothing else', () => {
    assert.deepEqual(['42', ' 42\n', 42, Buffer.from('42').toString('base64'), '', 'x', -1, 1.5, null, { value: 42 }].map(countOf), [
      42,
      42,
      42,
      42,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

/**
 * A run of `items` reads, envelopes of 20, against one token bucket (capacity, refill per second, starting level),
 * in virtual time: each request takes `latencyMs`; a throttled item is sent again after its Retry-After (as
 * batch.ts and retry.ts do), through the lane. Returns when every item was accepted.
 */
function simulate(o: {
  capacity: number;
  perSec: number;
  level: number;
  items: number;
  ru?: number;
  latencyMs?: number;
  usageHeader?: boolean;
  /** The items in rounds of this size, each sent once the one before is all answered and `pauseMs` more (a plan's two rounds). */
  round?: number;
  pauseMs?: number;
  /** The bucket the lane is told (Lane.know), in RU per 10 s. */
  told?: number;
}) {
  const lane = new Lane(LANES['resource-units']);
  if (o.told !== undefined) lane.know(o.told);
  const ru = o.ru ?? 1;
  const latency = o.latencyMs ?? 100;
  let level = o.level;
  let at = 0;
  const judge = (t: number): { ok: boolean; usage?: number; retryAfterMs?: number } => {
    level = Math.min(o.capacity, level + ((t - at) * o.perSec) / 1000);
    at = t;
    if (level < ru) return { ok: false, retryAfterMs: Math.max(1, Math.ceil((ru - level) / o.perSec)) * 1000 };
    level -= ru;
    const used = 1 - level / o.capacity;
    return { ok: true, usage: o.usageHeader !== false && used > 0.8 ? Number(used.toFixed(1)) : undefined };
  };
  const round = o.round ?? o.items;
  const ready: number[] = [0]; // times at which batches of items become ready, with counts alongside
  const counts: number[] = [Math.min(round, o.items)];
  let released = counts[0];
  const answers: Array<{ t: number; run: () => void }> = [];
  let now = 0;
  let throttled = 0;
  let accepted = 0;
  let sent = 0;
  for (let guard = 0; accepted < o.items && guard < 1e6; guard++) {
    let wake = Infinity;
    for (let i = 0; i < ready.length;) {
      if (ready[i] > now) {
        wake = Math.min(wake, ready[i]);
        i++;
        continue;
      }
      const n = Math.min(20, counts[i]);
      const w = lane.waitMs(now, n);
      if (w > 0) {
        wake = Math.min(wake, now + w);
        break;
      }
      const ticket = lane.take(now, n);
      sent += n;
      counts[i] -= n;
      if (counts[i] === 0) {
        ready.splice(i, 1);
        counts.splice(i, 1);
      }
      const verdicts = Array.from({ length: n }, () => judge(now + latency / 2));
      const t = now + latency;
      answers.push({
        t,
        run: () => {
          const good = verdicts.filter((v) => v.ok);
          const bad = verdicts.filter((v) => !v.ok);
          accepted += good.length;
          throttled += bad.length;
          if (accepted === released && released < o.items) {
            ready.push(t + (o.pauseMs ?? 0));
            counts.push(Math.min(round, o.items - released));
            released += counts[counts.length - 1];
          }
          const usages = good.map((v) => v.usage).filter((u): u is number => u !== undefined);
          lane.settle(t, ticket, {
            accepted: good.length,
            throttled: bad.length,
            ...(bad.length ? { retryAfterMs: Math.max(...bad.map((v) => v.retryAfterMs!)) } : {}),
            ...(usages.length ? { usage: Math.max(...usages), usageHeader: true } : {}),
          });
          if (bad.length) {
            ready.push(t + Math.max(...bad.map((v) => v.retryAfterMs!)));
            counts.push(bad.length);
          }
        },
      });
    }
    answers.sort((a, b) => a.t - b.t);
    const next = Math.min(wake, answers[0]?.t ?? Infinity);
    if (!Number.isFinite(next)) throw new Error('simulation stalled');
    now = Math.max(now, next);
    while (answers.length && answers[0].t <= now) answers.shift()!.run();
  }
  const floorMs = Math.max(latency, ((o.items * ru - o.level) * 1000) / o.perSec);
  return { ms: now, floorMs, throttled, sent };
}

describe('pacing against a token bucket (virtual time)', () => {
  // A run that meets an empty bucket loses its first burst (the 500 items an open lane sends at once) to 429s; after
  // that, and for a bucket that holds something, at most 5 % of the items are 429s (10 % without the usage header).
  const FIRST = LANES['resource-units'].initialInFlight!;
  const cases: Array<[string, Parameters<typeof simulate>[0], number]> = [
    // [what, run, most 429s]
    ['S tenant, bucket empty, 4,300 items (a 1,000-stack no-op apply after its plan)', { capacity: 3500, perSec: 350, level: 0, items: 4300 }, FIRST + 215],
    ['S tenant, bucket 10 % full, 4,300 items', { capacity: 3500, perSec: 350, level: 350, items: 4300 }, 215],
    ['S tenant, bucket full, 12,000 items', { capacity: 3500, perSec: 350, level: 3500, items: 12_000 }, 600],
    ['L tenant, bucket empty, 14,000 items of 2 RU', { capacity: 8000, perSec: 800, level: 0, items: 14_000, ru: 2 }, FIRST + 700],
    ['L tenant, bucket a third full, 14,000 items', { capacity: 8000, perSec: 800, level: 2500, items: 14_000 }, 700],
    [
      'S tenant, bucket full, two rounds of 2,135 a second apart (a 1,000-stack no-op plan)',
      { capacity: 3500, perSec: 350, level: 3500, items: 4270, round: 2135, pauseMs: 1000 },
      215,
    ],
    ['a server without x-ms-throttle-limit-percentage, bucket empty', { capacity: 3500, perSec: 350, level: 0, items: 6000, usageHeader: false }, FIRST + 600],
  ];
  for (const [name, run, most] of cases) {
    test(name, () => {
      const r = simulate(run);
      if (process.env.SIM_LOG) console.log(name, JSON.stringify(r));
      assert.ok(r.throttled <= most, `${r.throttled} 429s for ${run.items} items`);
      assert.ok(r.ms <= r.floorMs * 1.15 + 1500, `${r.ms} ms; the quota's floor is ${Math.round(r.floorMs)} ms`);
    });
  }

  test('told an L bucket: a 1,000-stack no-op plan’s two rounds of 2,135 go out whole, one round trip each', () => {
    const r = simulate({ capacity: 8000, perSec: 800, level: 8000, items: 4270, round: 2135, told: 8000 });
    assert.equal(r.throttled, 0);
    assert.equal(r.ms, 200);
    const blind = simulate({ capacity: 8000, perSec: 800, level: 8000, items: 4270, round: 2135 });
    assert.ok(blind.ms >= 700, `without the bucket: ${blind.ms} ms (500–600 items a round trip)`);
  });

  const told: Array<[string, Parameters<typeof simulate>[0], number]> = [
    // Told S: a round of 2,135 goes whole, the next waits for the refill and the usage header paces it.
    ['told S, bucket full, a 1,000-stack no-op plan', { capacity: 3500, perSec: 350, level: 3500, items: 4270, round: 2135, told: 3500 }, 215],
    ['told S, bucket full, 12,000 items', { capacity: 3500, perSec: 350, level: 3500, items: 12_000, told: 3500 }, 600],
    // What others drew the lane cannot see: its first burst (80 % of the bucket, 5,320 items) loses what the bucket
    // lacked to 429s — the price of a fleet's round in one round trip — then it paces as before.
    [
      'told L, bucket a third full (others drew the rest), 14,000 items',
      { capacity: 8000, perSec: 800, level: 2500, items: 14_000, told: 8000 },
      Math.round((0.8 * 8000) / ITEM_RU) - 2500 + 700,
    ],
  ];
  for (const [name, run, most] of told) {
    test(name, () => {
      const r = simulate(run);
      if (process.env.SIM_LOG) console.log(name, JSON.stringify(r));
      assert.ok(r.throttled <= most, `${r.throttled} 429s for ${run.items} items`);
      assert.ok(r.ms <= r.floorMs * 1.15 + 1500, `${r.ms} ms; the quota's floor is ${Math.round(r.floorMs)} ms`);
    });
  }

  test('a run the bucket holds goes out at once: one round trip for 450 items (a 200-stack plan’s round), no pacing', () => {
    const r = simulate({ capacity: 8000, perSec: 800, level: 8000, items: 450 });
    assert.equal(r.throttled, 0);
    assert.equal(r.ms, 100);
  });
});
