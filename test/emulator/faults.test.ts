import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GraphError, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { seededRandom } from '../../src/emulator/faults.js';
import { graphClient, graphToken, rawFetch, secretCredential, startEmulator, useEmulator } from '../helpers/emulator.js';
import { tempDir } from '../helpers/temp.js';

/** Start an emulator for one test and always close it. */
async function withEmulator<T>(options: EmulatorOptions, fn: (emu: Emulator) => Promise<T>): Promise<T> {
  const emu = await startEmulator(options);
  try {
    return await fn(emu);
  } finally {
    await emu.close();
  }
}

/** Status codes of `n` sequential raw GET /organization requests. */
async function statuses(emu: Emulator, n: number): Promise<number[]> {
  const token = await graphToken(emu);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await rawFetch(emu, '/v1.0/organization', { token });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('fault injection: 429 throttling', () => {
  it('throttles a deterministic fraction of Graph requests: same seed, same throttled requests', async () => {
    // The emulator draws one number per Graph request, in arrival order, from the seeded PRNG.
    const predicted = (seed: number, n: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: n }, () => (random() < 0.5 ? 429 : 200));
    };
    const a = await withEmulator({ throttleRate: 0.5, seed: 42, retryAfterSeconds: 0 }, (emu) => statuses(emu, 16));
    const b = await withEmulator({ throttleRate: 0.5, seed: 43, retryAfterSeconds: 0 }, (emu) => statuses(emu, 16));
    assert.deepEqual(a, predicted(42, 16));
    assert.deepEqual(b, predicted(43, 16));
    assert.deepEqual([...new Set(a)].sort(), [200, 429], `expected a mix, got ${a.join(',')}`);
    assert.notDeepEqual(a, b);
  });

  it("answers Graph's 429 shape with an integer Retry-After (reference/graph-api.md §4.3)", async () => {
    await withEmulator({ throttleRate: 1, retryAfterSeconds: 3 }, async (emu) => {
      const res = await rawFetch(emu, '/v1.0/organization', { token: await graphToken(emu), headers: { 'client-request-id': 'crid-1' } });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '3');
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await res.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
      assert.equal(body.error.code, 'TooManyRequests');
      assert.equal(body.error.message, 'Please retry again later.');
      assert.equal(body.error.innerError.code, '429');
      assert.equal(body.error.innerError.status, '429');
      assert.equal(body.error.innerError.message, 'Please retry after');
      assert.equal(body.error.innerError['client-request-id'], 'crid-1');
      assert.ok(body.error.innerError['request-id']);
      assert.ok(body.error.innerError.date);
    });
  });

  it("never throttles the token endpoint; the Graph SDK's RetryHandler honours Retry-After and gives up after its bounded retries", async () => {
    await withEmulator({ throttleRate: 1, retryAfterSeconds: 0 }, async (emu) => {
      // Injected 429s are a Graph fault only: the token requests of this test all succeed.
      const t = await secretCredential(emu).getToken('https://graph.microsoft.com/.default');
      assert.ok(t?.token);
      assert.ok(emu.requestLog.entries.every((e) => e.service === 'login' && e.status === 200));

      const client = graphClient(emu);
      const mark = emu.requestLog.mark();
      await assert.rejects(
        client
          .api('/organization')
          .middlewareOptions([new RetryHandlerOptions(0, 1)])
          .get(),
        (e: unknown) => {
          assert.ok(e instanceof GraphError);
          assert.equal(e.statusCode, 429);
          assert.equal(e.code, 'TooManyRequests');
          return true;
        },
      );
      const entries = emu.requestLog.since(mark);
      assert.deepEqual(
        entries.filter((e) => e.service === 'graph').map((e) => e.status),
        [429, 429],
      );
      assert.ok(entries.filter((e) => e.service === 'login').every((e) => e.status === 200));
    });
  });

  it('a partly throttled tenant still converges through the SDK retries', async () => {
    await withEmulator({ throttleRate: 0.3, seed: 5, retryAfterSeconds: 0 }, async (emu) => {
      const client = graphClient(emu);
      for (let i = 0; i < 8; i++) {
        const org = (await client.api('/organization').get()) as { value: Array<{ id: string }> };
        assert.equal(org.value[0].id, emu.tenantId);
      }
      const graph = emu.requestLog.entries.filter((e) => e.service === 'graph');
      assert.ok(
        graph.some((e) => e.status === 429),
        'seed 5 at 30% throttles at least one request',
      );
      assert.equal(graph.filter((e) => e.status === 200).length, 8);
    });
  });
});

