/**
 * A text answer inside a $batch: `GET /users/$count` (https://learn.microsoft.com/graph/api/user-list, "Get only a
 * count of users") answers the bare number as text/plain; as a batch item its body is that text as a JSON string
 * (OData's JSON batch format for a textual media type; Graph's own encoding is UNCONFIRMED). The throttle gate reads
 * it for the tenant's size (src/graph/gate.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useEmulator } from '../helpers/emulator.js';
import { item, postBatch } from '../helpers/batch.js';

describe('$batch: a text/plain item', () => {
  const emu = useEmulator();

  it('/users/$count with ConsistencyLevel: the count as a string, text/plain; without it, 400 as alone', async () => {
    const before = emu.tenant.users.list().length;
    emu.addUser({ userPrincipalName: 'counted@tenantformlocal.onmicrosoft.com', password: 'Pw-counted-not-secret!' });
    const res = await postBatch(emu, {
      requests: [
        { id: '1', method: 'GET', url: '/users/$count', headers: { ConsistencyLevel: 'eventual' } },
        { id: '2', method: 'GET', url: '/users/$count' },
      ],
    });
    assert.equal(res.status, 200);
    const counted = item(res.body.responses, '1');
    assert.equal(counted.status, 200);
    assert.equal(counted.body as unknown, String(before + 1));
    assert.match(counted.headers['Content-Type'], /^text\/plain/);
    const refused = item(res.body.responses, '2');
    assert.equal(refused.status, 400);
    assert.equal(refused.body?.error?.message, '$count is not currently supported.');
  });
});
