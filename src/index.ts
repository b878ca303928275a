/**
 * tenantform's programmatic API: the same code paths as the CLI, with typed results.
 *   import { plan, apply, output, destroy } from 'tenantform';
 */
import { executePlan, type ChangeResult } from './apply/execute.js';
import { refsFromLive, type ApplyContext } from './apply/context.js';
import { TenantformError } from './errors.js';
import { outputValues, writeOutputFile } from './outputs/index.js';
import { masker, publishGithubOutputs, type GithubOutputs } from './outputs/github.js';
import { collectRemovedCertificates } from './apply/keys.js';
import { isEmpty, type Plan } from './plan/types.js';
import { openSession, type CommonOptions, type Session } from './session.js';
import { verify, type VerifyResult } from './verify/index.js';

export type { CommonOptions } from './session.js';
export type { Plan, Change } from './plan/types.js';
export type { ChangeResult } from './apply/execute.js';
export { TenantformError, isTenantformError } from './errors.js';
export { createEmulator } from './emulator/index.js';
// Teardown, sweeps of ephemeral stacks, and adoption (tenantform destroy / import).
export { destroy, planDestroy, type DestroyOptions, type DestroyResult, type DestroyPlanResult } from './destroy/index.js';
export { adopt, planImport, type ImportOptions, type ImportResult } from './import/index.js';
export { PlanSchema, planJsonSchema } from './plan/schema.js';
// Prove the registration works end to end (tenantform verify, consent-url); see docs/verify.md.
export { verify, adminConsentUrls, type VerifyOptions, type VerifyResult, type VerifyCheck, type Diagnosis } from './verify/index.js';
export { consentUrl, type ConsentUrlOptions, type ConsentUrlResult } from './verify/consent-url.js';

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
  /** With `verify: true` and a successful apply: the verify result (src/verify). */
  verify?: VerifyResult;
}

export interface ApplyOptions extends CommonOptions {
  /** Called with the plan before anything is written; return false to cancel. */
  confirm?: (plan: Plan) => Promise<boolean> | boolean;
  /** After a successful apply, prove each daemon gets a token its API accepts (tenantform verify). */
  verify?: boolean;
  /** GitHub Actions: mask every secret (::add-mask::) before it could be printed, and append the outputs' values to $GITHUB_OUTPUT. */
  githubOutput?: GithubOutputs;
}

export async function apply(opts: ApplyOptions): Promise<ApplyResult> {
  const result = await applyOnce(opts);
  // A fresh session: verify reads what the tenant holds now, with the config files just written.
  if (opts.verify && result.ok) result.verify = await verify({ ...opts, afterApply: true });
  return result;
}

async function applyOnce(opts: ApplyOptions): Promise<ApplyResult> {
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

async function execute(s: Session, opts: ApplyOptions): Promise<ApplyResult> {
  const before = s.transport.stats.requests;
  const apps = s.stacks.flatMap((st) => st.applications.map((a) => ({ ref: `app:${st.name}/${a.key}`, uniqueName: a.uniqueName })));
  // GitHub Actions: mask what we know before anything runs; new secrets are masked the moment Graph returns them.
  const mask = opts.githubOutput ? masker(opts.githubOutput) : undefined;
  for (const v of mask ? s.secrets.values() : []) mask!(v);
  const ctx: ApplyContext = {
    transport: s.transport,
    deadline: s.deadline,
    refs: refsFromLive(s.live, apps),
    secrets: s.secrets,
    certificates: s.certificates,
    cwd: s.outputEnv.cwd,
    env: opts.env,
    onSecretValue: mask,
    progress: opts.progress,
    onWrite: opts.onWrite,
  };
  await collectRemovedCertificates(ctx, s.live, s.stacks);
  const written: string[] = [];
  const results = await executePlan(ctx, s.plan, {
    writeOutput: async (c) => {
      for (const stack of s.stacks) {
        const o = stack.outputs.find((x) => x.path === c.path);
        if (!o) continue;
        const appIdOf = (key: string) => ctx.refs.get(`app:${stack.name}/${key}`)?.appId;
        writeOutputFile(o, outputValues(stack, s.live, s.secrets, s.outputEnv, appIdOf), s.outputEnv.cwd, { onWrite: opts.onWrite });
        written.push(o.path);
      }
    },
  });
  const ok = results.every((r) => r.status === 'done');
  if (ok && opts.githubOutput) {
    publishGithubOutputs(opts.githubOutput, s.stacks, (i) => outputValues(s.stacks[i], s.live, s.secrets, s.outputEnv, (key) => ctx.refs.get(`app:${s.stacks[i].name}/${key}`)?.appId), mask);
  }
  return { plan: s.plan, results, outputs: written, ok, graphRequests: s.transport.stats.requests - before };
}

/** Re-render every output file from the live tenant and the stored secrets (no Graph writes). */
export async function output(opts: CommonOptions & { githubOutput?: GithubOutputs }): Promise<{ outputs: string[] }> {
  const s = await openSession(opts);
  try {
    const written: string[] = [];
    if (opts.githubOutput) {
      const gh = opts.githubOutput;
      const appIdOf = (i: number) => (key: string) => s.live.applications[s.stacks[i].applications.find((a) => a.key === key)!.uniqueName.toLowerCase()]?.app.appId ?? undefined;
      publishGithubOutputs(gh, s.stacks, (i) => outputValues(s.stacks[i], s.live, s.secrets, s.outputEnv, appIdOf(i)));
    }
    for (const stack of s.stacks) {
      const appIdOf = (key: string) => s.live.applications[stack.applications.find((a) => a.key === key)!.uniqueName.toLowerCase()]?.app.appId ?? undefined;
      for (const o of stack.outputs) {
        writeOutputFile(o, outputValues(stack, s.live, s.secrets, s.outputEnv, appIdOf), s.outputEnv.cwd, { onWrite: opts.onWrite });
        written.push(o.path);
      }
    }
    if (!written.length) throw new TenantformError('USAGE', 'The manifests declare no outputs.');
    return { outputs: written };
  } finally {
    await s.close();
  }
}
