/**
 * Teardown: `destroy()` removes everything the stacks own (found by their ownership tag, and by the
 * uniqueNames their manifests declare), in reverse dependency order, and with `purge` also from the
 * recycle bin. A sweep (`stackPrefix` + `olderThanMs`) does the same for every stack whose name starts
 * with the prefix and whose applications are all older than the cutoff — what crashed CI runs left.
 * Nothing without the stack's ownership tag is ever planned for deletion.
 */
import { rmSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppIds } from '../apply/context.js';
import { executePlan, type ChangeResult } from '../apply/execute.js';
import { TenantformError } from '../errors.js';
import { describeIdentity, resolveTarget } from '../graph/target.js';
import { GraphTransport } from '../graph/transport.js';
import { loadManifests } from '../manifest/index.js';
import type { DesiredStack } from '../model/desired.js';
import { SecretStore } from '../outputs/secret-cache.js';
import { isEmpty, type Plan } from '../plan/types.js';
import type { CommonOptions } from '../session.js';
import { stackSuffixOf, withStackSuffix } from './ephemeral.js';
import { createDestroyPlan, onlyStacks, staleStacks } from './plan.js';
import { readOwned, type OwnedState } from './read.js';

export interface DestroyOptions extends Omit<CommonOptions, 'manifests'> {
  /** Manifests of the stacks to destroy (optional for a sweep). */
  manifests?: string[];
  /** Also delete permanently from directory/deletedItems (apps and their service principals). */
  purge?: boolean;
  /** Also delete the output files the manifests declare. */
  removeOutputs?: boolean;
  /** Sweep every stack whose name starts with this prefix (e.g. `ci-`). */
  stackPrefix?: string;
  /** With stackPrefix: only stacks whose applications were all created at least this long ago. */
  olderThanMs?: number;
  /** "Now" for olderThanMs, ms since epoch (default Date.now(); tests pass the emulator's clock). */
  now?: number;
  /** Called with a non-empty plan (and the output files removeOutputs would delete) before anything is deleted; return false to cancel. */
  confirm?: (plan: Plan, local: { outputs: string[] }) => Promise<boolean> | boolean;
}

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
}

/** What destroy would delete. Writes nothing. */
export async function planDestroy(opts: DestroyOptions): Promise<DestroyPlanResult> {
  const s = await openDestroy(opts);
  try {
    return { plan: s.plan, empty: isEmpty(s.plan), outputs: s.outputs };
  } finally {
    await s.close();
  }
}

export async function destroy(opts: DestroyOptions): Promise<DestroyResult> {
  const s = await openDestroy(opts);
  try {
    const base = { plan: s.plan, empty: isEmpty(s.plan), outputs: s.outputs };
    if ((!isEmpty(s.plan) || s.outputs.length) && opts.confirm && !(await opts.confirm(s.plan, { outputs: s.outputs }))) {
      return { ...base, results: [], ok: false, cancelled: true, removedOutputs: [], forgottenSecrets: [], graphRequests: 0 };
    }
    const before = s.transport.stats.requests;
    const results = await executePlan(
      { transport: s.transport, deadline: s.deadline, refs: refsOf(s.state), secrets: s.secrets, progress: opts.progress, onWrite: opts.onWrite },
      s.plan,
      { writeOutput: async () => Promise.reject(new Error('internal: a destroy plan writes no output')) },
    );
    const failedStacks = new Set(results.filter((r) => r.status !== 'done').map((r) => stackOf(s.plan, r.id)));
    const done = [...new Set([...s.plan.stacks, ...s.stacks.map((x) => x.name)])].filter((x) => !failedStacks.has(x));
    const forgottenSecrets = await forgetSecrets(s.secrets, done);
    const removedOutputs = opts.removeOutputs ? removeOutputs(s.stacks.filter((x) => done.includes(x.name)), s.cwd) : [];
    return { ...base, results, ok: failedStacks.size === 0, cancelled: false, removedOutputs, forgottenSecrets, graphRequests: s.transport.stats.requests - before };
  } finally {
    await s.close();
  }
}

interface DestroySession {
  stacks: DesiredStack[];
  state: OwnedState;
  plan: Plan;
  transport: GraphTransport;
  secrets: SecretStore;
  outputs: string[];
  cwd: string;
  deadline: number;
  close(): Promise<void>;
}

async function openDestroy(opts: DestroyOptions): Promise<DestroySession> {
  const cwd = opts.cwd ?? process.cwd();
  const manifests = opts.manifests ?? [];
  if (!manifests.length && !opts.stackPrefix) throw new TenantformError('USAGE', 'Name the manifests of the stacks to destroy, or sweep with --stack-prefix.');
  if (opts.stackPrefix !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(opts.stackPrefix)) {
    throw new TenantformError('USAGE', `--stack-prefix "${opts.stackPrefix}" must be the start of a stack name: lowercase letters, digits and hyphens, not empty.`);
  }
  if (opts.olderThanMs !== undefined && !opts.stackPrefix) throw new TenantformError('USAGE', '--older-than only applies to a sweep: add --stack-prefix.');
  const suffix = stackSuffixOf(opts);
  const stacks = manifests.length ? withStackSuffix((await loadManifests(manifests, { vars: opts.vars, env: opts.env, cwd })).stacks, suffix) : [];
  const target = await resolveTarget(opts);
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    const who = await describeIdentity(target);
    const transport = new GraphTransport({ graphUrl: target.graphUrl, credential: target.credential, ca: target.ca });
    let state = await readOwned(transport, {
      stacks: stacks.map((x) => ({ name: x.name, uniqueNames: x.applications.map((a) => a.uniqueName) })),
      prefix: opts.stackPrefix,
      deleted: !!opts.purge,
      deadline,
    });
    if (opts.stackPrefix && opts.olderThanMs !== undefined) {
      const stale = staleStacks(onlyStacks(state, (x) => !stacks.some((m) => m.name === x)), (opts.now ?? Date.now()) - opts.olderThanMs);
      state = onlyStacks(state, (x) => stale.has(x) || stacks.some((m) => m.name === x));
    }
    const now = opts.now ?? Date.now();
    const plan = createDestroyPlan({ state, purge: !!opts.purge, tenant: { id: state.tenant.id, kind: target.kind, identity: who.identity, type: state.tenant.tenantType }, now });
    const secrets = SecretStore.forTenant(state.tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, { onWrite: opts.onWrite });
    const outputs = opts.removeOutputs ? stacks.flatMap((x) => x.outputs.map((o) => o.path)).filter((p) => existsSync(resolve(cwd, p))) : [];
    return { stacks, state, plan, transport, secrets, outputs, cwd, deadline, close: () => target.close() };
  } catch (e) {
    await target.close();
    throw e;
  }
}

/** The id map the shared executors use (messages name apps by uniqueName; remove-secret needs object ids). */
function refsOf(state: OwnedState): Map<string, AppIds> {
  const refs = new Map<string, AppIds>();
  for (const a of state.apps) {
    refs.set(a.ref, { uniqueName: a.app.uniqueName ?? String(a.app.displayName), objectId: String(a.app.id), appId: String(a.app.appId), servicePrincipalId: a.servicePrincipal?.id ?? undefined });
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
