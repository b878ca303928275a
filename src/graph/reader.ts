import type { Application, AppRoleAssignment, OAuth2PermissionGrant, Organization, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import { batchRequests } from './batch.js';
import { graphFailure } from './failure.js';
import { filters, paths } from './paths.js';
import { policyReads, toConditionalAccess, toPremium } from './policies.js';
import { APP_SELECT, SP_SELECT } from './select.js';
import type { LiveApplication, LiveState, LiveTenant } from '../model/live.js';
import type { GraphRequestSpec, GraphResponse, GraphSender } from './transport.js';
import { GUID } from '../model/guid.js';

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
 * Read everything plan needs in two batched round trips, whatever the number of applications:
 *  1. organization + each application by uniqueName + each named resource API;
 *  2. for each existing application: its service principal, app role assignments and delegated grants
 *     (addressed by appId, so no third round trip for object ids).
 */
export async function readLive(transport: GraphSender, req: ReadRequest): Promise<LiveState> {
  const round1: GraphRequestSpec[] = [
    { method: 'GET', path: paths.organization },
    ...req.uniqueNames.map((u) => ({ method: 'GET' as const, path: paths.applicationByUniqueName(u, APP_SELECT) })),
    ...req.resources.map((name) => ({
      method: 'GET' as const,
      path: GUID.test(name) ? paths.servicePrincipalByAppId(name, SP_SELECT) : paths.servicePrincipalsNamed(name),
    })),
  ];
  // Soft-deleted apps holding our uniqueNames (same round trip): an upsert would otherwise answer "uniqueName
  // already exists" until the deadline. Filtering deletedItems on uniqueName is UNCONFIRMED for the real
  // service, so a refused lookup only costs the early diagnosis (see deletedHolders).
  const deletedAt = round1.length;
  round1.push(...req.uniqueNames.map((u) => ({ method: 'GET' as const, path: paths.deletedApplicationsWhere(filters.uniqueName(u)) })));
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
  const found: Array<{ uniqueName: string; app: Application }> = [];
  req.uniqueNames.forEach((u, i) => {
    const res = r1[1 + i];
    if (res.status === 404) return;
    const app = expectOk(res, `read application ${u}`, ['Application.Read.All']) as Application;
    found.push({ uniqueName: u, app });
  });
  const resources: LiveState['resources'] = {};
  req.resources.forEach((name, i) => {
    const res = r1[1 + req.uniqueNames.length + i];
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

  const round2 = found.flatMap(({ app }) => [
    ...servicePrincipalReads(String(app.appId)),
    { method: 'GET' as const, path: paths.federatedCredentials(String(app.id)) },
  ]);
  const r2 = round2.length ? await batchRequests(transport, round2, { deadline: req.deadline }) : [];
  found.forEach(({ uniqueName, app }, i) => {
    const [sp, assignments, grants, fics] = r2.slice(i * 4, i * 4 + 4);
    applications[uniqueName.toLowerCase()] = {
      app,
      servicePrincipal:
        sp.status === 404 ? undefined : (expectOk(sp, `read the service principal of ${uniqueName}`, ['Application.Read.All']) as ServicePrincipal),
      assignments: listOf<AppRoleAssignment>(assignments, `read app role assignments of ${uniqueName}`),
      grants: listOf<OAuth2PermissionGrant>(grants, `read delegated grants of ${uniqueName}`),
      federatedCredentials: listOf(fics, `read federated credentials of ${uniqueName}`),
    };
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

/** A service principal by appId, its app role assignments and its delegated grants: three GETs. */
export function servicePrincipalReads(appId: string): GraphRequestSpec[] {
  return [
    { method: 'GET', path: paths.servicePrincipalByAppId(appId, SP_SELECT) },
    { method: 'GET', path: paths.assignmentsOfAppId(appId) },
    { method: 'GET', path: paths.grantsOfAppId(appId) },
  ];
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

export function expectOk(res: GraphResponse, action: string, needs: string[]): unknown {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw graphFailure(res, { action, needs });
}

export function listOf<T>(res: GraphResponse, action: string): T[] {
  if (res.status === 404) return [];
  const body = expectOk(res, action, ['Application.Read.All']) as { value?: T[]; '@odata.nextLink'?: string };
  if (body['@odata.nextLink']) {
    // More than one page (100+ items on one app) is not expected for app registrations; say so rather than drop data.
    throw new TenantformError('GRAPH_ERROR', `Cannot ${action}: more than one page of results is not supported yet.`);
  }
  return body.value ?? [];
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
