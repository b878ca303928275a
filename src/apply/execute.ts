import { isTenantformError } from '../errors.js';
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

export interface ExecuteOptions {
  /** Max parallel Graph writes within a wave. */
  concurrency?: number;
}

/**
 * Execute the plan wave by wave; within a wave, changes run in parallel (bounded). A failure lets the
 * rest of its wave finish, then stops: later waves depend on it. Re-running converges.
 */
export async function executePlan(ctx: ApplyContext, plan: Plan, options: ExecuteOptions = {}): Promise<ChangeResult[]> {
  const results = new Map<string, ChangeResult>(plan.changes.map((c) => [c.id, { id: c.id, action: c.action, status: 'not-run' }]));
  const limit = options.concurrency ?? 8;
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
          r.error = isTenantformError(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: String((e as Error)?.stack ?? e) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, wave.length) }, worker));
    if (failed) break;
  }
  return [...results.values()];
}
