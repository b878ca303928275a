import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { graphWrites } from '../../src/emulator/index.js';
import { credentialEnv, EXAMPLE_MANIFEST, remoteArgs, runCli, STACK_LINE, tempCwd } from '../helpers/cli-engine.js';
import { useEmulator } from '../helpers/emulator.js';
import { HAS_SCRIPT, KEY, runInPty } from '../helpers/pty.js';

/**
 * The confirmation prompt and Ctrl-C as a person meets them: the built CLI on a real pseudo-terminal
 * (test/helpers/pty.ts), against a separately started tenant. Declining, Ctrl-C and Ctrl-D at the prompt say
 * "cancelled, nothing changed" with their own exit codes (3 declined, 130 Ctrl-C) and write nothing; Ctrl-C
 * while apply writes stops after the changes in progress and says how many of the changes were done.
 */
describe('apply on a terminal: the prompt and Ctrl-C', { skip: HAS_SCRIPT ? false : 'needs `script` (util-linux) for a pseudo-terminal' }, () => {
  const emu = useEmulator();
  const cwd = tempCwd('tenantform-tty-');
  const args = () => ['apply', EXAMPLE_MANIFEST, ...remoteArgs(emu)];
  const env = () => credentialEnv(emu);
  const PROMPT = /Apply these changes\? Only 'yes' will be accepted: /;

  for (const [name, keys, code, said] of [
    ['answering "no"', `no${KEY.enter}`, 3, /Apply cancelled; nothing was changed\./],
    ['Ctrl-C at the prompt', KEY.ctrlC, 130, /Apply cancelled \(Ctrl-C\); nothing was changed\./],
    ['Ctrl-D at the prompt', KEY.ctrlD, 3, /Apply cancelled \(end of input\); nothing was changed\./],
  ] as const) {
    it(`${name}: "cancelled, nothing changed", exit ${code}, not one write`, async () => {
      const mark = emu.requestLog.mark();
      const run = runInPty(args(), { cwd, env: env() });
      await run.waitFor(PROMPT);
      assert.match(run.output(), /Plan: \d+ to add/, 'the plan is shown before the question');
      run.type(keys);
      const r = await run.done;
      assert.equal(r.code, code, r.output);
      assert.match(r.output, said);
      assert.doesNotMatch(r.output, /internal error|AbortError/);
      assert.doesNotMatch(r.output, STACK_LINE);
      assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
      assert.equal(existsSync(join(cwd, 'out')), false, 'no output file');
    });
  }

  it('Ctrl-C while apply writes: stops after the changes in progress, says N of M, exit 130; apply again finishes', async () => {
    // Slow requests, so the run is still in its first wave when Ctrl-C comes.
    emu.faults.options.latencyMs = 700;
    let output: string;
    try {
      const run = runInPty([...args(), '--yes'], { cwd, env: env() });
      // Progress lines (stderr is the terminal) name each change as it completes.
      await run.waitFor(/✓ created application /);
      run.type(KEY.ctrlC);
      const r = await run.done;
      output = r.output;
      assert.equal(r.code, 130, r.output);
    } finally {
      emu.faults.options.latencyMs = 0;
    }
    assert.match(output, /stopping after the changes in progress/);
    const m = /Stopped \(Ctrl-C\) after (\d+) of (\d+) changes; run `tenantform apply` again to finish\./.exec(output);
    assert.ok(m, output);
    const [done, total] = [Number(m[1]), Number(m[2])];
    assert.ok(done >= 1 && done < total, `some but not all changes done: ${done} of ${total}`);
    assert.match(output, /not done: /);
    assert.doesNotMatch(output, /internal error/);
    assert.doesNotMatch(output, STACK_LINE);
    assert.equal(existsSync(join(cwd, 'out/todolist-daemon.env')), false, 'the outputs come last: not written');

    // What was done stays done: the next apply does the rest, then nothing is left.
    const again = await runCli([...args(), '--yes'], { cwd, env: env() });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const left = Number(/Applied (\d+) of \1 changes/.exec(again.stdout)?.[1]);
    assert.ok(left > 0 && left <= total - done, again.stdout);
    assert.equal(existsSync(join(cwd, 'out/todolist-daemon.env')), true);
    const plan = await runCli(['plan', EXAMPLE_MANIFEST, ...remoteArgs(emu), '--detailed-exitcode'], { cwd, env: env() });
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  });

  it('destroy shares the prompt: "no" deletes nothing, exit 3', async () => {
    const mark = emu.requestLog.mark();
    const run = runInPty(['destroy', EXAMPLE_MANIFEST, ...remoteArgs(emu)], { cwd, env: env() });
    await run.waitFor(/Delete all of this\? Only 'yes' will be accepted: /);
    run.type(`no${KEY.enter}`);
    const r = await run.done;
    assert.equal(r.code, 3, r.output);
    assert.match(r.output, /Destroy cancelled; nothing was deleted\./);
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
  });
});
