import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { apply, destroy, type CommonOptions } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, readDotenv, settle } from '../helpers/engine.js';
import { appsOfStack, deletedOfStack } from '../helpers/teardown.js';

/**
 * Two pipelines apply the same manifest at the same time against one tenant, told apart only by their
 * stack suffix (a CI run id): neither sees, changes nor destroys the other's objects.
 */
describe('two ephemeral stacks applied in parallel against one tenant', () => {
  let runs: CommonOptions[];
  const emu = useEmulator({ replicationLagMs: 100, throttleRate: 0.05 });
  before(async () => {
    // One by option, one by the environment variable a CI job would set.
    runs = [
      { ...engineOptions(emu), stackSuffix: '1001' },
      { ...engineOptions(emu), env: { TENANTFORM_STACK_SUFFIX: '1002' } },
    ];
  });

  it('both apply at once and converge, each with its own applications and config', async () => {
    const results = await Promise.all(runs.map((o) => apply(o)));
    for (const r of results) assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    settle(emu);
    for (const o of runs) await assertConverged(emu, o);
    const [a, b] = await Promise.all([appsOfStack(emu, 'todolist-daemon-1001'), appsOfStack(emu, 'todolist-daemon-1002')]);
    assert.deepEqual(a.map((x) => x.uniqueName).sort(), ['todolist-daemon-1001--api', 'todolist-daemon-1001--daemon']);
    assert.deepEqual(b.map((x) => x.uniqueName).sort(), ['todolist-daemon-1002--api', 'todolist-daemon-1002--daemon']);
    const [envA, envB] = runs.map((o) => readDotenv(join(o.cwd!, 'out/todolist-daemon.env')));
    assert.notEqual(envA.CLIENT_ID, envB.CLIENT_ID);
    assert.notEqual(envA.WEB_API_CLIENT_ID, envB.WEB_API_CLIENT_ID);
  });

  it('both destroy at once; each removes only its own stack', async () => {
    const results = await Promise.all(runs.map((o) => destroy({ ...o, purge: true })));
    for (const r of results) assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.deepEqual(
      results.map((r) => r.plan.stacks),
      [['todolist-daemon-1001'], ['todolist-daemon-1002']],
    );
    settle(emu);
    for (const s of ['todolist-daemon-1001', 'todolist-daemon-1002']) {
      assert.deepEqual(await appsOfStack(emu, s), []);
      assert.deepEqual(await deletedOfStack(emu, s), { apps: [], sps: [] });
    }
  });
});
