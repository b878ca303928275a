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

describe('fault: removePassword committed, answer lost, and the read that checks it reset', () => {
  const emu = useEmulator();

  it('the rotation still succeeds in one run (the check read is retried like every call) and converges', async () => {
    const opts = engineOptions(emu);
    assert.ok((await apply(opts)).ok);
    settle(emu);
    // The removal is applied but its answer lost; its retry meets an unknown keyId (400), and the read of the
    // application that tells "already gone" from a real 400 has its connection reset once.
    const { CLIENT_ID } = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
    const { id } = (await graphClient(emu).api(`/applications(appId='${CLIENT_ID}')`).select('id').get()) as Application;
    emu.faults.add('POST:/applications/*/removePassword:nth=1:commit-then-reset');
    const read = emu.faults.add(`GET:/applications/${id}:nth=1:reset`);
    const r = await apply({ ...opts, rotateSecrets: true });
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.equal(emu.faults.fired(read.id), 1, 'the check read was reset');
    const env = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
    settle(emu);
    const app = (await graphClient(emu).api(`/applications(appId='${env.CLIENT_ID}')`).select('passwordCredentials').get()) as Application;
    const tool = (app.passwordCredentials ?? []).filter((p: PasswordCredential) => p.displayName?.startsWith('tenantform:'));
    assert.equal(tool.length, 1, JSON.stringify(tool.map((p) => p.keyId)));
    assert.equal(tool[0].hint, env.CLIENT_SECRET.slice(0, 3));
    assert.ok((await plan(opts)).empty);
    const mark = emu.requestLog.mark();
    assert.ok((await apply(opts)).ok);
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
  });
});

describe('fault: addPassword committed, answer lost, and the look-up before the retry answered 503', () => {
  const emu = useEmulator();

  it('the look-up is asked again rather than the secret added blind: one tool-created secret, converged', async () => {
    const opts = engineOptions(emu);
    assert.ok((await apply(opts)).ok);
    settle(emu);
    const { CLIENT_ID } = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
    const { id } = (await graphClient(emu).api(`/applications(appId='${CLIENT_ID}')`).select('id').get()) as Application;
    emu.faults.add('POST:/applications/*/addPassword:nth=1:commit-then-reset');
    const lookUp = emu.faults.add(`GET:/applications/${id}:nth=1:503:retry-after=0`);
    const r = await apply({ ...opts, rotateSecrets: true });
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.equal(emu.faults.fired(lookUp.id), 1, 'the look-up answered 503 once');
    const env = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
    settle(emu);
    const app = (await graphClient(emu).api(`/applications/${id}`).select('passwordCredentials').get()) as Application;
    const tool = (app.passwordCredentials ?? []).filter((p: PasswordCredential) => p.displayName?.startsWith('tenantform:'));
    assert.equal(tool.length, 1, `an orphaned secret: ${JSON.stringify(tool.map((p) => p.keyId))}`);
    assert.equal(tool[0].hint, env.CLIENT_SECRET.slice(0, 3));
    await daemonToken(emu, env);
    assert.ok((await plan(opts)).empty);
    const mark = emu.requestLog.mark();
    assert.ok((await apply(opts)).ok);
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
  });
});
