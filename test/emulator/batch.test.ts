import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BatchRequestContent, BatchResponseContent, type Client } from '@microsoft/microsoft-graph-client';
import { graphWrites } from '../../src/emulator/index.js';
import { graphClient, graphToken, rawFetch, secretCredential, useEmulator } from '../helpers/emulator.js';
import { item, postBatch } from '../helpers/batch.js';

/** https://learn.microsoft.com/graph/json-batching, driven through the Graph SDK's batch helpers and raw fetch. */
describe('$batch', () => {
  let client: Client;
  let token: string;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
  });

  const step = (id: string, path: string, init?: RequestInit) => ({ id, request: new Request(`${emu.graphUrl}${path}`, init) });
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('runs parallel steps built by BatchRequestContent and answers each with a parseable body', async () => {
    const content = await new BatchRequestContent([step('1', '/organization'), step('2', '/organization?$select=id'), step('3', '/nothing/here')]).getContent();
    assert.deepEqual(
      content.requests.map((r) => r.url),
      ['/organization', '/organization?$select=id', '/nothing/here'],
    );
    const res = new BatchResponseContent(await client.api('/$batch').post(content));

    const one = res.getResponseById('1');
    assert.equal(one.status, 200);
    const org = (await one.json()) as { value: Array<{ id: string; displayName: string }> };
    assert.equal(org.value[0].id, emu.tenantId);
    assert.ok(org.value[0].displayName);

    // The query string travels with the item.
    const two = (await res.getResponseById('2').json()) as { value: Array<Record<string, unknown>> };
    assert.deepEqual(
      Object.keys(two.value[0]).filter((k) => !k.startsWith('@')),
      ['id'],
    );

    const three = res.getResponseById('3');
    assert.equal(three.status, 501);
    assert.equal(((await three.json()) as { error: { code: string } }).error.code, 'NotImplemented');
  });

  it('rejects a step whose url keeps the version, as real Graph does (msgraph-sdk-javascript#1178)', async () => {
    const content = await new BatchRequestContent([step('1', '/v1.0/organization'), step('2', '/beta/organization')]).getContent();
    // This is the SDK trap: an absolute URL with the version becomes a version-prefixed sub-URL.
    assert.equal(content.requests[0].url, '/v1.0/organization');
    const res = new BatchResponseContent(await client.api('/$batch').post(content));
    for (const [id, segment] of [
      ['1', 'v1.0'],
      ['2', 'beta'],
    ]) {
      const r = res.getResponseById(id);
      assert.equal(r.status, 400);
      const body = (await r.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'BadRequest');
      assert.equal(body.error.message, `Resource not found for the segment '${segment}'.`);
    }
  });

  it('answers 424 Failed Dependency to the dependents of a failed step, transitively', async () => {
    const batch = new BatchRequestContent([
      step('1', '/organization/00000000-0000-0000-0000-000000000000'),
      step('2', '/organization'),
      step('3', '/organization'),
    ]);
    batch.addDependency('2', '1');
    batch.addDependency('3', '2');
    const content = await batch.getContent();
    const raw = (await client.api('/$batch').post(content)) as { responses: Array<{ id: string; status: number; headers: Record<string, string> }> };
    assert.deepEqual(
      raw.responses.map((r) => [r.id, r.status]),
      [
        ['1', 404],
        ['2', 424],
        ['3', 424],
      ],
    );
    const res = new BatchResponseContent(raw);
    const dependent = (await res.getResponseById('2').json()) as { error: { code: string; innerError: Record<string, string> } };
    assert.equal(dependent.error.code, 'FailedDependency');
    assert.ok(dependent.error.innerError['request-id']);
    assert.match(raw.responses[1].headers['Content-Type'], /^application\/json/);
  });

  it('runs a dependency chain of writes in order; 204 items carry no body and no Content-Type', async () => {
    const created = (await client.api('/applications').post({ displayName: 'batch chain' })) as { id: string };
    const batch = new BatchRequestContent([
      step('patch', `/applications/${created.id}`, { ...json({ displayName: 'batch chain renamed' }), method: 'PATCH' }),
      step('read', `/applications/${created.id}?$select=displayName`),
    ]);
    batch.addDependency('read', 'patch');
    const raw = (await client.api('/$batch').post(await batch.getContent())) as { responses: Array<Record<string, unknown>> };
    const patch = raw.responses.find((r) => r.id === 'patch')!;
    assert.equal(patch.status, 204);
    assert.equal('body' in patch, false);
    assert.equal((patch.headers as Record<string, string>)['Content-Type'], undefined);
    const res = new BatchResponseContent(raw as never);
    assert.equal(res.getResponseById('patch').status, 204);
    const read = (await res.getResponseById('read').json()) as { displayName: string };
    assert.equal(read.displayName, 'batch chain renamed');
  });

  it('creates through a batch item: 201 with the new object as the item body', async () => {
    const content = await new BatchRequestContent([step('c', '/applications', json({ displayName: 'made in a batch' }))]).getContent();
    assert.equal((content.requests[0].headers as Record<string, string>)['content-type'], 'application/json');
    const res = new BatchResponseContent(await client.api('/$batch').post(content));
    const c = res.getResponseById('c');
    assert.equal(c.status, 201);
    const app = (await c.json()) as { id: string; appId: string; displayName: string };
    assert.equal(app.displayName, 'made in a batch');
    const again = (await client.api(`/applications/${app.id}`).get()) as { appId: string };
    assert.equal(again.appId, app.appId);
  });

  it('accepts relative urls with or without a leading slash, and keeps encoded query strings', async () => {
    const { status, body } = await postBatch(
      emu,
      {
        requests: [
          { id: 'a', method: 'GET', url: 'organization' },
          { id: 'b', method: 'get', url: `/organization?$filter=id eq '${emu.tenantId}'&$select=id` },
          { id: 'c', method: 'GET', url: `organization?$filter=id%20eq%20'00000000-0000-0000-0000-000000000000'` },
        ],
      },
      token,
    );
    assert.equal(status, 200);
    assert.equal(item(body.responses, 'a').status, 200);
    const b = item(body.responses, 'b');
    assert.equal(b.status, 200);
    assert.deepEqual((b.body as { value: Array<{ id: string }> }).value, [{ id: emu.tenantId }]);
    assert.deepEqual((item(body.responses, 'c').body as { value: unknown[] }).value, []);
  });

  it('does not nest: a $batch item answers 501 NotImplemented', async () => {
    const res = await postBatch(
      emu,
      { requests: [{ id: '1', method: 'POST', url: '/$batch', headers: { 'Content-Type': 'application/json' }, body: { requests: [] } }] },
      token,
    );
    assert.equal(res.status, 200);
    assert.equal(item(res.body.responses, '1').status, 501);
  });

  describe('envelope errors fail the whole batch with 400 and run nothing', () => {
    const get = (id: string) => ({ id, method: 'GET', url: '/organization' });

    it('more than 20 requests', async () => {
      const ok = await postBatch(emu, { requests: Array.from({ length: 20 }, (_, i) => get(String(i + 1))) }, token);
      assert.equal(ok.status, 200);
      assert.equal(ok.body.responses?.length, 20);

      const mark = emu.requestLog.mark();
      const tooMany = await postBatch(emu, { requests: Array.from({ length: 21 }, (_, i) => get(String(i + 1))) }, token);
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body.error?.code, 'BadRequest');
      assert.equal(tooMany.body.error?.message, 'Number of requests inside batch exceeds the limit.');
      assert.deepEqual(
        emu.requestLog.since(mark).filter((e) => e.batch),
        [],
      );
    });

    it('ids that are not unique, compared without case', async () => {
      const dup = await postBatch(emu, { requests: [get('a'), get('A')] }, token);
      assert.equal(dup.status, 400);
      assert.equal(dup.body.error?.message, 'Request Id A has to be unique in a batch.');
    });

    it('a write or a body without a Content-Type header in its item', async () => {
      const mark = emu.requestLog.mark();
      const res = await postBatch(emu, { requests: [{ id: '1', method: 'POST', url: '/applications', body: { displayName: 'never created' } }] }, token);
      assert.equal(res.status, 400);
      assert.equal(res.body.error?.message, "Write request with id '1' does not contain a Content-Type header.");
      assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);

      const bodyless = await postBatch(emu, { requests: [{ id: 'r', method: 'PATCH', url: '/applications/x' }] }, token);
      assert.equal(bodyless.status, 400);
    });

    it('malformed payloads and dependsOn that names no request or forms a cycle', async () => {
      for (const payload of [
        {},
        { requests: 'x' },
        { requests: [{ id: '1', method: 'GET' }] },
        { requests: [{ ...get('1'), dependsOn: ['nope'] }] },
        {
          requests: [
            { ...get('1'), dependsOn: ['2'] },
            { ...get('2'), dependsOn: ['1'] },
          ],
        },
        { requests: [{ ...get('1'), dependsOn: '2' }, get('2')] },
      ]) {
        const res = await postBatch(emu, payload, token);
        assert.equal(res.status, 400, JSON.stringify(payload));
        assert.equal(res.body.error?.code, 'BadRequest');
      }
    });

    it('a batch is fully parallel or fully sequential: independent items beside dependent ones answer 400 (json-batching tip)', async () => {
      // The doc's former example: 1 and 3 independent, 2 after 1, 4 after 2 and 3 (microsoft-graph-docs#16280).
      const mixed = await postBatch(
        emu,
        {
          requests: [get('1'), { ...get('2'), dependsOn: ['1'] }, get('3'), { ...get('4'), dependsOn: ['2', '3'] }],
        },
        token,
      );
      assert.deepEqual(
        [mixed.status, mixed.body.error?.code, mixed.body.error?.message],
        [400, 'BadRequest', 'Batch should be either fully sequential or fully parallel.'],
      );
      // The doc's current example: one chain 1 → 2 → 4 → 3, where 3 names a request listed before it but with a
      // higher id; a dependsOn naming a request later in the array is not refused either (batch.ts, UNCONFIRMED).
      for (const requests of [
        [get('1'), { ...get('2'), dependsOn: ['1'] }, { ...get('4'), dependsOn: ['2'] }, { ...get('3'), dependsOn: ['4'] }],
        [{ ...get('2'), dependsOn: ['1'] }, get('1')],
      ]) {
        const res = await postBatch(emu, { requests }, token);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(
          res.body.responses?.map((r) => r.status),
          requests.map(() => 200),
        );
      }
    });

    it('only POST is allowed on $batch, and the envelope needs a token', async () => {
      const getBatch = await rawFetch(emu, '/v1.0/$batch', { token });
      assert.equal(getBatch.status, 405);
      await getBatch.arrayBuffer();
      const anonymous = await rawFetch(emu, '/v1.0/$batch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"requests":[]}' });
      assert.equal(anonymous.status, 401);
      await anonymous.arrayBuffer();
    });
  });

  it("checks each item against the envelope caller's permissions", async () => {
    // A client with no app roles at all: its token is valid, but it may read nothing.
    const app = (await client.api('/applications').post({ displayName: 'no roles' })) as { id: string; appId: string };
    await client.api('/servicePrincipals').post({ appId: app.appId });
    const pw = (await client.api(`/applications/${app.id}/addPassword`).post({})) as { secretText: string };
    const weak = await graphToken(emu, secretCredential(emu, app.appId, pw.secretText));
    const res = await postBatch(
      emu,
      {
        requests: [
          { id: '1', method: 'GET', url: '/organization' },
          { id: '2', method: 'GET', url: '/applications' },
        ],
      },
      weak,
    );
    assert.equal(res.status, 200);
    for (const id of ['1', '2']) {
      const r = item(res.body.responses, id);
      assert.equal(r.status, 403);
      assert.equal(r.body?.error?.code, 'Authorization_RequestDenied');
    }
  });

  it('logs every executed item (batch: true, path without version) and counts items, not envelopes, as writes', async () => {
    const mark = emu.requestLog.mark();
    const res = await postBatch(
      emu,
      {
        requests: [
          { id: '1', method: 'GET', url: '/organization' },
          { id: '2', method: 'POST', url: '/applications', headers: { 'Content-Type': 'application/json' }, body: { displayName: 'logged' }, dependsOn: ['1'] },
          { id: '3', method: 'GET', url: '/organization/bad', dependsOn: ['1'] },
          { id: '4', method: 'GET', url: '/organization', dependsOn: ['3'] },
        ],
      },
      token,
    );
    assert.equal(res.status, 200);
    const entries = emu.requestLog.since(mark);
    const items = entries.filter((e) => e.batch);
    assert.deepEqual(items.map((e) => `${e.method} ${e.path} ${e.status}`).sort(), [
      'GET /organization 200',
      'GET /organization/bad 404',
      'POST /applications 201',
    ]);
    assert.deepEqual(items.find((e) => e.method === 'POST')?.bodyKeys, ['displayName']);
    const envelope = entries.at(-1)!;
    assert.equal(envelope.path, '/v1.0/$batch');
    assert.equal(envelope.status, 200);
    assert.equal(envelope.batch, undefined);
    assert.deepEqual(
      graphWrites(entries).map((e) => e.path),
      ['/applications'],
    );
  });
});

