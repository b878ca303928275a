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
import { CertificateStore } from './credentials/store.js';
import { certificateInputs } from './outputs/certificates.js';
import { credentialsInUse } from './outputs/in-use.js';
import { createPlan } from './plan/index.js';
import { toPlanStack } from './plan/input.js';
import type { Plan } from './plan/types.js';
import { stackSuffixOf, withStackSuffix } from './destroy/ephemeral.js';
import { checkHolders, deletedHolders, readDeletedServicePrincipals, recoveryPlan, withRecovery } from './destroy/recover.js';

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
  /** false: keep secret values only in memory and in outputs — every apply then rotates (docs/credentials.md). */
  secretCache?: boolean;
  /** Where generated certificates live (default ./.tenantform/certificates). */
  certificatesDir?: string;
  /** apply --rotate-secrets / --rotate-certificates: replace managed credentials even if still valid. */
  rotateSecrets?: boolean;
  rotateCertificates?: boolean;
  /** Longest wait for replication, ms (default 5 minutes). */
  timeoutMs?: number;
  /** Appended to every stack name (`<stack>-<suffix>`) for ephemeral copies; default env TENANTFORM_STACK_SUFFIX (see src/destroy/ephemeral.ts). */
  stackSuffix?: string;
  /** What to do with soft-deleted applications of the stack that hold its uniqueNames: restore and reuse them, or purge them. */
  deletedApps?: 'restore' | 'purge';
  /**
   * The tenant that registers the (multi-tenant) applications, when `tenant` is a customer tenant: then only
   * service principals and admin consent are managed there (src/consumer/session.ts, docs/verify.md).
   */
  homeTenant?: string;
  /** Credential for reading the home tenant (default: resolved like the target's, for the home tenant). */
  homeCredential?: TokenCredential;
  progress?: (line: string) => void;
  /**
   * Observer of every completed write (a Graph write, the secret cache, the certificate store, an output
   * file), called right after it and before its result is used; `what` names it, never a value. The crash
   * tests use it to stop an apply after its k-th write (the CLI builds a SIGKILL one: src/cli/crash-observer.ts).
   */
  onWrite?: (what: string) => void;
}

export interface Session {
  stacks: DesiredStack[];
  target: Target;
  transport: GraphTransport;
  live: LiveState;
  secrets: SecretStore;
  /** Generated certificates (src/credentials/store.ts). */
  certificates?: CertificateStore;
  plan: Plan;
  outputEnv: OutputEnv;
  deadline: number;
  close(): Promise<void>;
}

/** load manifests → resolve the tenant → read live state (batched) → diff. Nothing is written. */
export async function openSession(opts: CommonOptions): Promise<Session> {
  if (opts.homeTenant) {
    const { openConsumerSession } = await import('./consumer/session.js');
    return openConsumerSession({ ...opts, homeTenant: opts.homeTenant });
  }
  const cwd = opts.cwd ?? process.cwd();
  const loaded = await loadManifests(opts.manifests, { vars: opts.vars, env: opts.env, cwd });
  const stacks = withStackSuffix(loaded.stacks, stackSuffixOf(opts));
  const target = await resolveTarget(opts);
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    const who = await describeIdentity(target);
    const transport = new GraphTransport({ graphUrl: target.graphUrl, credential: target.credential, ca: target.ca });
    const planStacks = stacks.map(toPlanStack);
    const read = await readLive(transport, {
      uniqueNames: planStacks.flatMap((s) => s.applications.map((a) => a.uniqueName)),
      resources: [...new Set(planStacks.flatMap((s) => s.applications.flatMap((a) => a.permissions.flatMap((p) => (p.api.kind === 'tenant' ? [p.api.name] : [])))))],
      deadline,
    });
    const { live, recovery } = await recoverDeleted({ stacks, live: read, transport, deadline, mode: opts.deletedApps });
    checkOwnership(stacks, live);
    const secrets = SecretStore.forTenant(live.tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, { persist: opts.secretCache !== false, onWrite: opts.onWrite });
    const certificates = CertificateStore.forTenant(live.tenant.id, opts.certificatesDir ?? `${cwd}/.tenantform/certificates`, { onWrite: opts.onWrite });
    const outputEnv: OutputEnv = { cwd, authorityHost: target.authorityHost, local: target.kind === 'local', certificates, env: opts.env };
    const tenant = { id: live.tenant.id, kind: target.kind, identity: who.identity, type: live.tenant.tenantType };
    const inputs = {
      stacks: planStacks,
      live,
      secrets: secrets.snapshot(),
      tenant,
      now: Date.now(),
      // Credentials (src/credentials, docs/credentials.md): local knowledge and what the outputs on disk hold.
      certificates: certificateInputs(stacks, outputEnv),
      inUse: credentialsInUse(stacks, live, cwd),
      rotateSecrets: opts.rotateSecrets,
      rotateCertificates: opts.rotateCertificates,
    };
    const draft = createPlan(inputs);
    const plan = withRecovery(createPlan({ ...inputs, outputs: plannedOutputs(stacks, live, secrets, outputEnv, draft) }), recovery);
    return { stacks, target, transport, live, secrets, certificates, plan, outputEnv, deadline, close: () => target.close() };
  } catch (e) {
    await target.close();
    throw e;
  }
}

/** Soft-deleted holders of our uniqueNames: refuse, or plan against their restore or purge (src/destroy/recover.ts). */
async function recoverDeleted(o: { stacks: DesiredStack[]; live: LiveState; transport: GraphTransport; deadline: number; mode?: 'restore' | 'purge' }) {
  const holders = deletedHolders(o.stacks, o.live);
  checkHolders(holders, o.mode);
  if (!holders.length || !o.mode) return { live: o.live, recovery: [] };
  const sps = await readDeletedServicePrincipals(o.transport, holders, o.deadline);
  const r = recoveryPlan(holders, sps, o.live, o.mode);
  return { live: r.live, recovery: r.changes };
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
