import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import { item, postBatch } from '../helpers/batch.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';

/**
 * Graph's identity and access service limits (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits)
 * as the emulator enforces them: resource units per application+tenant (S tenant: 3,500 per 10 s), each $batch item
 * judged alone, the scope and reason headers of a throttled answer, and conditional access's one request per second.
 */
describe('emulator: Graph quotas', () => {
  const emu = useEmulator();

  it('answers each request with the resource units it cost', async () => {
    const client: Client = graphClient(emu);
    const list = await client
      .api('/applications')
      .responseType('raw' as never)
      .get();
    assert.equal((list as Response).headers.get('x-ms-resource-unit'), '2'); // GET applications: base cost 2
    const selected = await client
      .api('/applications')
      .select('id')
      .responseType('raw' as never)
      .get();
    assert.equal((selected as Response).headers.get('x-ms-resource-unit'), '1'); // $select: −1
    const org = await client
      .api('/organization')
      .top(5)
      .responseType('raw' as never)
      .get();
    assert.equal((org as Response).headers.get('x-ms-resource-unit'), '1'); // never below 1
  });

  it('throttles the application+tenant pair past 3,500 resource units in 10 s, item by item in $batch', async () => {
    const token = await graphToken(emu);
    // GET subscribedSkus costs 3 RU: 20 per batch = 60 RU; the bucket refills 350 RU/s meanwhile.
    const payload = { requests: Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'GET', url: '/subscribedSkus' })) };
    let throttled: ReturnType<typeof item> | undefined;
    let warned = false;
    for (let n = 0; n < 200 && !throttled; n++) {
      const r = await postBatch(emu, payload, token);
      assert.equal(r.status, 200, 'the envelope itself is never throttled');
      warned ||= r.body.responses!.some((x) => x.status === 200 && Number(x.headers['x-ms-throttle-limit-percentage']) >= 0.8);
      throttled = r.body.responses!.find((x) => x.status === 429);
    }
    assert.ok(throttled, 'no item was throttled after 4,000 reads');
    assert.ok(warned, 'x-ms-throttle-limit-percentage came before the first 429');
    assert.equal(throttled.body?.error?.code, 'TooManyRequests');
    assert.match(throttled.headers['Retry-After'], /^\d+$/);
    const tenantId = emu.tenantId;
    assert.equal(throttled.headers['x-ms-throttle-scope'], `Tenant_Application/ReadWrite/${emu.adminClientId}/${tenantId}`);
    assert.equal(throttled.headers['x-ms-throttle-information'], 'ResourceUnitLimitExceeded');
    // Time refills the bucket: after the window, the same request passes.
    emu.clock.advance(10_000);
    const again = await rawFetch(emu, '/v1.0/subscribedSkus', { token });
    assert.equal(again.status, 200);
  });

  it('allows conditional access one request per second per tenant (a burst of ten), answered 429 without Retry-After', async () => {
    const token = await graphToken(emu);
    emu.clock.advance(20_000);
    const get = () => rawFetch(emu, '/v1.0/identity/conditionalAccess/policies', { token });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await get()).status);
    assert.ok(
      statuses.slice(0, 10).every((s) => s !== 429),
      statuses.join(','),
    );
    const over = await get();
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), null, 'the doc: no Retry-After on these 429s');
    assert.match(String(over.headers.get('x-ms-throttle-scope')), /^Tenant\/ReadWrite\//);
    emu.clock.advance(1000);
    assert.notEqual((await get()).status, 429, 'one more each second');
  });
});
