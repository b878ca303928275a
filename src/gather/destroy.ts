import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { TenantformError } from '../errors.js';
import { readOwned } from '../graph/owned.js';
import type { DesiredStack } from '../model/desired.js';
import { SNAPSHOT_FORMAT_VERSION, type DestroySnapshot } from '../model/snapshot.js';
import type { DestroyOptions } from '../options.js';
import { SecretStore } from '../outputs/secret-cache.js';
import { onlyStacks, staleStacks } from '../plan/destroy.js';
import type { Gathered } from './types.js';
import { connectHolding } from './connect.js';
import { lockStacks } from '../local/stack-lock.js';
import { loadStacks } from './manifests.js';

/** gather for destroy and sweeps: what the stacks own (by ownership tag), the output files that exist. */
export async function gatherDestroy(
  opts: DestroyOptions,
  o: { lock?: boolean } = {},
): Promise<Gathered<DestroySnapshot> & { stacks: DesiredStack[]; outputs: string[] }> {
  const cwd = opts.cwd ?? process.cwd();
  const manifests = opts.manifests ?? [];
  if (!manifests.length && !opts.stackPrefix) throw new TenantformError('USAGE', 'Name the manifests of the stacks to destroy, or sweep with --stack-prefix.');
  if (opts.stackPrefix !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(opts.stackPrefix)) {
    throw new TenantformError(
      'USAGE',
      `--stack-prefix "${opts.stackPrefix}" must be the start of a stack name: lowercase letters, digits and hyphens, not empty.`,
    );
  }
  if (opts.olderThanMs !== undefined && !opts.stackPrefix) throw new TenantformError('USAGE', '--older-than only applies to a sweep: add --stack-prefix.');
  const stacks = manifests.length ? (await loadStacks({ ...opts, manifests, cwd })).stacks : [];
  // The stacks the manifests name are locked like apply's (a sweep by prefix has no stack names to lock).
  const lock = o.lock && stacks.length ? lockStacks({ cwd, tenant: opts.tenant ?? 'local', stacks: stacks.map((x) => x.name), command: 'destroy' }) : undefined;
  const { connection, close } = await connectHolding(opts, lock);
  try {
    let owned = await readOwned(connection.transport, {
      stacks: stacks.map((x) => ({ name: x.name, uniqueNames: x.applications.map((a) => a.uniqueName), policies: x.conditionalAccessPolicies.length })),
      prefix: opts.stackPrefix,
      deleted: !!opts.purge,
      deadline: connection.deadline,
    });
    const now = opts.now ?? Date.now();
    // A sweep keeps only stacks whose applications are all older than the cutoff (plus those named by manifests).
    if (opts.stackPrefix && opts.olderThanMs !== undefined) {
      const stale = staleStacks(
        onlyStacks(owned, (x) => !stacks.some((m) => m.name === x)),
        now - opts.olderThanMs,
      );
      owned = onlyStacks(owned, (x) => stale.has(x) || stacks.some((m) => m.name === x));
    }
    const snapshot: DestroySnapshot = {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      operation: 'destroy',
      now,
      tenant: {
        id: owned.tenant.id,
        kind: connection.target.kind,
        identity: connection.identity,
        type: owned.tenant.tenantType,
        authorityHost: connection.target.authorityHost,
      },
      owned,
      purge: !!opts.purge,
    };
    const secrets = SecretStore.forTenant(owned.tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, { onWrite: opts.onWrite });
    const outputs = opts.removeOutputs ? stacks.flatMap((x) => x.outputs.map((o) => o.path)).filter((p) => existsSync(resolve(cwd, p))) : [];
    return { snapshot, stacks, outputs, io: { connection, secrets, cwd, close } };
  } catch (e) {
    await close();
    throw e;
  }
}
