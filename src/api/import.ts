/**
 * Adopt existing applications into a stack (`tenantform import <manifest> --app <key>=<appId>`): the
 * plan sets each application's uniqueName once (Graph lets it be set while it is null, never changed)
 * and puts the stack's ownership tag on it and on its service principal. After that the application is
 * the stack's like any other, and `apply` brings the rest of it in line with the manifest.
 */
import { noOutputs } from '../apply/context.js';
import { executePlan, type ChangeResult } from '../apply/execute.js';
import { gatherImport } from '../gather/import.js';
import type { ImportOptions } from '../options.js';
import { gatherAndPlan } from './phases.js';
import { markStopped, stoppable, stoppableProgress } from './stop.js';
import { isEmpty, type Plan } from '../plan/types.js';

export type { ImportOptions };
export { findApp } from '../gather/import.js';

export interface ImportResult {
  plan: Plan;
  empty: boolean;
  results: ChangeResult[];
  ok: boolean;
  cancelled: boolean;
  graphRequests: number;
  /** `signal` was aborted while the plan ran: the adoptions not done are `not-run`; importing again finishes. */
  interrupted?: boolean;
}

/** gather the applications to adopt, then plan once (refusals are the planner's: plan/import.ts). */
async function openImport(opts: ImportOptions) {
  const g = await gatherAndPlan(gatherImport(opts), opts.saveSnapshot);
  const refs = new Map(
    g.snapshot.adoptions.map((a) => [
      `app:${a.stack}/${a.desired.key}`,
      { uniqueName: a.desired.uniqueName, objectId: String(a.app.id), appId: String(a.app.appId), servicePrincipalId: a.servicePrincipal?.id ?? undefined },
    ]),
  );
  return { ...g, refs };
}

/** What import would change. Writes nothing. */
export async function planImport(opts: ImportOptions): Promise<{ plan: Plan; empty: boolean }> {
  const s = await openImport(opts);
  await s.io.close();
  return { plan: s.plan, empty: isEmpty(s.plan) };
}

/** Adopt the applications (after `confirm`, when given). */
export async function adopt(opts: ImportOptions): Promise<ImportResult> {
  const s = await openImport(opts);
  try {
    if (!isEmpty(s.plan) && opts.confirm && !(await opts.confirm(s.plan))) {
      return { plan: s.plan, empty: false, results: [], ok: false, cancelled: true, graphRequests: 0 };
    }
    const { transport, deadline } = s.io.connection;
    const before = transport.stats.requests;
    const executed = await executePlan(
      {
        transport: stoppable(transport, opts.signal),
        deadline,
        refs: s.refs,
        secrets: s.io.secrets,
        progress: stoppableProgress(opts.progress, opts.signal),
        onWrite: opts.onWrite,
        writeOutput: noOutputs('import'),
      },
      s.plan,
    );
    const { results, interrupted } = markStopped(executed, opts.signal);
    return {
      plan: s.plan,
      empty: isEmpty(s.plan),
      results,
      ok: results.every((r) => r.status === 'done'),
      cancelled: false,
      graphRequests: transport.stats.requests - before,
      ...(interrupted ? { interrupted } : {}),
    };
  } finally {
    await s.io.close();
  }
}
