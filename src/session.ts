import type { TokenCredential } from '@azure/identity';
import { TenantformError } from './errors.js';
import { readLive } from './graph/reader.js';
import { describeIdentity, resolveTarget, type Target } from './graph/target.js';
import { GraphTransport } from './graph/transport.js';
import type { LiveState } from './graph/live.js';
import { loadManifests } from './manifest/index.js';
import { ownerOf, type DesiredStack } from './model/desired.js';
import { plannedOutputs, type OutputEnv } from './outputs/index.js';
import { SecretStore } from './outputs/secret-cache.js';
import { createPlan } from './plan/index.js';
import { toPlanStack } from './plan/input.js';
import type { Plan } from './plan/types.js';

/** Options shared by plan, apply and output (CLI flags and the programmatic API). */
export interface CommonOptions {
  manifests: string[];
  vars?: Record<string, string>;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** 'local' (default), a tenant id or a domain. */
  tenant?: string;
  graphUrl?: string;
  authorityHost?: string;
  auth?: 'default' | 'device-code';
  credential?: TokenCredential;
  ca?: string;
  localStateFile?: string;
  localPort?: number;
  /** Where the 0600 secret cache lives (default ./.tenantform/secrets). */
  secretsDir?: string;
  /** Longest wait for replication, ms (default 5 minutes). */
  timeoutMs?: number;
  progress?: (line: string) => void;
}

export interface Session {
  stacks: DesiredStack[];
  target: Target;
  transport: GraphTransport;
  live: LiveState;
  secrets: SecretStore;
  plan: Plan;
  outputEnv: OutputEnv;
  deadline: number;
  close(): Promise<void>;
}

/** load manifests → resolve the tenant → read live state (batched) → diff. Nothing is written. */
export async function openSession(opts: CommonOptions): Promise<Session> {
  const cwd = opts.cwd ?? process.cwd();
  const { stacks } = await loadManifests(opts.manifests, { vars: opts.vars, env: opts.env, cwd });
  const target = await resolveTarget(opts);
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    const who = await describeIdentity(target);
    const transport = new GraphTransport({ graphUrl: target.graphUrl, credential: target.credential, ca: target.ca });
    const planStacks = stacks.map(toPlanStack);
    const live = await readLive(transport, {
      uniqueNames: planStacks.flatMap((s) => s.applications.map((a) => a.uniqueName)),
      resources: [...new Set(planStacks.flatMap((s) => s.applications.flatMap((a) => a.permissions.flatMap((p) => (p.api.kind === 'tenant' ? [p.api.name] : [])))))],
      deadline,
    });
    checkOwnership(stacks, live);
    const secrets = SecretStore.forTenant(live.tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`);
    const outputEnv: OutputEnv = { cwd, authorityHost: target.authorityHost, local: target.kind === 'local' };
    const tenant = { id: live.tenant.id, kind: target.kind, identity: who.identity, type: live.tenant.tenantType };
    const inputs = { stacks: planStacks, live, secrets: secrets.snapshot(), tenant, now: Date.now() };
    const draft = createPlan(inputs);
    const plan = createPlan({ ...inputs, outputs: plannedOutputs(stacks, live, secrets, outputEnv, draft) });
    return { stacks, target, transport, live, secrets, plan, outputEnv, deadline, close: () => target.close() };
  } catch (e) {
    await target.close();
    throw e;
  }
}

/** An application we would manage must carry our stack's ownership marker; anything else is not ours. */
function checkOwnership(stacks: DesiredStack[], live: LiveState): void {
  for (const s of stacks) {
    for (const a of s.applications) {
      const l = live.applications[a.uniqueName.toLowerCase()];
      if (!l) continue;
      const owner = ownerOf(l.app.tags);
      if (owner !== s.name) {
        throw new TenantformError(
          'CONFLICT',
          `Application "${l.app.displayName}" (uniqueName ${a.uniqueName}, appId ${l.app.appId}) exists but ${owner ? `belongs to stack "${owner}"` : 'is not owned by tenantform'}. Choose another stack name, or adopt it with tenantform import.`,
          { uniqueName: a.uniqueName, appId: l.app.appId, owner },
        );
      }
    }
  }
}
