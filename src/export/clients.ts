/**
 * An API's known clients and pre-authorized clients. Exported clients are named by key; other clients by
 * appId when the tenant has them (the planner refuses an appId with no service principal). A client the
 * manifest cannot name is left out of BOTH lists: the planner keeps entries for clients the manifest does
 * not name (plan/diff.ts desiredClients), so leaving it out is what keeps it — and it is reported.
 */
import type { Application } from '@microsoft/microsoft-graph-types';
import { lower, type ExportContext, type Notes } from './context.js';

export interface ExportedClients {
  known: string[];
  preAuthorized: Array<{ app: string; scopes: string[] }>;
}

export function exportClients(ctx: ExportContext, app: Application, notes: Notes): ExportedClients {
  const scopeValue = new Map((app.api?.oauth2PermissionScopes ?? []).filter((s) => s.value).map((s) => [lower(s.id), String(s.value)]));
  const preByClient = new Map<string, string[]>();
  for (const p of app.api?.preAuthorizedApplications ?? []) {
    const ids = [...(preByClient.get(lower(p.appId)) ?? []), ...(p.delegatedPermissionIds ?? []).map(lower)];
    preByClient.set(lower(p.appId), ids);
  }
  const known = [...new Set((app.api?.knownClientApplications ?? []).map(lower))];
  const clients = [...new Set([...known, ...preByClient.keys()])];
  const name = new Map<string, string>();
  for (const client of clients) {
    const key = ctx.keys.get(client);
    const unmapped = (preByClient.get(client) ?? []).filter((id) => !scopeValue.has(id));
    if (key) {
      name.set(client, key);
      if (unmapped.length) {
        notes.warn(`pre-authorizes "${key}" for ${unmapped.join(', ')}, which are not scopes of this API: the next apply drops them`);
      }
      continue;
    }
    if (!ctx.spByAppId.has(client)) {
      notes.warn(`names the client ${client}, which has no service principal in this tenant: left out of the manifest, and kept as it is by apply`);
    } else if (unmapped.length) {
      notes.warn(`pre-authorizes ${client} for ${unmapped.join(', ')}, which are not scopes of this API: that client is left out, and kept as it is by apply`);
    } else name.set(client, client);
  }
  const preAuthorized: ExportedClients['preAuthorized'] = [];
  for (const [client, ids] of preByClient) {
    const as = name.get(client);
    const scopes = [...new Set(ids.flatMap((id) => scopeValue.get(id) ?? []))];
    if (as && scopes.length) preAuthorized.push({ app: as, scopes });
  }
  return { known: known.flatMap((c) => name.get(c) ?? []), preAuthorized };
}
