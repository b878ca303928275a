/**
 * plan / apply / output: gather (all I/O, once) → createPlan (pure, once) → execute (the handler registry).
 */
import { refsFromLive, type ApplyContext } from '../apply/context.js';
import { executePlan, type ChangeResult } from '../apply/execute.js';
import { collectRemovedCertificates } from '../apply/keys.js';
import { currentValues, outputWriter, type OutputSources } from '../apply/outputs.js';
import { TenantformError } from '../errors.js';
import { gatherApply, type Gathered } from '../gather/apply.js';
import { appRef } from '../model/desired.js';
import type { ApplySnapshot } from '../model/snapshot.js';
import type { CommonOptions } from '../options.js';
import { masker, publishGithubOutputs, type GithubOutputs } from '../outputs/github.js';
import { createPlan } from '../plan/index.js';
import { isEmpty, type Plan } from '../plan/types.js';
import type { VerifyResult } from '../verify/index.js';
import { gatherAndPlan } from './phases.js';
import { markStopped, stoppable, stoppableProgress } from './stop.js';

export interface PlanResult {
  plan: Plan;
  empty: boolean;
}

export interface ApplyResult {
  plan: Plan;
  results: ChangeResult[];
  /** Output files written (paths as in the manifest). Their content is never returned. */
  outputs: string[];
  ok: boolean;
  /** HTTP requests to Graph during execution (not counting the plan's reads). */
  graphRequests: number;
  /** With `verify: true` and a successful apply: the verify result (src/verify). */
  verify?: VerifyResult;
  /** `signal` was aborted while the plan ran: the changes not done are `not-run`; applying again finishes. */
  interrupted?: boolean;
}

export interface ApplyOptions extends CommonOptions {
  /** Called with the plan before anything is written; return false to cancel. */
  confirm?: (plan: Plan) => Promise<boolean> | boolean;
  /** After a successful apply, prove each daemon gets a token its API accepts (tenantform verify). */
  verify?: boolean;
  /** GitHub Actions: mask every secret (::add-mask::) before it could be printed, and append the outputs' values to $GITHUB_OUTPUT. */
  githubOutput?: GithubOutputs;
  /** Abort to stop after the changes in progress (Ctrl-C): nothing new starts; the result says what was done. */
  signal?: AbortSignal;
}

export async function plan(opts: CommonOptions): Promise<PlanResult> {
  const g = await gatherAndPlan(gatherApply(opts), opts.saveSnapshot);
  await g.io.close();
  return { plan: g.plan, empty: isEmpty(g.plan) };
}

export async function apply(opts: ApplyOptions): Promise<ApplyResult> {
  const result = await applyOnce(opts);
  // A fresh gather: verify reads what the tenant holds now, with the config files just written.
  if (opts.verify && result.ok) {
    const { verify } = await import('../verify/index.js');
    result.verify = await verify({ ...opts, afterApply: true });
  }
  return result;
}

async function applyOnce(opts: ApplyOptions): Promise<ApplyResult> {
  const g = await gatherAndPlan(gatherApply(opts, { lock: 'apply' }), opts.saveSnapshot);
  try {
    if (!isEmpty(g.plan) && opts.confirm && !(await opts.confirm(g.plan))) {
      return { plan: g.plan, results: [], outputs: [], ok: false, graphRequests: 0 };
    }
    return await execute(g, opts);
  } finally {
    await g.io.close();
  }
}

/** Every application the stacks manage, as the id map names them. */
function managedApps(s: ApplySnapshot): Array<{ ref: string; uniqueName: string }> {
  return s.stacks.flatMap((st) => st.applications.map((a) => ({ ref: appRef(st.name, a.key), uniqueName: a.uniqueName })));
}

function outputSources(g: Gathered<ApplySnapshot>, refs: ApplyContext['refs'], env: CommonOptions['env']): OutputSources {
  const { snapshot: s, io } = g;
  return {
    stacks: s.stacks,
    live: s.live,
    authorityHost: s.tenant.authorityHost,
    local: s.tenant.kind === 'local',
    secrets: io.secrets,
    certificates: io.certificates,
    cwd: io.cwd,
    env,
    refs,
  };
}

async function execute(g: Gathered<ApplySnapshot> & { plan: Plan }, opts: ApplyOptions): Promise<ApplyResult> {
  const { snapshot: s, io } = g;
  const transport = io.connection.transport;
  const before = transport.stats.requests;
  // GitHub Actions: mask what we know before anything runs; new secrets are masked the moment Graph returns them.
  const mask = opts.githubOutput ? masker(opts.githubOutput) : undefined;
  for (const v of mask ? io.secrets.values() : []) mask!(v);
  const refs = refsFromLive(s.live, managedApps(s));
  const src = outputSources(g, refs, opts.env);
  const outputs = outputWriter(src, opts.onWrite);
  const ctx: ApplyContext = {
    transport: stoppable(transport, opts.signal),
    deadline: io.connection.deadline,
    refs,
    secrets: io.secrets,
    certificates: io.certificates,
    cwd: io.cwd,
    env: opts.env,
    onSecretValue: mask,
    progress: stoppableProgress(opts.progress, opts.signal),
    onWrite: opts.onWrite,
    writeOutput: async (c) => outputs.write(c.path),
  };
  await collectRemovedCertificates(ctx, s.live, s.stacks);
  const { results, interrupted } = markStopped(await executePlan(ctx, g.plan), opts.signal);
  const ok = results.every((r) => r.status === 'done');
  if (ok && opts.githubOutput) {
    publishGithubOutputs(opts.githubOutput, s.stacks, (i) => currentValues(src, s.stacks[i]), mask);
  }
  return { plan: g.plan, results, outputs: outputs.written, ok, graphRequests: transport.stats.requests - before, ...(interrupted ? { interrupted } : {}) };
}

/** Re-render every output file from the live tenant and the stored secrets (no Graph writes; the plan is only checked). */
export async function output(opts: CommonOptions & { githubOutput?: GithubOutputs }): Promise<{ outputs: string[] }> {
  const g = await gatherApply(opts);
  try {
    const { snapshot: s } = g;
    // The plan is not executed, but its refusals (not our application, a holder in the recycle bin) hold here too.
    createPlan(s);
    const refs = refsFromLive(s.live, managedApps(s));
    const src = outputSources(g, refs, opts.env);
    if (opts.githubOutput) publishGithubOutputs(opts.githubOutput, s.stacks, (i) => currentValues(src, s.stacks[i]));
    const outputs = outputWriter(src, opts.onWrite);
    for (const path of new Set(s.stacks.flatMap((st) => st.outputs.map((o) => o.path)))) outputs.write(path);
    if (!outputs.written.length) throw new TenantformError('USAGE', 'The manifests declare no outputs.');
    return { outputs: outputs.written };
  } finally {
    await g.io.close();
  }
}
