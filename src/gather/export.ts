/**
 * gather for export: sign in, read the selected applications and what hangs off them (graph/export-reader.ts),
 * and what this machine knows that the planner would (the secret cache), for the exporter's self-check.
 * Read-only: nothing here writes to the tenant or to disk.
 */
import { CertificateStore } from '../credentials/store.js';
import { actingOwner, readForExport } from '../graph/export-reader.js';
import type { ExportRead } from '../model/export.js';
import type { CertificateCache, SecretCache } from '../model/local.js';
import type { TenantFacts } from '../model/snapshot.js';
import type { CommonOptions } from '../options.js';
import { SecretStore } from '../outputs/secret-cache.js';
import { connect } from './connect.js';

/** How the applications to export are chosen; at least one of them. */
export interface ExportSelectionOptions {
  /** appIds or exact display names (`--app`, repeatable). */
  apps?: string[];
  /** OData $filter on /applications (`--filter`). */
  filter?: string;
  /** The applications the acting identity owns (`--owned-by-me`). */
  ownedByMe?: boolean;
}

export interface ExportGathered {
  read: ExportRead;
  tenant: TenantFacts;
  secrets: SecretCache;
  /** This machine's generated certificates of the tenant: a `tenantform:` certificate whose key it holds is kept. */
  certificates: CertificateCache;
  now: number;
}

export async function gatherExport(opts: Omit<CommonOptions, 'manifests'> & ExportSelectionOptions): Promise<ExportGathered> {
  const cwd = opts.cwd ?? process.cwd();
  const connection = await connect(opts);
  try {
    const { target } = connection;
    const ownedBy = opts.ownedByMe ? await actingOwner(target.credential, target.graphUrl, connection.permissions.kind === 'delegated') : undefined;
    const read = await readForExport(connection.transport, {
      apps: opts.apps ?? [],
      filter: opts.filter,
      ownedBy,
      deadline: connection.deadline,
      tenantId: connection.tenantId,
    });
    const secrets = SecretStore.forTenant(read.tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, { persist: opts.secretCache !== false }).snapshot();
    const certificates = CertificateStore.forTenant(read.tenant.id, opts.certificatesDir ?? `${cwd}/.tenantform/certificates`).snapshot();
    return {
      read,
      tenant: {
        id: read.tenant.id,
        kind: target.kind,
        identity: connection.identity,
        permissions: connection.permissions,
        type: read.tenant.tenantType,
        authorityHost: target.authorityHost,
      },
      secrets,
      certificates,
      now: Date.now(),
    };
  } finally {
    await connection.close();
  }
}
