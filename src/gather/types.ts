import type { CertificateStore } from '../credentials/store.js';
import { APP_ID_PLACEHOLDER, type DesiredStack } from '../model/desired.js';
import type { SecretStore } from '../outputs/secret-cache.js';
import type { Connection } from './connect.js';
import { GUID } from '../model/guid.js';

/** What execution needs besides the plan: the tenant connection and the local stores, opened by gather. */
export interface GatherIO {
  connection: Connection;
  secrets: SecretStore;
  /** Generated certificates (src/credentials/store.ts); absent in a customer tenant. */
  certificates?: CertificateStore;
  cwd: string;
  close(): Promise<void>;
}

export interface Gathered<S> {
  snapshot: S;
  io: GatherIO;
}

/** Names of tenant APIs the stacks ask permissions on (looked up in the first read round). */
export function tenantResources(stacks: DesiredStack[]): string[] {
  const apis = stacks.flatMap((s) => s.applications.flatMap((a) => a.permissions.flatMap((p) => (p.api.kind === 'tenant' ? [p.api.name] : []))));
  // Clients named by appId must be in the tenant (knownClientApplications are apps of the same tenant).
  const clients = stacks.flatMap((s) =>
    s.applications.flatMap((a) =>
      [...a.knownClientApplications, ...a.preAuthorizedApplications.map((p) => p.client)].flatMap((c) => (c.kind === 'appId' ? [c.appId] : [])),
    ),
  );
  // Applications a conditional access policy names by appId must be in the tenant, too.
  const policyApps = stacks.flatMap((s) =>
    (s.conditionalAccessPolicies ?? []).flatMap((p) =>
      [...p.applications.include, ...p.applications.exclude].flatMap((r) => (r.kind === 'value' && GUID.test(r.value) ? [r.value] : [])),
    ),
  );
  return [...new Set([...apis, ...clients, ...policyApps])];
}

/** The identifier URIs the manifests fix (no `{appId}`): the planner checks nobody else holds them. */
export function fixedIdentifierUris(stacks: DesiredStack[]): string[] {
  return [...new Set(stacks.flatMap((s) => s.applications.flatMap((a) => a.identifierUris.filter((u) => !u.includes(APP_ID_PLACEHOLDER)))))];
}
