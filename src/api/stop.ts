/**
 * Stopping a run that is writing (Ctrl-C during apply or destroy), without leaving a change half-reported.
 * `signal` aborted = start nothing new: every Graph request sent after it is refused, so the changes that had
 * not reached Graph fail at once and the executor stops after the current wave, as after any failure; the
 * requests already in flight complete. The results then say which changes are done and which are not; the
 * refused ones are reported as not run, and a re-run converges (everything is idempotent or reconciled).
 *
 * Done here, over the transport, because the executor (apply/execute.ts) has no notion of stopping; an
 * AbortSignal that it checks between changes would do the same more directly.
 */
import type { ChangeResult } from '../apply/execute.js';
import { TenantformError } from '../errors.js';
import type { GraphRequestSpec, GraphResponse, GraphSender } from '../graph/transport.js';

const STOPPED = 'stopped on request (Ctrl-C) before this request was sent';

/** A sender that refuses every request once `signal` is aborted. */
export function stoppable(inner: GraphSender, signal: AbortSignal | undefined): GraphSender {
  if (!signal) return inner;
  return {
    get stats() {
      return inner.stats;
    },
    send(req: GraphRequestSpec): Promise<GraphResponse> {
      if (signal.aborted) return Promise.reject(new TenantformError('INTERRUPTED', STOPPED));
      return inner.send(req);
    },
  };
}

/** Progress lines stop with the run: after a stop nothing new starts, whatever the executor announces. */
export function stoppableProgress<E>(progress: ((line: string, event?: E) => void) | undefined, signal: AbortSignal | undefined) {
  // The event travels with the line (the CLI renders events, src/cli/progress.ts).
  return progress && signal ? (line: string, event?: E) => (signal.aborted ? undefined : progress(line, event)) : progress;
}

/**
 * After a stop: a change that failed because its request was refused did not happen (or only its first,
 * idempotent part did) — it is `not-run`, not a failure to report. The retry layer may have wrapped the
 * refusal into another error; its message still carries ours.
 */
export function markStopped(results: ChangeResult[], signal: AbortSignal | undefined): { results: ChangeResult[]; interrupted: boolean } {
  if (!signal?.aborted) return { results, interrupted: false };
  const stopped = (r: ChangeResult) => r.status === 'failed' && (r.error?.code === 'INTERRUPTED' || !!r.error?.message.includes(STOPPED));
  const marked = results.map((r) => (stopped(r) ? { id: r.id, action: r.action, status: 'not-run' as const } : r));
  // A stop that came after the last change had started cut nothing short: the run simply finished.
  return { results: marked, interrupted: marked.some((r) => r.status === 'not-run') };
}
