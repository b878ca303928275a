/**
 * Teardown: `destroy()` removes everything the stacks own (found by their ownership tag, and by the
 * uniqueNames their manifests declare), in reverse dependency order, and with `purge` also from the
 * recycle bin. A sweep (`stackPrefix` + `olderThanMs`) does the same for every stack whose name starts
 * with the prefix and whose applications are all older than the cutoff — what crashed CI runs left.
 * Nothing without the stack's ownership tag is ever planned for deletion.
 */
import { rmSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { noOutputs, type AppIds } from '../apply/context.js';
import { executePlan, type ChangeResult } from '../apply/execute.js';
import { gatherDestroy } from '../gather/destroy.js';
import type { DesiredStack } from '../model/desired.js';
import type { OwnedState } from '../model/owned.js';
import type { DestroyOptions } from '../options.js';
import type { SecretStore } from '../outputs/secret-cache.js';
import { isEmpty, type Plan } from '../plan/types.js';
import { gatherAndPlan } from './phases.js';
import { markStopped, stoppable, stoppableProgress } from './stop.js';

export type { DestroyOptions };

export interface DestroyPlanResult {
  plan: Plan;
  empty: boolean;
  /** Output files `removeOutputs` would delete (those that exist). */
  outputs: string[];
}

export interface DestroyResult extends DestroyPlanResult {
  results: ChangeResult[];
  ok: boolean;
  cancelled: boolean;
  /** Output files deleted (paths as in the manifests). */
  removedOutputs: string[];
  /** Stacks whose entries were removed from the local 0600 secret cache. */
  forgottenSecrets: string[];
  /** HTTP requests to Graph during execution (not counting the plan's reads). */
  graphRequests: number;
  /** `signal` was aborted while the plan ran: the deletions not done are `not-run`; destroying again finishes. */
  interrupted?: boolean;
}

/** gather what the stacks own, then plan once. */
const openDestroy = (opts: DestroyOptions, lock = false) => gatherAndPlan(gatherDestroy(opts, { lock }), opts.saveSnapshot);

/** What destroy would delete. Writes nothing. */
export async function planDestroy(opts: DestroyOptions): Promise<DestroyPlanResult> {
  const s = await openDestroy(opts);
  await s.io.close();
  return { plan: s.plan, empty: isEmpty(s.plan), outputs: s.outputs };
}

export async function destroy(opts: DestroyOptions): Promise<DestroyResult> {
  const s = await openDestroy(opts, true);
  try {
    const base = { plan: s.plan, empty: isEmpty(s.plan), outputs: s.outputs };
    if ((!isEmpty(s.plan) || s.outputs.length) && opts.confirm && !(await opts.confirm(s.plan, { outputs: s.outputs }))) {
      return { ...base, results: [], ok: false, cancelled: true, removedOutputs: [], forgottenSecrets: [], graphRequests: 0 };
    }
    const { transport, deadline } = s.io.connection;
    const before = transport.stats.requests;
    const executed = await executePlan(
      {
        transport: stoppable(transport, opts.signal),
        deadline,
        refs: refsOf(s.snapshot.owned),
        secrets: s.io.secrets,
        progress: stoppableProgress(opts.progress, opts.signal),
        onWrite: opts.onWrite,
        writeOutput: noOutputs('destroy'),
      },
      s.plan,
    );
    const { results, interrupted } = markStopped(executed, opts.signal);
    const failedStacks = new Set(results.filter((r) => r.status !== 'done').map((r) => stackOf(s.plan, r.id)));
    const done = [...new Set([...s.plan.stacks, ...s.stacks.map((x) => x.name)])].filter((x) => !failedStacks.has(x));
    const forgottenSecrets = await forgetSecrets(s.io.secrets, done);
    const removedOutputs = opts.removeOutputs
      ? removeOutputs(
          s.stacks.filter((x) => done.includes(x.name)),
          s.io.cwd,
        )
      : [];
    return {
      ...base,
      results,
      ok: failedStacks.size === 0,
      cancelled: false,
      removedOutputs,
      forgottenSecrets,
      graphRequests: transport.stats.requests - before,
      ...(interrupted ? { interrupted } : {}),
    };
  } finally {
    await s.io.close();
  }
}

/** The id map the shared executors use (messages name apps by uniqueName; remove-secret needs object ids). */
function refsOf(state: OwnedState): Map<string, AppIds> {
  const refs = new Map<string, AppIds>();
  for (const a of state.apps) {
    refs.set(a.ref, {
      uniqueName: a.app.uniqueName ?? String(a.app.displayName),
      objectId: String(a.app.id),
      appId: String(a.app.appId),
      servicePrincipalId: a.servicePrincipal?.id ?? undefined,
    });
  }
  return refs;
}

function stackOf(plan: Plan, changeId: string): string {
  const c = plan.changes.find((x) => x.id === changeId);
  return c && 'app' in c ? c.app.slice('app:'.length).split('/')[0] : '';
}

/** Remove the stacks' client secret values from the 0600 cache: the applications they opened are gone. */
async function forgetSecrets(secrets: SecretStore, stacks: string[]): Promise<string[]> {
  const cached = secrets.snapshot();
  const forgotten: string[] = [];
  for (const stack of stacks) {
    const apps = Object.keys(cached[stack] ?? {});
    if (!apps.length) continue;
    for (const app of apps) await secrets.forgetApp(stack, app);
    forgotten.push(stack);
  }
  return forgotten;
}

function removeOutputs(stacks: DesiredStack[], cwd: string): string[] {
  const removed: string[] = [];
  for (const o of stacks.flatMap((x) => x.outputs)) {
    const file = resolve(cwd, o.path);
    if (!existsSync(file)) continue;
    rmSync(file, { force: true });
    removed.push(o.path);
  }
  return removed;
}
