/**
 * Issue 15: Graph commits addPassword but the answer is lost (the connection is reset). The tool's add-password
 * reconcile (src/apply/secrets.ts, src/graph/retry.ts) must leave exactly one `tenantform:<name>` secret — the one
 * whose value the config holds — and converge (an empty plan, a second apply with zero Graph writes).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Application, PasswordCredential } from '@microsoft/microsoft-graph-types';
import { graphWrites } from '../../src/emulator/index.js';
import { apply, plan } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { daemonToken, engineOptions, readDotenv, settle } from '../helpers/engine.js';

describe('fault: addPassword committed, answer lost (connection reset)', () => {
  const emu = useEmulator();

  it('leaves exactly one tool-created secret, the config holds it, and the stack converges', async () => {
    const rule = emu.faults.add('POST:/applications/*/addPassword:nth=1:commit-then-reset');
    const opts = engineOptions(emu);
    const start = emu.requestLog.mark();
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.equal(emu.faults.fired(rule.id), 1, 'the fault fired on the first addPassword');
    // The request log tells the retry from a second write: one client-request-id, attempts 1 and 2.
    const adds = emu.requestLog.since(start).filter((e) => e.method === 'POST' && e.path.endsWith('/addPassword'));
    assert.deepEqual(
      adds.map((e) => e.attempt),
      [1, 2],
    );
    assert.equal(new Set(adds.map((e) => e.clientRequestId)).size, 1, JSON.stringify(adds));
    assert.ok(adds[0].clientRequestId);
    assert.equal(
      new Set(
        emu.requestLog
          .since(start)
          .filter((e) => e.service === 'graph' && !e.batch)
          .map((e) => e.runId),
      ).size,
      1,
      'one run id',
    );

    const env = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
    settle(emu);
    const app = (await graphClient(emu).api(`/applications(appId='${env.CLIENT_ID}')`).select('passwordCredentials').get()) as Application;
    const tool = (app.passwordCredentials ?? []).filter((p: PasswordCredential) => p.displayName?.startsWith('tenantform:'));
    assert.equal(tool.length, 1, `tool-created secrets: ${JSON.stringify(tool.map((p) => [p.displayName, p.keyId]))}`);
    assert.equal(tool[0].hint, env.CLIENT_SECRET.slice(0, 3), 'the secret left is the config’s');
    await daemonToken(emu, env);

    const p = await plan(opts);
    assert.ok(p.empty, JSON.stringify(p.plan.changes.map((c) => [c.action, c.id])));
    const mark = emu.requestLog.mark();
    const again = await apply(opts);
    assert.ok(again.ok);
    assert.deepEqual(
      graphWrites(emu.requestLog.since(mark)).map((w) => `${w.method} ${w.path}`),
      [],
    );
  });
});

/**
 * A rotation whose write commits but whose answer is lost, and whose follow-up read (the look-up that tells what
 * landed) fails once too: it still succeeds in one run, with one tool-created secret, the config's, and converges.
 */
const ROTATION_CASES = [
  {
    name: 'removePassword committed, answer lost, and the read that checks it reset: the check read is retried like every call',
    write: 'POST:/applications/*/removePassword:nth=1:commit-then-reset',
    // Its retry meets an unknown keyId (400); the read that tells "already gone" from a real 400 is reset.
    read: (id: string) => `GET:/applications/${id}:nth=1:reset`,
  },
  {
    name: 'addPassword committed, answer lost, and the look-up before the retry answered 503: asked again, not added blind',
    write: 'POST:/applications/*/addPassword:nth=1:commit-then-reset',
    read: (id: string) => `GET:/applications/${id}:nth=1:503:retry-after=0`,
  },
];

for (const c of ROTATION_CASES) {
  describe(`fault: ${c.name}`, () => {
    const emu = useEmulator();

    it('one run succeeds, one tool-created secret is left (the config holds it), and the stack converges', async () => {
      const opts = engineOptions(emu);
      const file = join(opts.cwd!, 'out/todolist-daemon.env');
      assert.ok((await apply(opts)).ok);
      settle(emu);
      const { id } = (await graphClient(emu)
        .api(`/applications(appId='${readDotenv(file).CLIENT_ID}')`)
        .select('id')
        .get()) as Application;
      emu.faults.add(c.write);
      const read = emu.faults.add(c.read(id!));
      const r = await apply({ ...opts, rotateSecrets: true });
      assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
      assert.equal(emu.faults.fired(read.id), 1, 'the read failed once');
      const env = readDotenv(file);
      settle(emu);
      const app = (await graphClient(emu).api(`/applications/${id}`).select('passwordCredentials').get()) as Application;
      const tool = (app.passwordCredentials ?? []).filter((p: PasswordCredential) => p.displayName?.startsWith('tenantform:'));
      assert.equal(tool.length, 1, `tool-created secrets: ${JSON.stringify(tool.map((p) => p.keyId))}`);
      assert.equal(tool[0].hint, env.CLIENT_SECRET.slice(0, 3));
      await daemonToken(emu, env);
      assert.ok((await plan(opts)).empty);
      const mark = emu.requestLog.mark();
      assert.ok((await apply(opts)).ok);
      assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
    });
  });
}
