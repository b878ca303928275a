import type { Application, FederatedIdentityCredential, Organization, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import { batchRequests } from './batch.js';
import { filters, inChunks, paths, userCountHeaders } from './paths.js';
import { policyReads, toConditionalAccess, toPremium } from './policies.js';
import { expectOk, listOf, splitExpanded } from './read-results.js';
import { APP_SELECT, SP_SELECT } from './select.js';
import { servicePrincipalSpecs, toServicePrincipalReads } from './sp-reads.js';
import type { LiveApplication, LiveState, LiveTenant } from '../model/live.js';
import type { GraphRequestSpec, GraphResponse, GraphSender } from './transport.js';
import { GUID } from '../model/guid.js';

export { expectOk, listOf } from './read-results.js';

export interface ReadRequest {
  /** uniqueNames of the applications the manifests manage. */
  uniqueNames: string[];
  /** Names (service principal display names or appIds) of tenant APIs the manifests ask permissions on. */
  resources: string[];
  /** A stack declares conditional access policies: also read the tenant's licenses (policies are always read). */
  policies?: boolean;
  /** Fixed identifier URIs (no `{appId}`) the manifests declare: who holds each now (they are unique in a tenant). */
  identifierUris?: string[];
  /** Users the manifests name (userPrincipalNames or object ids): per-user consent and conditional access. */
  users?: string[];
  deadline: number;
}

/**
 * An application's federated identity credentials come with it: `$expand=federatedIdentityCredentials` (a navigation
 * of application that "Supports $expand", https://learn.microsoft.com/graph/api/resources/application). $expand
 * returns at most 20 related objects, and an application holds at most 20 of these
 * (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential), so the list is whole. With $select
 * the read still costs 1 RU, where the separate list cost 1 more per application.
 */
const FICS = 'federatedIdentityCredentials';

/**
 * Read everything plan needs in two batched round trips, whatever the number of applications:
 *  1. organization + the tenant's number of users (the throttle gate's bucket, below) + each application by
 *     uniqueName (its federated credentials inlined) + each named resource API + the recycle bin by uniqueName (15 per read);
 *  2. the service principals of the existing applications (15 per read, app role assignments inlined) and each
 *     one's delegated grants, addressed by appId, so no third round trip for object ids (graph/sp-reads.ts).
 * A third round trip happens only when an expansion may have been cut (20 assignments on one SP).
 */
export async function readLive(transport: GraphSender, req: ReadRequest): Promise<LiveState> {
  // The organization, the users' count, then the applications.
  const appsAt = 2;
  const round1: GraphRequestSpec[] = [
    { method: 'GET', path: paths.organization },
    // The tenant's users tell its size, so its resource unit bucket (S < 50, M ≤ 500, L): the throttle gate reads the
    // answer as it passes and lets the rest of this round, and the next, go out as the bucket holds (graph/gate.ts).
    // In the first envelope, so it is known after one round trip. 1 RU (no row in throttling-limits' table). Nothing
    // here reads it: a 403 (no User.Read.All), B2C's 400 or any other answer only leaves the gate as it was.
    { method: 'GET', path: paths.userCount, headers: { ...userCountHeaders } },
    ...req.uniqueNames.map((u) => ({ method: 'GET' as const, path: paths.applicationByUniqueName(u, APP_SELECT, FICS) })),
    ...req.resources.map((name) => ({
      method: 'GET' as const,
      path: GUID.test(name) ? paths.servicePrincipalByAppId(name, SP_SELECT) : paths.servicePrincipalsNamed(name),
    })),
  ];
  // Soft-deleted apps holding our uniqueNames (same round trip): an upsert would otherwise answer "uniqueName
  // already exists" until the deadline. Filtering deletedItems on uniqueName (with eq or in) is UNCONFIRMED for the
  // real service, so a refused lookup only costs the early diagnosis (see deletedHolders).
  const deletedAt = round1.length;
  round1.push(...inChunks(req.uniqueNames).map((us) => ({ method: 'GET' as const, path: paths.deletedApplicationsWhere(filters.uniqueNameIn(us)) })));
  // Policies are read even when no stack declares any: one the manifest dropped must still be deleted.
  const policiesAt = round1.length;
  round1.push(...policyReads(!!req.policies));
  const urisAt = round1.length;
  const uris = req.identifierUris ?? [];
  round1.push(...uris.map((u) => ({ method: 'GET' as const, path: paths.applicationsWhere(filters.identifierUri(u), 'id,appId,displayName,uniqueName') })));
  const usersAt = round1.length;
  const userNames = req.users ?? [];
  round1.push(...userNames.map((u) => ({ method: 'GET' as const, path: paths.user(u) })));
  const r1 = await batchRequests(transport, round1, { deadline: req.deadline });
  const users = toUsers(userNames, r1.slice(usersAt, usersAt + userNames.length));
  const conditionalAccess = await toConditionalAccess(transport, r1[policiesAt]);
  const identifierUriHolders: NonNullable<LiveState['identifierUriHolders']> = {};
  uris.forEach((u, i) => {
    const res = r1[urisAt + i];
    // A refused or unsupported lookup only costs the early diagnosis: Graph still refuses the write.
    if (res.status !== 200) return;
    const holders = (res.body as { value?: Application[] }).value ?? [];
    if (holders.length)
      identifierUriHolders[u.toLowerCase()] = holders.map((a) => ({
        appId: String(a.appId),
        displayName: String(a.displayName ?? ''),
        uniqueName: a.uniqueName ?? null,
      }));
  });
  const premium = req.policies ? toPremium(r1[policiesAt + 1]) : undefined;
  const tenant = toTenant(expectOk(r1[0], 'read the organization', ['Organization.Read.All']));
  const applications: Record<string, LiveApplication> = {};
  const found: Array<{ uniqueName: string; app: Application; fics?: FederatedIdentityCredential[] }> = [];
  req.uniqueNames.forEach((u, i) => {
    const res = r1[appsAt + i];
    if (res.status === 404) return;
    const { entity, expanded } = splitExpanded<Application, FederatedIdentityCredential>(
      expectOk(res, `read application ${u}`, ['Application.Read.All']) as Application,
      FICS,
    );
    found.push({ uniqueName: u, app: entity, fics: expanded });
  });
  const resources: LiveState['resources'] = {};
  req.resources.forEach((name, i) => {
    const res = r1[appsAt + req.uniqueNames.length + i];
    if (res.status === 404) {
      resources[name] = null;
      return;
    }
    const body = expectOk(res, `look up the API "${name}"`, ['Application.Read.All']) as ServicePrincipal & { value?: ServicePrincipal[] };
    const list = body.value ?? [body];
    if (list.length > 1) {
      throw new TenantformError('RESOLVE_FAILED', `The API name "${name}" matches ${list.length} service principals in the tenant; use its appId instead.`, {
        name,
      });
    }
    resources[name] = list[0] ? { servicePrincipal: list[0] } : null;
  });

  const appIds = found.map(({ app }) => String(app.appId));
  const spSpecs = servicePrincipalSpecs(appIds);
  // An answer without the expanded list (a service that ignored the $expand) is read the old way, in this round trip.
  const ficReads = found.flatMap((f, i) => (f.fics ? [] : [{ at: i, spec: { method: 'GET' as const, path: paths.federatedCredentials(String(f.app.id)) } }]));
  const round2 = [...spSpecs, ...ficReads.map((f) => f.spec)];
  const r2 = round2.length ? await batchRequests(transport, round2, { deadline: req.deadline }) : [];
  const uniqueNameOf = new Map(found.map((f) => [String(f.app.appId).toLowerCase(), f.uniqueName]));
  const sps = await toServicePrincipalReads(transport, appIds, r2.slice(0, spSpecs.length), {
    deadline: req.deadline,
    name: (appId) => uniqueNameOf.get(appId.toLowerCase()) ?? appId,
  });
  ficReads.forEach((f, k) => {
    found[f.at].fics = listOf(r2[spSpecs.length + k], `read federated credentials of ${found[f.at].uniqueName}`);
  });
  found.forEach(({ uniqueName, app, fics }, i) => {
    applications[uniqueName.toLowerCase()] = { app, ...sps[i], federatedCredentials: fics ?? [] };
  });
  return {
    tenant,
    applications,
    resources,
    deletedApplications: deletedHolders(r1.slice(deletedAt, policiesAt)),
    conditionalAccess,
    ...(premium ? { premium } : {}),
    ...(uris.length ? { identifierUriHolders } : {}),
    ...(userNames.length ? { users } : {}),
  };
}

/** Each named user, or null when Graph has none by that name (404). Reading users needs User.Read.All (user-get). */
function toUsers(names: string[], answers: GraphResponse[]): NonNullable<LiveState['users']> {
  const out: NonNullable<LiveState['users']> = {};
  names.forEach((name, i) => {
    const res = answers[i];
    if (res.status === 404) {
      out[name.toLowerCase()] = null;
      return;
    }
    const u = expectOk(res, `look up the user ${name}`, ['User.Read.All']) as { id: string; userPrincipalName: string };
    out[name.toLowerCase()] = { id: String(u.id).toLowerCase(), userPrincipalName: String(u.userPrincipalName) };
  });
  return out;
}

/** Deleted applications by uniqueName (lower-cased) from the recycle-bin lookups of round 1. */
function deletedHolders(responses: GraphResponse[]): Record<string, Application> {
  const out: Record<string, Application> = {};
  for (const res of responses) {
    if (res.status !== 200) continue; // 429 after the deadline or an unsupported filter: no early diagnosis
    for (const app of (res.body as { value?: Application[] }).value ?? []) if (app.uniqueName) out[app.uniqueName.toLowerCase()] = app;
  }
  return out;
}

/** The tenant from `GET /organization` (also used by the destroy and import readers). */
export function toTenant(body: unknown): LiveTenant {
  const org = ((body as { value?: Organization[] }).value ?? [])[0];
  if (!org?.id) throw new TenantformError('GRAPH_ERROR', 'Microsoft Graph returned no organization for this tenant.');
  const domains = (org.verifiedDomains ?? []).map((d) => d.name!).filter(Boolean);
  const initial = (org.verifiedDomains ?? []).find((d) => d.isInitial)?.name ?? domains.find((d) => d.endsWith('.onmicrosoft.com'));
  return {
    id: org.id,
    displayName: org.displayName ?? undefined,
    tenantType: org.tenantType ?? undefined,
    subdomain: initial?.replace(/\.onmicrosoft\.com$/i, ''),
    verifiedDomains: domains,
  };
}
