import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { apply, createPlan, plan, planDestroy, type CommonOptions, type Snapshot } from '../../src/index.js';
import { startEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';

/** `plan --save-snapshot`: what a live plan was made from replays offline to the same plan, and holds no secret. */
describe('plan --save-snapshot replays offline', () => {
  let emu: Emulator;
  let opts: CommonOptions;
  before(async () => {
    emu = await startEmulator();
    opts = engineOptions(emu);
  });
  after(() => emu.close());

  const replay = (file: string) => createPlan(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);

  it('a cold plan, a rotation and a destroy replay to the plans the live runs made', async () => {
    const cold = join(opts.cwd!, 'cold.json');
    const p = await plan({ ...opts, saveSnapshot: cold });
    assert.deepEqual(replay(cold), p.plan);
    assert.equal(statSync(cold).mode & 0o777, 0o600);

    assert.ok((await apply(opts)).ok);
    await assertConverged(emu, opts);
    settle(emu);
    // A no-op plan replays empty too: the redacted secret renders to the redacted output file.
    const noop = join(opts.cwd!, 'noop.json');
    const n = await plan({ ...opts, saveSnapshot: noop });
    assert.ok(n.empty);
    assert.deepEqual(
      replay(noop).changes.map((c) => c.id),
      [],
    );
    const rotation = join(opts.cwd!, 'rotation.json');
    const r = await plan({ ...opts, rotateSecrets: true, saveSnapshot: rotation });
    assert.deepEqual(replay(rotation), r.plan);
    assert.deepEqual(
      r.plan.changes.map((c) => c.action),
      ['add-secret', 'write-output', 'remove-secret'],
    );

    // The secret the cache and the output file hold appears nowhere in the snapshot.
    const cacheDir = join(opts.cwd!, '.tenantform/secrets');
    const cache = JSON.parse(readFileSync(join(cacheDir, readdirSync(cacheDir)[0]), 'utf8')) as {
      stacks: Record<string, Record<string, Record<string, { value: string }>>>;
    };
    const secret = cache.stacks['todolist-daemon'].daemon.main.value;
    assert.ok(secret.length > 10);
    assert.ok(!readFileSync(rotation, 'utf8').includes(secret), 'the secret value leaked into the snapshot');

    const down = join(opts.cwd!, 'destroy.json');
    const d = await planDestroy({ ...opts, purge: true, saveSnapshot: down });
    assert.deepEqual(replay(down), d.plan);
  });
});
