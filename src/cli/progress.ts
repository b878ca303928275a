import type { ChalkInstance } from 'chalk';
import type { ProgressEvent } from '../apply/progress.js';
import type { Plan } from '../plan/types.js';
import { formatDuration } from './format-duration.js';
import { planNames, type PlanNames } from './plan-names.js';
import { changeInWords } from './render-change.js';
import { plural } from './output.js';
import { planSummary } from './render-plan.js';

interface Writable {
  write(chunk: string): unknown;
}

/** The progress callback of the programmatic API (CommonOptions.progress), plus the run's start and end. */
export interface ProgressReporter {
  (line: string, event?: ProgressEvent): void;
  /** The confirmed plan is about to run: its names, and the line that opens the progress (a group in GitHub Actions). */
  begin(plan: Plan): void;
  /** The run is over: say the waits still buffered, close the group. */
  end(): void;
}

/**
 * Progress for people and CI logs alike — the same lines on a terminal and in a pipe, on stderr (stdout stays
 * the result, or the one --json document): one line per change as it completes, in words, with its duration;
 * one line per retry wait, with its reason and the time left before the run gives up.
 *
 * Changes of one wave wait together (their requests go out in one $batch), so their waits arrive within
 * moments of each other: they are gathered for a moment (WAIT_GATHER_MS) and said in one line, not one per change.
 */
export function progressReporter(opts: { stream: Writable; style: ChalkInstance; github: boolean }): ProgressReporter {
  const { stream, style } = opts;
  let names: PlanNames | undefined;
  let grouped = false;
  let waits: Array<Extract<ProgressEvent, { kind: 'wait' }>> = [];
  let timer: NodeJS.Timeout | undefined;
  const write = (line: string) => stream.write(`${line}\n`);

  const flushWaits = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (waits.length) write(style.dim(waitLine(waits)));
    waits = [];
  };

  const report = ((line: string, event?: ProgressEvent) => {
    if (!event) {
      flushWaits();
      return write(line);
    }
    if (event.kind === 'change-start') return;
    if (event.kind === 'wait') {
      waits.push(event);
      // Said while the wait runs: gather for half of it (at most WAIT_GATHER_MS), then one line.
      timer ??= setTimeout(flushWaits, Math.min(WAIT_GATHER_MS, event.waitMs / 2));
      timer.unref?.();
      return;
    }
    flushWaits();
    const { result, change } = event;
    const took = style.dim(formatDuration(result.durationMs ?? 0));
    const n = names ?? planNames({ changes: [change] } as Plan);
    if (result.status === 'done') write(`  ${style.green('✓')} ${changeInWords(change, n, 'done')}  ${took}`);
    else write(`  ${style.red('✗')} ${changeInWords(change, n, 'doing')} failed after ${took}: ${result.error?.message ?? 'unknown error'}`);
  }) as ProgressReporter;

  report.begin = (plan) => {
    names = planNames(plan);
    const waves = new Set(plan.changes.map((c) => c.wave)).size;
    const verb = { apply: 'Applying', destroy: 'Destroying', import: 'Importing' }[plan.operation ?? 'apply'];
    const title = `${verb} ${plural(plan.changes.length, 'change')} in ${plural(waves, 'wave')} (${planSummary(plan)
      .replace(/^Plan: /, '')
      .replace(/\.$/, '')})`;
    if (opts.github) {
      write(`::group::${title}`);
      grouped = true;
    } else write(title);
  };
  report.end = () => {
    flushWaits();
    if (grouped) write('::endgroup::');
    grouped = false;
  };
  return report;
}

/** Long enough to gather the waits of one $batch round trip on a busy machine; shorter than the shortest backoff (200 ms). */
const WAIT_GATHER_MS = 100;

/** `… waiting 500 ms: application not replicated yet (2 changes); gives up in 4m 58s` */
export function waitLine(waits: ReadonlyArray<Extract<ProgressEvent, { kind: 'wait' }>>): string {
  const byWhy = new Map<string, string[]>();
  for (const w of waits) byWhy.set(w.why, [...(byWhy.get(w.why) ?? []), w.what]);
  const reasons = [...byWhy].map(([why, what]) => `${why} (${what.length === 1 ? what[0] : `${what.length} changes`})`);
  const waitMs = Math.max(...waits.map((w) => w.waitMs));
  const leftMs = Math.min(...waits.map((w) => w.leftMs));
  return `  … waiting ${formatDuration(waitMs)}: ${reasons.join('; ')}; gives up in ${formatDuration(leftMs)}`;
}
