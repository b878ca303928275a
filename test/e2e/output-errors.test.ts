/**
 * An output file that cannot be written (a file where its folder should be) fails its own change with
 * OUTPUT_FAILED naming the path and the next step — not an internal error, no stack trace — and the next apply
 * writes it without touching the tenant.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { graphWrites } from '../../src/emulator/index.js';
import { apply } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions } from '../helpers/engine.js';

describe('an output path that cannot be written', () => {
  const emu = useEmulator();

  it('is OUTPUT_FAILED with the path and what to do; a re-run writes it with no Graph write', async () => {
    const opts = engineOptions(emu);
    writeFileSync(join(opts.cwd!, 'out'), 'a file where the folder out/ should be');
    const r = await apply(opts);
    assert.equal(r.ok, false);
    const failed = r.results.filter((x) => x.status === 'failed');
    assert.deepEqual(
      failed.map((f) => [f.action, f.error?.code]),
      [['write-output', 'OUTPUT_FAILED']],
    );
    assert.match(
      failed[0].error!.message,
      /^Cannot write out\/todolist-daemon\.env: a file is in the way where a folder is needed.*\((ENOTDIR|EEXIST)\)\. Then run tenantform apply again/,
    );
    assert.doesNotMatch(failed[0].error!.message, /\n\s+at /);

    rmSync(join(opts.cwd!, 'out'));
    const mark = emu.requestLog.mark();
    const again = await apply(opts);
    assert.ok(again.ok, JSON.stringify(again.results.filter((x) => x.status !== 'done')));
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
    await assertConverged(emu, opts);
  });
});
