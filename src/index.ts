/**
 * tenantform's programmatic API: the same code paths as the CLI, with typed results.
 *   import { plan, apply, output } from 'tenantform';
 */
import { executePlan, type ChangeResult } from './apply/execute.js';
import { refsFromLive, type ApplyContext } from './apply/context.js';
import { TenantformError } from './errors.js';
import { outputValues, writeOutputFile } from './outputs/index.js';
import { isEmpty, type Plan } from './plan/types.js';
import { openSession, type CommonOptions, type Session } from './session.js';

export type { CommonOptions } from './session.js';
export type { Plan, Change } from './plan/types.js';
export type { ChangeResult } from './apply/execute.js';
export { TenantformError, isTenantformError } from './errors.js';
export { createEmulator } from './emulator/index.js';

export interface PlanResult {
  plan: Plan;
  empty: boolean;
}

export async function plan(opts: CommonOptions): Promise<PlanResult> {
  const s = await openSession(opts);
  try {
    return { plan: s.plan, empty: isEmpty(s.plan) };
  } finally {
    await s.close();
  }
}

export interface ApplyResult {
  plan: Plan;
  results: ChangeResult[];
  /** Output files written (paths as in the manifest). Their content is never returned. */
  outputs: string[];
  ok: boolean;
  /** HTTP requests to Graph during execution (not counting the plan's reads). */
  graphRequests: number;
}

export interface ApplyOptions extends CommonOptions {
  /** Called with the plan before anything is written; return false to cancel. */
  confirm?: (plan: Plan) => Promise<boolean> | boolean;
}

export async function apply(opts: ApplyOptions): Promise<ApplyResult> {
  const s = await openSession(opts);
  try {
    if (!isEmpty(s.plan) && opts.confirm && !(await opts.confirm(s.plan))) {
      return { plan: s.plan, results: [], outputs: [], ok: false, graphRequests: 0 };
    }
    return await execute(s, opts);
  } finally {
    await s.close();
  }
}

async function execute(s: Session, opts: CommonOptions): Promise<ApplyResult> {
  const before = s.transport.stats.requests;
  const apps = s.stacks.flatMap((st) => st.applications.map((a) => ({ ref: `app:${st.name}/${a.key}`, uniqueName: a.uniqueName })));
  const ctx: ApplyContext = { transport: s.transport, deadline: s.deadline, refs: refsFromLive(s.live, apps), secrets: s.secrets, progress: opts.progress };
  const written: string[] = [];
  const results = await executePlan(ctx, s.plan, {
    writeOutput: async (c) => {
      for (const stack of s.stacks) {
        const o = stack.outputs.find((x) => x.path === c.path);
        if (!o) continue;
        const appIdOf = (key: string) => ctx.refs.get(`app:${stack.name}/${key}`)?.appId;
        writeOutputFile(o, outputValues(stack, s.live, s.secrets, s.outputEnv, appIdOf), s.outputEnv.cwd);
        written.push(o.path);
      }
    },
  });
  return { plan: s.plan, results, outputs: written, ok: results.every((r) => r.status === 'done'), graphRequests: s.transport.stats.requests - before };
}

/** Re-render every output file from the live tenant and the stored secrets (no Graph writes). */
export async function output(opts: CommonOptions): Promise<{ outputs: string[] }> {
  const s = await openSession(opts);
  try {
    const written: string[] = [];
    for (const stack of s.stacks) {
      const appIdOf = (key: string) => s.live.applications[stack.applications.find((a) => a.key === key)!.uniqueName.toLowerCase()]?.app.appId ?? undefined;
      for (const o of stack.outputs) {
        writeOutputFile(o, outputValues(stack, s.live, s.secrets, s.outputEnv, appIdOf), s.outputEnv.cwd);
        written.push(o.path);
      }
    }
    if (!written.length) throw new TenantformError('USAGE', 'The manifests declare no outputs.');
    return { outputs: written };
  } finally {
    await s.close();
  }
}
