/**
 * gather for plan / apply / output / verify: ALL the I/O a plan depends on, once — load the manifests, resolve
 * the tenant and sign in, read Graph (two batched round trips, plus the recycle bin when asked), read the local
 * caches and the output files — into one plain ApplySnapshot. What apply needs to act on it (the connection,
 * the stores) comes along in `io`; the planner never sees it.
 */
import { CertificateStore } from '../credentials/store.js';
import { readDeletedServicePrincipals } from '../graph/deleted.js';
import { readLive } from '../graph/reader.js';
import { SNAPSHOT_FORMAT_VERSION, type ApplySnapshot } from '../model/snapshot.js';
import type { CommonOptions } from '../options.js';
import { lockStacks } from '../local/stack-lock.js';
import { SecretStore } from '../outputs/secret-cache.js';
import { deletedHolders } from '../plan/recover.js';
import { connectHolding } from './connect.js';
import { readLocalState } from './local.js';
import { loadStacks } from './manifests.js';
import { fixedIdentifierUris, tenantResources, tenantUsers, type Gathered } from './types.js';

export type { Gathered, GatherIO } from './types.js';

/** `lock`: the command that will write (apply), which takes the stacks' locks before the tenant is read (local/stack-lock.ts). */
export async function gatherApply(opts: CommonOptions, o: { lock?: string } = {}): Promise<Gathered<ApplySnapshot>> {
  if (opts.homeTenant) {
    const { gatherCustomer } = await import('./customer.js');
    return gatherCustomer({ ...opts, homeTenant: opts.homeTenant });
  }
  const cwd = opts.cwd ?? process.cwd();
  const { stacks, warnings: manifestWarnings } = await loadStacks({ ...opts, cwd });
  const lock = o.lock ? lockStacks({ cwd, tenant: opts.tenant ?? 'local', stacks: stacks.map((s) => s.name), command: o.lock }) : undefined;
  const { connection, close } = await connectHolding(opts, lock);
  try {
    const { transport, deadline, target } = connection;
    const live = await readLive(transport, {
      uniqueNames: stacks.flatMap((s) => s.applications.map((a) => a.uniqueName)),
      resources: tenantResources(stacks),
      policies: stacks.some((s) => s.conditionalAccessPolicies.length > 0),
      identifierUris: fixedIdentifierUris(stacks),
      users: tenantUsers(stacks),
      deadline,
    });
    // The recycle bin's service principals matter only when the user chose to restore or purge holders.
    const holders = opts.deletedApps ? deletedHolders(stacks, live) : [];
    const deletedServicePrincipals = holders.length ? await readDeletedServicePrincipals(transport, holders, deadline) : undefined;
    const secrets = SecretStore.forTenant(live.tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, {
      persist: opts.secretCache !== false,
      onWrite: opts.onWrite,
    });
    const certificates = CertificateStore.forTenant(live.tenant.id, opts.certificatesDir ?? `${cwd}/.tenantform/certificates`, { onWrite: opts.onWrite });
    const snapshot: ApplySnapshot = {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      operation: 'apply',
      now: Date.now(),
      manifestWarnings,
      tenant: {
        id: live.tenant.id,
        kind: target.kind,
        identity: connection.identity,
        permissions: connection.permissions,
        type: live.tenant.tenantType,
        authorityHost: target.authorityHost,
      },
      stacks,
      live,
      local: readLocalState({ stacks, live, secrets, certificates, cwd, env: opts.env }),
      flags: { rotateSecrets: opts.rotateSecrets, rotateCertificates: opts.rotateCertificates, deletedApps: opts.deletedApps },
      ...(deletedServicePrincipals ? { deletedServicePrincipals } : {}),
    };
    return { snapshot, io: { connection, secrets, certificates, cwd, close } };
  } catch (e) {
    await close();
    throw e;
  }
}
