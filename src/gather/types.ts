import type { CertificateStore } from '../credentials/store.js';
import { APP_ID_PLACEHOLDER, type DesiredStack } from '../model/desired.js';
import type { SecretStore } from '../outputs/secret-cache.js';
import type { Connection } from './connect.js';
import { GUID } from '../model/guid.js';
import { CA_USER_KEYWORDS } from '../model/policies.js';

const isUserKeyword = (u: string) => CA_USER_KEYWORDS.some((k) => k.toLowerCase() === u.toLowerCase());

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

/** Users the manifests name, as written (per-user consent; conditional access users that are not keywords). */
export function tenantUsers(stacks: DesiredStack[]): string[] {
  const consent = stacks.flatMap((s) => s.applications.flatMap((a) => a.permissions.flatMap((p) => (p.userConsent ?? []).map((u) => u.user))));
  const policies = stacks.flatMap((s) =>
    (s.conditionalAccessPolicies ?? []).flatMap((p) => [...p.users.includeUsers, ...p.users.excludeUsers].filter((u) => !isUserKeyword(u))),
  );
  const seen = new Map<string, string>();
  for (const u of [...consent, ...policies]) if (!seen.has(u.toLowerCase())) seen.set(u.toLowerCase(), u);
  return [...seen.values()];
}

/** The identifier URIs the manifests fix (no `{appId}`): the planner checks nobody else holds them. */
export function fixedIdentifierUris(stacks: DesiredStack[]): string[] {
  return [...new Set(stacks.flatMap((s) => s.applications.flatMap((a) => a.identifierUris.filter((u) => !u.includes(APP_ID_PLACEHOLDER)))))];
}
