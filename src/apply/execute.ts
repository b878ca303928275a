import { isTenantformError } from '../errors.js';
import { BATCH_LIMIT } from '../graph/batch.js';
import { CoalescingSender } from '../graph/coalesce.js';
import { waves } from '../plan/order.js';
import type { Change, Plan } from '../plan/types.js';
import type { ApplyContext } from './context.js';
import { runChange } from './registry.js';

export interface ChangeResult {
  id: string;
  action: Change['action'];
  status: 'done' | 'failed' | 'not-run';
  error?: { code: string; message: string };
}

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
        ctx.progress?.(`${c.action} ${c.id}`);
        try {
          await runChange(ctx, c);
          results.get(c.id)!.status = 'done';
        } catch (e) {
          failed = true;
          const r = results.get(c.id)!;
          r.status = 'failed';
          r.error = failure(ctx, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, wave.length) }, worker));
    if (failed) break;
  }
  return [...results.values()];
}
