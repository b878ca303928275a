/**
 * The one wait loop (graph/retry.ts waitUntil) and its users withRetry and batchRequests, offline: which
 * delays come from the BACKOFF table, when Retry-After replaces them, and what happens at the deadline.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TenantformError } from '../../src/errors.js';
import { batchRequests, sendEnvelope } from '../../src/graph/batch.js';
import { BACKOFF, backoffMs, lastFailedAttempt, waitUntil, withRetry } from '../../src/graph/retry.js';
import type { GraphResponse, GraphTransport } from '../../src/graph/transport.js';

const FAR = Date.now() + 3_600_000;
const recorder = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
};
const res = (status: number, headers: Record<string, string> = {}, code = ''): GraphResponse => ({
  status,
  headers,
  body: code ? { error: { code, message: code } } : {},
});

describe('backoff table', () => {
  test('each kind doubles from its first delay up to its cap', () => {
    assert.deepEqual(
      [0, 1, 2, 5, 6].map((n) => backoffMs('graph', n)),
      [250, 500, 1000, 8000, 8000],
    );
    assert.deepEqual(
      [0, 1, 4, 5].map((n) => backoffMs('entitlements-read-back', n)),
      [200, 400, 3200, 4000],
    );
    assert.deepEqual(
      [0, 4, 5].map((n) => backoffMs('certificates-read-back', n)),
      [250, 4000, 4000],
    );
    assert.equal(backoffMs('batch', 8), 250 * 2 ** 8);
    assert.equal(BACKOFF.batch.maxMs, Infinity);
  });
});

describe('waitUntil', () => {
  test('waits the backoff, or the answer’s own wait, until done; reports waits that are not quiet', async () => {
    const { waits, sleep } = recorder();
    const seen: string[] = [];
    const steps = [{ why: 'a' }, { why: 'b', waitMs: 0 }, { why: 'c', quiet: true }];
    const out = await waitUntil<string>('graph', async (n) => (n < steps.length ? { again: { ...steps[n], pastDeadline: () => 'late' } } : { done: 'ok' }), {
      deadline: FAR,
      sleep,
      onWait: (w) => seen.push(`${w.why}@${w.attempt}:${w.waitMs}`),
    });
    assert.equal(out, 'ok');
    assert.deepEqual(waits, [250, 0, 1000]);
    assert.deepEqual(seen, ['a@1:250', 'b@2:0']);
  });
  test('gives up instead of waiting past the deadline, unless told to wait anyway', async () => {
    const { waits, sleep } = recorder();
    const soon = Date.now() + 100;
    assert.equal(await waitUntil<string>('graph', async () => ({ again: { why: 'x', pastDeadline: () => 'gave up' } }), { deadline: soon, sleep }), 'gave up');
    assert.deepEqual(waits, []);
    const out = await waitUntil<string>('graph', async (n) => (n < 2 ? { again: { why: 'net', pastDeadline: 'wait anyway' } } : { done: 'ok' }), {
      deadline: soon,
      sleep,
    });
    assert.equal(out, 'ok');
    assert.deepEqual(waits, [250, 500]);
  });
});

describe('withRetry', () => {
  test('honours Retry-After for throttling (0 included), backs off otherwise, never retries what the table does not list', async () => {
    const { waits, sleep } = recorder();
    const answers = [res(429, { 'retry-after': '2' }), res(503, { 'retry-after': '0' }), res(502), res(429), res(404, {}, 'Request_ResourceNotFound')];
    const last = await withRetry('read', async () => answers.shift()!, { deadline: FAR, sleep });
    assert.equal(last.status, 404); // a 404 on a read is an answer
    assert.deepEqual(waits, [2000, 0, 1000, 2000]);
  });
  test('a retried create re-reads by identity first; network failures are bounded by attempts', async () => {
    const { waits, sleep } = recorder();
    let reconciled = 0;
    const answers = [res(400, {}, 'Request_BadRequest')];
    const out = await withRetry('create-assignment', async () => answers.shift() ?? res(201), {
      deadline: FAR,
      sleep,
      reconcile: async () => (++reconciled, undefined),
    });
    assert.equal(out.status, 201);
    assert.equal(reconciled, 1);
    assert.deepEqual(waits, [250]);
    await assert.rejects(
      withRetry('read', async () => Promise.reject(new Error('ECONNRESET')), { deadline: Date.now(), sleep }),
      /Could not reach Microsoft Graph: ECONNRESET/,
    );
    assert.deepEqual(waits.slice(1), [250, 500, 1000, 2000]);
  });
  test('past the deadline: TIMEOUT naming the rule and the attempts', async () => {
    await assert.rejects(
      withRetry('write', async () => res(409, {}, 'Directory_ConcurrencyViolation'), { deadline: Date.now() + 600, sleep: async () => {} }),
      (e: Error) => /concurrent change.*after 3 attempts/.test(e.message),
    );
  });
});

describe('batchRequests', () => {
  const envelope = (items: Array<{ id: string; status: number; headers?: Record<string, string> }>): GraphResponse => ({
    status: 200,
    headers: {},
    body: { responses: items },
  });
  test('resends throttled items after the longest wait (missing Retry-After = 1 s), and leaves them at the deadline', async () => {
    const { waits, sleep } = recorder();
    const sent: string[][] = [];
    const rounds = [
      [
        { id: '0', status: 200 },
        { id: '1', status: 429 },
        { id: '2', status: 503, headers: { 'Retry-After': '3' } },
      ],
      [
        { id: '1', status: 429, headers: { 'Retry-After': '0' } },
        { id: '2', status: 200 },
      ],
      [{ id: '1', status: 200 }],
    ];
    const transport = {
      send: async (spec: { body?: unknown }) => (
        sent.push((spec.body as { requests: Array<{ id: string }> }).requests.map((r) => r.id)),
        envelope(rounds.shift()!)
      ),
    } as unknown as GraphTransport;
    const out = await batchRequests(
      transport,
      [0, 1, 2].map((i) => ({ method: 'GET' as const, path: `/x/${i}` })),
      { deadline: FAR, sleep },
    );
    assert.deepEqual(
      out.map((r) => r.status),
      [200, 200, 200],
    );
    assert.deepEqual(sent, [['0', '1', '2'], ['1', '2'], ['1']]);
    assert.deepEqual(waits, [3000, 500]); // round 1: Retry-After 0 means the batch backoff (250·2¹)
    const stuck = { send: async () => envelope([{ id: '0', status: 429, headers: { 'retry-after': '5' } }]) } as unknown as GraphTransport;
    assert.equal((await batchRequests(stuck, [{ method: 'GET', path: '/y' }], { deadline: Date.now() + 1000, sleep }))[0].status, 429);
  });
  test('a throttled envelope is sent again, then TIMEOUT at the deadline', async () => {
    const { waits, sleep } = recorder();
    const answers = [res(429), res(503, { 'retry-after': '1' }), envelope([{ id: '0', status: 200 }])];
    const transport = { send: async () => answers.shift()! } as unknown as GraphTransport;
    assert.equal((await batchRequests(transport, [{ method: 'GET', path: '/z' }], { deadline: FAR, sleep }))[0].status, 200);
    assert.deepEqual(waits, [250, 1000]);
    const always = { send: async () => res(429, { 'retry-after': '60' }) } as unknown as GraphTransport;
    await assert.rejects(batchRequests(always, [{ method: 'GET', path: '/z' }], { deadline: Date.now() + 1000, sleep }), /kept throttling the \$batch/);
  });
  test('an envelope of reads is sent again after a 5xx, a 409 concurrency answer or a reset; one holding writes never', async () => {
    const { sleep } = recorder();
    const reset = () => new TenantformError('NETWORK_ERROR', 'reset', { cause: 'reset' });
    const reads: Array<GraphResponse | Error> = [res(500), res(409, {}, 'Directory_ConcurrencyViolation'), reset(), envelope([{ id: '0', status: 200 }])];
    let sentReads = 0;
    const readTransport = {
      send: async () => {
        sentReads++;
        const next = reads.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
    } as unknown as GraphTransport;
    assert.equal((await batchRequests(readTransport, [{ method: 'GET', path: '/r' }], { deadline: FAR, sleep }))[0].status, 200);
    assert.equal(sentReads, 4);

    // Writes: after a 503 or 500 some items may have run, so the envelope's answer becomes each item's, for its own
    // caller's retry table (which re-reads creates first); a lost connection is thrown to them.
    let sentWrites = 0;
    const writeTransport = { send: async () => (sentWrites++, res(503, { 'retry-after': '0' })) } as unknown as GraphTransport;
    const items = await sendEnvelope(writeTransport, [{ id: '0', spec: { method: 'POST', path: '/applications', body: {} } }], { deadline: FAR, sleep });
    assert.deepEqual(
      items.map(([i, r]) => [i, r.status]),
      [[0, 503]],
    );
    assert.equal(sentWrites, 1, 'not sent again');
    const lost = { send: async () => Promise.reject(reset()) } as unknown as GraphTransport;
    await assert.rejects(sendEnvelope(lost, [{ id: '0', spec: { method: 'POST', path: '/x', body: {} } }], { deadline: FAR, sleep }), /reset/);
  });
  test('a reset or a timeout gets 8 attempts, a refused connection 5', () => {
    assert.equal(lastFailedAttempt(new TenantformError('NETWORK_ERROR', 'x', { cause: 'reset' })), 7);
    assert.equal(lastFailedAttempt(new TenantformError('NETWORK_ERROR', 'x', { cause: 'timeout' })), 7);
    assert.equal(lastFailedAttempt(new TenantformError('NETWORK_ERROR', 'x', { cause: 'refused' })), 4);
    assert.equal(lastFailedAttempt(new Error('fetch failed')), 4);
  });
});
