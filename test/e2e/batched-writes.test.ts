/**
 * Writes are sent as $batch envelopes (graph/coalesce.ts): fewer requests than writes, each item answered on its
 * own. Under injected 429s and replication lag the throttled items are retried alone and the stacks converge; a
 * failing item in the middle of an envelope fails only its own change, the rest of the envelope lands, and a
 * corrected re-run converges.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { graphWrites } from '../../src/emulator/index.js';
import { apply, isTenantformError } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, exampleFleet, settle } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';

describe('batched writes under throttling and replication lag', () => {
  const emu = useEmulator({ throttleRate: 0.15, retryAfterSeconds: 0, replicationLagMs: 300, seed: 7 });

  it('converges; throttled items are sent again on their own; far fewer requests than writes', async () => {
    const cwd = tempDir('tenantform-batch-');
    const opts = { ...engineOptions(emu, { cwd, manifests: exampleFleet(cwd, 4, 'batch') }) };
    const mark = emu.requestLog.mark();
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    const log = emu.requestLog.since(mark);
    const writes = graphWrites(log);
    const envelopes = log.filter((e) => e.path.endsWith('/$batch'));
    const throttledItems = log.filter((e) => e.batch && e.status === 429 && e.method !== 'GET');
    assert.ok(throttledItems.length > 0, 'the seed throttles some write items');
    assert.ok(r.graphRequests < writes.length / 2, `${r.graphRequests} requests for ${writes.length} writes`);
    assert.ok(envelopes.length > 0);
    await assertConverged(emu, opts);
  });
});

describe('a failing item in the middle of an envelope', () => {
  const emu = useEmulator();

  it('fails only its own change; the rest of its wave lands; the corrected re-run converges', async () => {
    const cwd = tempDir('tenantform-batch-');
    // Stack 1 claims an identifier URI that an application made by hand takes. (Two manifests claiming one URI are
    // refused offline by validation.)
    const shared = `api://${emu.tenantId}/shared-todo`;
    const manifests = exampleFleet(cwd, 3, 'batch', (y, i) => (i === 1 ? y.replace('      - api://{appId}', `      - ${shared}`) : y));
    const opts = engineOptions(emu, { cwd, manifests });

    // Held before the plan: refused at plan time, naming the holder, before any write.
    const holder = (await graphClient(emu)
      .api('/applications')
      .post({ displayName: 'made by hand', identifierUris: [shared] })) as { id: string };
    settle(emu);
    const before = emu.requestLog.mark();
    await assert.rejects(apply(opts), (e) => isTenantformError(e) && e.code === 'CONFLICT' && /is already used by "made by hand"/.test(e.message));
    assert.deepEqual(graphWrites(emu.requestLog.since(before)), []);
    // Deleted and purged: a soft-deleted application keeps its identifier URIs reserved until it is purged.
    await graphClient(emu).api(`/applications/${holder.id}`).delete();
    settle(emu);
    await graphClient(emu).api(`/directory/deletedItems/${holder.id}`).delete();
    settle(emu);

    // Taken between the plan and the writes (another admin, another pipeline): Graph refuses that one write.
    const mark = emu.requestLog.mark();
    // Graph answers the duplicate with the code of a not-yet-replicated uniqueName (400 Request_BadRequest), which
    // the retry table waits out until the deadline; a short one keeps the test fast.
    const r = await apply({
      ...opts,
      timeoutMs: 3000,
      confirm: async () => {
        await graphClient(emu)
          .api('/applications')
          .post({ displayName: 'made by hand meanwhile', identifierUris: [shared] });
        return true;
      },
    });
    assert.equal(r.ok, false);
    const failed = r.results.filter((x) => x.status === 'failed');
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.match(failed[0].error!.message, /identifierUris/);
    const wave = r.plan.changes.find((c) => c.id === failed[0].id)!.wave;
    const sameWave = r.plan.changes.filter((c) => c.wave === wave && c.id !== failed[0].id);
    assert.ok(sameWave.length > 1);
    assert.deepEqual(
      sameWave.map((c) => r.results.find((x) => x.id === c.id)!.status),
      sameWave.map(() => 'done'),
    );
    const refused = emu.requestLog.since(mark).find((e) => e.batch && e.status === 400);
    assert.ok(refused, 'the refused write was an item of a $batch');

    for (const [i, file] of manifests.entries()) writeFileSync(file, readFileSync(file, 'utf8').replace(shared, `api://${emu.tenantId}/todo-${i}`));
    const again = await apply(opts);
    assert.ok(again.ok, JSON.stringify(again.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
  });
});
