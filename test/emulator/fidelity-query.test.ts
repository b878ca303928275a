import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import { item, postBatch } from '../helpers/batch.js';
import { expectGraphError } from '../helpers/directory.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';

/**
 * Fidelity audit (docs/emulator-fidelity.md, "Query options"): a query option the emulator does not model is
 * refused out loud — 501 NotImplemented — instead of being ignored, and the $filter operators Graph serves
 * only as advanced queries need ConsistencyLevel + $count, as in Graph
 * (https://learn.microsoft.com/graph/aad-advanced-queries).
 */
describe('fidelity: OData query options', () => {
  let client: Client;
  let token: string;
  let appId: string;
  let objectId: string;

  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
    const app = (await client.api('/applications').post({ displayName: 'query-audit', signInAudience: 'AzureADMyOrg', tags: ['audit'] })) as {
      id: string;
      appId: string;
    };
    objectId = app.id;
    appId = app.appId;
  });

  const get = (path: string, headers: Record<string, string> = {}) => rawFetch(emu, `/v1.0${path}`, { token, headers });
  async function expectStatus(path: string, status: number, code: string, headers: Record<string, string> = {}): Promise<string> {
    const res = await get(path, headers);
    const body = (await res.json()) as { error?: { code: string; message: string } };
    assert.equal(res.status, status, `${path}: ${JSON.stringify(body)}`);
    assert.equal(body.error?.code, code, path);
    return body.error!.message;
  }

  it('$skip, $format and $apply, and $expand/$orderby/$search where they are not modelled, answer 501 NotImplemented (through the SDK too)', async () => {
    // $expand, $orderby and $search on applications, service principals and users: graph-read-shapes / advanced-queries tests.
    await expectGraphError(client.api('/users').expand('manager').get(), 501, 'NotImplemented');
    await expectGraphError(client.api('/oauth2PermissionGrants').orderby('clientId').get(), 501, 'NotImplemented');
    for (const q of ['$skip=1', '$format=json', '$apply=groupby((displayName))']) {
      const message = await expectStatus(`/applications?${q}`, 501, 'NotImplemented', { ConsistencyLevel: 'eventual' });
      assert.match(message, /query option '\$[a-z]+' on GET \/applications/);
    }
    const message = await expectStatus(`/applications/${objectId}/owners?$search="displayName:x"`, 501, 'NotImplemented', { ConsistencyLevel: 'eventual' });
    assert.match(message, /query option '\$search' on GET \/applications\/:app\/owners/);
  });

  it('list-only options on a single entity, and any option on a write, answer 501', async () => {
    await expectStatus(`/applications/${objectId}?$top=1`, 501, 'NotImplemented');
    await expectStatus(`/applications(appId='${appId}')?$filter=tags/any(t:t eq 'audit')`, 501, 'NotImplemented');
    const res = await rawFetch(emu, `/v1.0/applications/${objectId}?$select=id`, {
      method: 'PATCH',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ notes: 'x' }),
    });
    assert.equal(res.status, 501);
  });

  it('option names compare exactly: a dollar-less or upper-case system option is 501, an unknown $option 400', async () => {
    await expectStatus('/applications?select=id', 501, 'NotImplemented');
    await expectStatus('/applications?$SELECT=id', 501, 'NotImplemented');
    const message = await expectStatus('/applications?$bogus=1', 400, 'BadRequest');
    assert.equal(message, "The query parameter '$bogus' is not supported.");
  });

  it('custom (non-$) parameters are ignored, as OData specifies; the modelled options still work', async () => {
    const res = await get(`/applications?$filter=appId eq '${appId}'&$select=id,appId&$top=5&api-version=1.6`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { value: Array<Record<string, unknown>> };
    assert.deepEqual(body.value, [{ id: objectId, appId }]);
  });

  it('ne and not need ConsistencyLevel: eventual and $count=true (400 Request_UnsupportedQuery otherwise)', async () => {
    for (const filter of [`appId ne '${appId}'`, `not(displayName eq 'x')`]) {
      const message = await expectStatus(`/applications?$filter=${encodeURIComponent(filter)}`, 400, 'Request_UnsupportedQuery');
      assert.match(message, /NotEqualsMatch/);
      const ok = await get(`/applications?$filter=${encodeURIComponent(filter)}&$count=true`, { ConsistencyLevel: 'eventual' });
      assert.equal(ok.status, 200, filter);
    }
  });

  it('$filter operators and functions the emulator does not model answer 501, not a guessed 400', async () => {
    for (const filter of [`displayName ge 'a'`, `tags/all(t:t eq 'audit')`, `identifierUris/$count eq 0`]) {
      await expectStatus(`/applications?$filter=${encodeURIComponent(filter)}`, 501, 'NotImplemented');
    }
  });

  it('advanced queries (aad-advanced-queries): in works like eq; endsWith and /$count need ConsistencyLevel; $count=true alone is ignored', async () => {
    const names = async (path: string, headers: Record<string, string> = {}) => {
      const res = await get(path, headers);
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { value: Array<{ displayName: string }>; '@odata.count'?: number };
      return { names: body.value.map((a) => a.displayName).sort(), count: body['@odata.count'] };
    };
    for (const displayName of ['q-alpha', 'q-beta-audit', 'q-gamma']) await client.api('/applications').post({ displayName });
    emu.clock.advance(60_000);
    const inFilter = encodeURIComponent(`displayName in ('q-alpha','q-beta-audit')`);
    assert.deepEqual((await names(`/applications?$filter=${inFilter}`)).names, ['q-alpha', 'q-beta-audit']);

    const ends = encodeURIComponent(`endswith(displayName,'-audit')`);
    await expectStatus(`/applications?$filter=${ends}`, 400, 'Request_UnsupportedQuery');
    const advanced = await names(`/applications?$filter=${ends}&$count=true`, { ConsistencyLevel: 'eventual' });
    assert.deepEqual(advanced, { names: ['q-beta-audit', 'query-audit'], count: 2 });

    // $count=true without the header: ignored (200, no count), not an error.
    assert.equal((await names(`/applications?$filter=${inFilter}&$count=true`)).count, undefined);

    const counted = await get(`/applications/$count?$filter=${inFilter}`, { ConsistencyLevel: 'eventual' });
    assert.equal(counted.status, 200);
    assert.match(String(counted.headers.get('content-type')), /^text\/plain/);
    assert.equal(await counted.text(), '2');
    await expectStatus('/applications/$count', 400, 'Request_BadRequest');
  });

  it('deletedItems lists keep $orderby (documented there)', async () => {
    const res = await get('/directory/deletedItems/microsoft.graph.application?$orderby=deletedDateTime desc');
    assert.equal(res.status, 200);
  });

  it("inside $batch an unmodelled option is the item's 501, the envelope stays 200", async () => {
    const out = await postBatch(emu, { requests: [{ id: '1', method: 'GET', url: '/applications?$skip=1' }] }, token);
    assert.equal(out.status, 200);
    const r = item(out.body.responses, '1');
    assert.equal(r.status, 501);
    assert.equal(r.body?.error?.code, 'NotImplemented');
  });
});
