import { isTenantformError } from '../errors.js';
import { BATCH_LIMIT } from '../graph/batch.js';
import { CoalescingSender } from '../graph/coalesce.js';
import { waves } from '../plan/order.js';
import type { Change, Plan } from '../plan/types.js';
import type { ApplyContext } from './context.js';
import type { ChangeResult } from './progress.js';
import { runChange } from './registry.js';

export type { ChangeResult, ProgressEvent } from './progress.js';

/** Changes whose result names the objects they brought into being (apply --json, the summary). */
const CREATES = new Set<Change['action']>(['create-application', 'restore-deleted-application', 'adopt-application', 'create-service-principal']);

/** A failed change's error: ours as it is; anything else is a bug in tenantform, its stack only on the progress stream with TENANTFORM_DEBUG=1. */
function failure(ctx: ApplyContext, e: unknown): NonNullable<ChangeResult['error']> {
  if (isTenantformError(e)) return { code: e.code, message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  if (ctx.env?.TENANTFORM_DEBUG === '1' && err.stack) ctx.progress?.(err.stack);
  return { code: 'INTERNAL', message: `${err.message} (a bug in tenantform; TENANTFORM_DEBUG=1 shows where)` };
}

export interface ExecuteOptions {
  /** Max changes running at once within a wave (their requests are batched: graph/coalesce.ts). */
  concurrency?: number;
  /** $batch envelopes in flight at once. */
  envelopes?: number;
}

/** 4 envelopes of 20: 80 requests in flight, well under Graph's per-app write quota for one wave (coalesce.ts). */
const ENVELOPES = 4;

/**
 * Execute the plan wave by wave; within a wave, changes run in parallel (bounded), their Graph requests sent
 * together as $batch envelopes (graph/coalesce.ts). A failure lets the
 * rest of its wave finish, then stops: later waves depend on it. Re-running converges.
 */
export async function executePlan(base: ApplyContext, plan: Plan, options: ExecuteOptions = {}): Promise<ChangeResult[]> {
  const results = new Map<string, ChangeResult>(plan.changes.map((c) => [c.id, { id: c.id, action: c.action, status: 'not-run' }]));
  const envelopes = options.envelopes ?? ENVELOPES;
  const limit = options.concurrency ?? envelopes * BATCH_LIMIT;
  const ctx: ApplyContext = {
    ...base,
    transport: new CoalescingSender(base.transport, { maxEnvelopes: envelopes, deadline: base.deadline, sleep: base.sleep }),
  };
  for (const wave of waves(plan.changes)) {
    let failed = false;
    let next = 0;
    const worker = async () => {
      while (next < wave.length) {
        const c = wave[next++];
        const r = results.get(c.id)!;
        const started = Date.now();
        ctx.progress?.(`${c.action} ${c.id}`, { kind: 'change-start', change: c });
        try {
          await runChange(ctx, c);
          r.status = 'done';
          const ids = 'app' in c && CREATES.has(c.action) ? ctx.refs.get(c.app) : undefined;
          if (ids) r.objects = { ...ids };
        } catch (e) {
          failed = true;
          r.status = 'failed';
          r.error = failure(ctx, e);
        }
        r.durationMs = Date.now() - started;
        ctx.progress?.(`${r.status} ${c.id} (${r.durationMs} ms)`, { kind: 'change-end', change: c, result: { ...r } });
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, wave.length) }, worker));
    if (failed) break;
  }
  return [...results.values()];
}