describe('$batch with throttling', () => {
  const emu = useEmulator({ throttleRate: 1 });

  it('throttles each item with its own 429 and Retry-After, keeps the envelope at 200, and the SDK does not retry items', async () => {
    const client = graphClient(emu);
    const batch = new BatchRequestContent([
      { id: '1', request: new Request(`${emu.graphUrl}/organization`) },
      { id: '2', request: new Request(`${emu.graphUrl}/organization`) },
    ]);
    batch.addDependency('2', '1');
    const mark = emu.requestLog.mark();
    const raw = (await client.api('/$batch').post(await batch.getContent())) as {
      responses: Array<{ id: string; status: number; headers: Record<string, string>; body: { error: { code: string; innerError: Record<string, string> } } }>;
    };
    const one = item(raw.responses as never, '1');
    assert.equal(one.status, 429);
    assert.equal(one.headers['Retry-After'], '0');
    assert.equal(one.body?.error?.code, 'TooManyRequests');
    assert.equal((one.body?.error as unknown as { innerError: Record<string, string> }).innerError.status, '429');
    assert.equal(item(raw.responses as never, '2').status, 424);
    // One envelope, one item: the RetryHandler looks only at the outer status.
    const entries = emu.requestLog.since(mark).filter((e) => e.service === 'graph');
    assert.deepEqual(
      entries.map((e) => `${e.batch ? 'item' : 'envelope'} ${e.status}`),
      ['item 429', 'envelope 200'],
    );
  });
});