describe('fault injection: latency', () => {
  it('delays every request by latencyMs', async () => {
    await withEmulator({ latencyMs: 120 }, async (emu) => {
      const token = await graphToken(emu);
      const t0 = performance.now();
      const res = await rawFetch(emu, '/v1.0/organization', { token });
      await res.arrayBuffer();
      assert.ok(performance.now() - t0 >= 115, 'request took at least the configured latency');
      assert.ok(emu.requestLog.entries.every((e) => e.durationMs >= 115));
    });
  });
});

describe('fault injection: replication lag', () => {
  const emu = useEmulator({ replicationLagMs: 300 });

  it('hides a new application from reads until the lag has passed (404 Request_ResourceNotFound), then shows it', async () => {
    const client = graphClient(emu);
    const app = (await client.api('/applications').post({ displayName: 'lagging' })) as { id: string };
    await assert.rejects(client.api(`/applications/${app.id}`).get(), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, 'Request_ResourceNotFound');
      return true;
    });
    emu.clock.advance(300);
    const read = (await client.api(`/applications/${app.id}`).get()) as { displayName: string };
    assert.equal(read.displayName, 'lagging');
  });

  it('serves the previous value of an updated object until the lag has passed (stale read)', async () => {
    const client = graphClient(emu);
    const app = (await client.api('/applications').post({ displayName: 'before' })) as { id: string };
    emu.clock.advance(300);
    await client.api(`/applications/${app.id}`).patch({ displayName: 'after' });
    assert.equal(((await client.api(`/applications/${app.id}`).get()) as { displayName: string }).displayName, 'before');
    emu.clock.advance(300);
    assert.equal(((await client.api(`/applications/${app.id}`).get()) as { displayName: string }).displayName, 'after');
  });
});

describe('fault options from the environment', () => {
  const dir = tempDir('tenantform-faults-');

  it('reads every TENANTFORM_EMULATOR_* variable from createEmulator({ env })', async () => {
    const log = join(dir, 'env.log');
    const env = {
      TENANTFORM_EMULATOR_LATENCY_MS: '5',
      TENANTFORM_EMULATOR_THROTTLE_RATE: '0.25',
      TENANTFORM_EMULATOR_REPLICATION_LAG_MS: '300',
      TENANTFORM_EMULATOR_SEED: '7',
      TENANTFORM_EMULATOR_RETRY_AFTER: '2',
      TENANTFORM_EMULATOR_LOG: log,
    };
    // retryAfterSeconds: undefined lifts startEmulator's test default (0), so the variable decides.
    await withEmulator({ env, retryAfterSeconds: undefined }, async (emu) => {
      assert.deepEqual(emu.faults.options, { latencyMs: 5, throttleRate: 0.25, replicationLagMs: 300, seed: 7, retryAfterSeconds: 2 });
      const res = await rawFetch(emu, '/v1.0/organization');
      await res.arrayBuffer();
    });
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0]) as { path: string }).path, '/v1.0/organization');
  });

  it('explicit options win over the environment, and bad values are refused', async () => {
    await withEmulator({ throttleRate: 0, seed: 9, env: { TENANTFORM_EMULATOR_THROTTLE_RATE: '1', TENANTFORM_EMULATOR_SEED: '7' } }, async (emu) => {
      assert.equal(emu.faults.options.throttleRate, 0);
      assert.equal(emu.faults.options.seed, 9);
    });
    await assert.rejects(startEmulator({ env: { TENANTFORM_EMULATOR_THROTTLE_RATE: '2' } }), /throttleRate must be between 0 and 1/);
    await assert.rejects(startEmulator({ env: { TENANTFORM_EMULATOR_LATENCY_MS: 'slow' } }), /latencyMs must be a non-negative number/);
  });
});
