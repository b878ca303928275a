import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { graphWrites } from '../../src/emulator/index.js';
import { apply, destroy, type CommonOptions, type DestroyOptions } from '../../src/index.js';
import { credentialEnv, remoteArgs, runCli } from '../helpers/cli-engine.js';
import { secretCredential, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle, variant } from '../helpers/engine.js';
import { appsOfStack, assertValidPlan, deletedOfStack, writesDuring } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp.js';

const HOUR = 3_600_000;

/**
 * The sweep (`destroy --stack-prefix ci- --older-than 2h`): what crashed pipelines left behind — live or
 * already in the recycle bin — goes; running pipelines (younger stacks) and every other stack stay.
 */
describe('sweep of stale ephemeral stacks', () => {
  let ciManifest: string;
  let prod: CommonOptions;
  let young: CommonOptions;
  const ci = (suffix: string): CommonOptions => ({ ...engineOptions(emu, { manifests: [ciManifest] }), stackSuffix: suffix });
  /** Tokens are judged on the emulator clock, so every step after advancing it signs in afresh. */
  const fresh = <T extends object>(o: T): T => ({ ...o, credential: secretCredential(emu) });

  const emu = useEmulator();
  before(async () => {
    const dir = tempDir('tenantform-sweep-');
    ciManifest = variant(dir, (y) => y.replace('stack: todolist-daemon', 'stack: ci-todolist'), 'ci.yaml');
    prod = engineOptions(emu);
    assert.ok((await apply(prod)).ok, 'a long-lived stack that no sweep may touch');
    assert.ok((await apply(ci('101'))).ok, 'a crashed run: still live');
    assert.ok((await apply(ci('103'))).ok);
    assert.ok((await destroy(ci('103'))).ok, 'a crashed run that got as far as a soft delete');
    emu.clock.advance(3 * HOUR);
    young = fresh(ci('102'));
    assert.ok((await apply(young)).ok, 'a run in progress: 0 h old');
    settle(emu);
  });

  const sweep = (): DestroyOptions => ({
    ...fresh(engineOptions(emu)),
    manifests: [],
    stackPrefix: 'ci-',
    olderThanMs: 2 * HOUR,
    now: emu.clock.now(),
    purge: true,
  });

  it('removes and purges only the stacks with the prefix whose applications are all older than the cutoff', async () => {
    const r = await destroy(sweep());
    assertValidPlan(r.plan);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.deepEqual(r.plan.stacks, ['ci-todolist-101', 'ci-todolist-103']);
    settle(emu);
    for (const s of ['ci-todolist-101', 'ci-todolist-103']) {
      assert.deepEqual(await appsOfStack(emu, s), []);
      assert.deepEqual(await deletedOfStack(emu, s), { apps: [], sps: [] });
    }
    assert.equal((await appsOfStack(emu, 'ci-todolist-102')).length, 2, 'the young run stays');
    await assertConverged(emu, fresh(young));
    await assertConverged(emu, fresh(prod));
  });

  it('a second sweep is a no-op', async () => {
    const { value, writes } = await writesDuring(emu, () => destroy(sweep()));
    assert.ok(value.empty);
    assert.deepEqual(writes, []);
  });

  it('from the CLI: --dry-run shows the sweep (exit 2 with --detailed-exitcode), --yes does it; flags are checked', async () => {
    const cwd = tempDir('tenantform-sweep-cli-');
    const cli = (args: string[]) => runCli([...args, ...remoteArgs(emu)], { cwd, env: credentialEnv(emu) });
    const mark = emu.requestLog.mark();
    const [dry, usage, refused] = await Promise.all([
      cli(['destroy', '--stack-prefix', 'ci-', '--dry-run', '--detailed-exitcode', '--json']),
      cli(['destroy', '--older-than', '2h']),
      cli(['destroy', '--stack-prefix', 'ci-']),
    ]);
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), [], 'a dry run, a usage error and a refusal write nothing');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\[CONFIRMATION_REQUIRED\] destroy would change the tenant.*--yes/);
    assert.equal(dry.code, 2, dry.stderr);
    const doc = JSON.parse(dry.stdout) as { plan: Parameters<typeof assertValidPlan>[0] };
    assertValidPlan(doc.plan);
    assert.deepEqual(doc.plan.stacks, ['ci-todolist-102']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /\[USAGE\].*(manifests|--stack-prefix)/);

    const run = await cli(['destroy', '--stack-prefix', 'ci-', '--purge', '--yes']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Destroyed/);
    settle(emu);
    assert.deepEqual(await appsOfStack(emu, 'ci-todolist-102'), []);
    await assertConverged(emu, fresh(prod));
  });
});
