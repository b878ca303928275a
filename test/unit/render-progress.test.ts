import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Chalk } from 'chalk';
import type { ProgressEvent } from '../../src/apply/progress.js';
import { formatDuration } from '../../src/cli/format-duration.js';
import { progressReporter } from '../../src/cli/progress.js';
import type { Change, Plan } from '../../src/plan/types.js';

/** Progress lines (issue 14): one per completed change in words with its duration, one per wait step, groups in GitHub Actions. */
const plain = new Chalk({ level: 0 });
const sp = (key: string): Change => ({
  id: `sp:s/${key}`,
  action: 'create-service-principal',
  app: `app:s/${key}`,
  after: {},
  wave: 0,
  dependsOn: [],
  reason: 'r',
});
const app = (key: string, displayName: string): Change => ({
  id: `app:s/${key}`,
  action: 'create-application',
  app: `app:s/${key}`,
  uniqueName: `s--${key}`,
  after: { displayName },
  wave: 0,
  dependsOn: [],
  reason: 'r',
});
const plan: Plan = {
  formatVersion: 1,
  createdAt: '2026-01-01T00:00:00Z',
  tenant: { id: 't', kind: 'remote', identity: 'ci' },
  stacks: ['s'],
  changes: [app('api', 'Orders API'), app('daemon', 'Orders daemon'), { ...sp('api'), wave: 1 }, { ...sp('daemon'), wave: 1 }],
  warnings: [],
};

function capture(github = false) {
  const out: string[] = [];
  const r = progressReporter({ stream: { write: (s: string) => out.push(...s.split('\n').filter(Boolean)) }, style: plain, github });
  return { r, out };
}
const wait = (what: string, why = 'application not replicated yet', waitMs = 500): ProgressEvent => ({
  kind: 'wait',
  waitMs,
  why,
  attempt: 2,
  leftMs: 298_000,
  what,
});

describe('progress reporter', () => {
  it('a completed change: one line in words, with its duration; a start says nothing', () => {
    const { r, out } = capture();
    r.begin(plan);
    const c = plan.changes[2];
    r('', { kind: 'change-start', change: c });
    r('', { kind: 'change-end', change: c, result: { id: c.id, action: c.action, status: 'done', durationMs: 1234 } });
    r('', { kind: 'change-end', change: c, result: { id: c.id, action: c.action, status: 'failed', durationMs: 80, error: { code: 'X', message: 'no' } } });
    r.end();
    assert.deepEqual(out, [
      'Applying 4 changes in 2 waves (4 to add, 0 to change, 0 to remove)',
      '  ✓ created service principal for Orders API  1.2 s',
      '  ✗ creating service principal for Orders API failed after 80 ms: no',
    ]);
  });

  it('the waits of one step: one line, reasons counted, the time left', async () => {
    const { r, out } = capture();
    r.begin(plan);
    r('', wait('create the service principal of s--api'));
    r('', wait('create the service principal of s--daemon'));
    r('', wait('update application s--api', 'object not replicated to this replica yet', 250));
    await sleep(300);
    r('', wait('create the service principal of s--api'));
    r.end();
    assert.deepEqual(out.slice(1), [
      '  … waiting 500 ms: application not replicated yet (2 changes); object not replicated to this replica yet (update application s--api); gives up in 4m 58s',
      '  … waiting 500 ms: application not replicated yet (create the service principal of s--api); gives up in 4m 58s',
    ]);
  });

  it('in GitHub Actions the progress is a group', () => {
    const { r, out } = capture(true);
    r.begin(plan);
    r('a plain line');
    r.end();
    assert.deepEqual(out, ['::group::Applying 4 changes in 2 waves (4 to add, 0 to change, 0 to remove)', 'a plain line', '::endgroup::']);
  });

  it('durations in one set of units', () => {
    assert.deepEqual([250, 1234, 12_400, 298_000, 7_500_000, 2 * 86_400_000 + 3_600_000].map(formatDuration), [
      '250 ms',
      '1.2 s',
      '12 s',
      '4m 58s',
      '2h 05m',
      '2d 1h',
    ]);
  });
});
