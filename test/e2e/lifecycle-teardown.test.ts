import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { apply, destroy, isTenantformError, plan, planDestroy, type CommonOptions } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { assertConverged, daemonToken, engineOptions, readDotenv, settle } from '../helpers/engine.js';
import { appByUniqueName, assertValidPlan, deletedOfStack, writesDuring } from '../helpers/teardown.js';

const STACK = 'todolist-daemon';
const API = `${STACK}--api`;
const DAEMON = `${STACK}--daemon`;

/** The full lifecycle: apply → destroy → apply again with the same names (after a restore, or a purge). */
describe('lifecycle: apply, destroy, and apply again with the same names', () => {
  let opts: CommonOptions;
  let firstAppIds: string[];
  const cacheFile = () => join(opts.cwd!, '.tenantform/secrets', `${emu.tenantId}.json`);
  const cachedStacks = () =>
    existsSync(cacheFile())
      ? Object.keys((JSON.parse(readFileSync(cacheFile(), 'utf8')) as { stacks: Record<string, Record<string, unknown>> }).stacks).filter(
          (s) => Object.keys(JSON.parse(readFileSync(cacheFile(), 'utf8')).stacks[s]).length,
        )
      : [];

  const emu = useEmulator({ replicationLagMs: 150 });
  before(async () => {
    opts = engineOptions(emu);
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assertValidPlan(r.plan);
    await assertConverged(emu, opts);
    firstAppIds = [(await appByUniqueName(emu, API))!.appId!, (await appByUniqueName(emu, DAEMON))!.appId!];
    assert.deepEqual(cachedStacks(), [STACK]);
  });

  it('destroy removes consent and credentials, then service principals, then applications', async () => {
    const { plan: p } = await planDestroy(opts);
    assertValidPlan(p);
    assert.equal(p.operation, 'destroy');
    const waveOf = (action: string) => [...new Set(p.changes.filter((c) => c.action === action).map((c) => c.wave))];
    assert.deepEqual(waveOf('delete-app-role-assignment'), [0]);
    assert.deepEqual(waveOf('remove-secret'), [0]);
    assert.deepEqual(waveOf('delete-service-principal'), [1]);
    assert.deepEqual(waveOf('delete-application'), [2]);
    assert.equal(p.changes.filter((c) => c.action === 'delete-app-role-assignment').length, 2);
    assert.ok(!JSON.stringify(p).includes(readDotenv(join(opts.cwd!, 'out/todolist-daemon.env')).CLIENT_SECRET), 'no secret in the plan');

    const r = await destroy(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.deepEqual(r.forgottenSecrets, [STACK]);
    assert.deepEqual(cachedStacks(), [], 'the stack is gone from the secret cache');
    settle(emu);
    assert.equal(await appByUniqueName(emu, API), undefined);
    assert.equal(await appByUniqueName(emu, DAEMON), undefined);
    const bin = await deletedOfStack(emu, STACK);
    assert.equal(bin.apps.length, 2, 'soft-deleted: both apps are in the recycle bin');
    assert.equal(bin.sps.length, 2);
    assert.ok(existsSync(join(opts.cwd!, 'out/todolist-daemon.env')), 'outputs stay unless --remove-outputs');
  });

  it('a second destroy is a no-op: empty plan, zero writes', async () => {
    const { value, writes } = await writesDuring(emu, () => destroy(opts));
    assert.ok(value.empty);
    assert.deepEqual(writes, []);
  });

  it('plan and apply refuse while the names are in the recycle bin, say what to do, and write nothing', async () => {
    const { writes } = await writesDuring(emu, async () => {
      for (const run of [() => plan(opts), () => apply(opts)]) {
        await assert.rejects(run(), (e) => {
          assert.ok(isTenantformError(e));
          assert.equal(e.code, 'SOFT_DELETED');
          assert.match(e.message, /--restore-deleted/);
          assert.match(e.message, /--purge-deleted/);
          assert.match(e.message, new RegExp(API));
          return true;
        });
      }
    });
    assert.deepEqual(writes, []);
  });

  it('--restore-deleted restores the same applications, re-grants consent and converges; the daemon gets a token', async () => {
    const restore = { ...opts, deletedApps: 'restore' as const };
    const p = await plan(restore);
    assertValidPlan(p.plan);
    const restores = p.plan.changes.filter((c) => c.action === 'restore-deleted-application');
    assert.equal(restores.length, 2);
    assert.ok(restores.every((c) => c.wave === 0) && p.plan.changes.every((c) => c.action === 'restore-deleted-application' || c.wave > 0));
    const r = await apply(restore);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    assert.deepEqual(
      [(await appByUniqueName(emu, API))!.appId, (await appByUniqueName(emu, DAEMON))!.appId],
      firstAppIds,
      'same appIds: restored, not recreated',
    );
    const token = await daemonToken(emu, readDotenv(join(opts.cwd!, 'out/todolist-daemon.env')));
    assert.deepEqual([...(decodeJwt(token).roles as string[])].sort(), ['ToDoList.Read.All', 'ToDoList.ReadWrite.All']);
  });

  it('destroy --purge also empties the recycle bin of apps and their service principals; apply then creates anew at once', async () => {
    const r = await destroy({ ...opts, purge: true });
    assertValidPlan(r.plan);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    const purges = r.plan.changes.filter((c) => c.action === 'purge-deleted-object');
    assert.deepEqual(purges.map((c) => (c.action === 'purge-deleted-object' ? c.objectType : '')).sort(), [
      'application',
      'application',
      'servicePrincipal',
      'servicePrincipal',
    ]);
    const bin = await deletedOfStack(emu, STACK);
    assert.deepEqual([bin.apps.length, bin.sps.length], [0, 0]);
    const again = await apply(opts);
    assert.ok(again.ok, JSON.stringify(again.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    assert.notEqual((await appByUniqueName(emu, API))!.appId, firstAppIds[0], 'a new application with the same uniqueName');
  });

  it('--purge-deleted after a plain destroy purges the holders and creates the stack anew', async () => {
    assert.ok((await destroy(opts)).ok);
    settle(emu);
    const p = await plan({ ...opts, deletedApps: 'purge' });
    assertValidPlan(p.plan);
    assert.equal(p.plan.changes.filter((c) => c.action === 'purge-deleted-object' && c.wave === 0).length, 4);
    const r = await apply({ ...opts, deletedApps: 'purge' });
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    const bin = await deletedOfStack(emu, STACK);
    assert.deepEqual([bin.apps.length, bin.sps.length], [0, 0]);
  });

  it('destroy --purge --remove-outputs leaves nothing behind, and a second one is a no-op', async () => {
    const r = await destroy({ ...opts, purge: true, removeOutputs: true });
    assert.ok(r.ok);
    assert.deepEqual(r.removedOutputs, ['out/todolist-daemon.env']);
    assert.ok(!existsSync(join(opts.cwd!, 'out/todolist-daemon.env')));
    settle(emu);
    const { value, writes } = await writesDuring(emu, () => destroy({ ...opts, purge: true, removeOutputs: true }));
    assert.ok(value.empty);
    assert.deepEqual(writes, []);
    assert.deepEqual(await deletedOfStack(emu, STACK), { apps: [], sps: [] });
  });
});
