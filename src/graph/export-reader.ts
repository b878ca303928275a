/**
 * The reads of `tenantform export`, batched like reader.ts: whatever the number of applications, four round
 * trips at most — (1) the organization and the selection (by appId, by display name, a $filter, the acting
 * identity's owned applications); (2) per application its SP, assignments, grants, federated credentials,
 * owners and the assignments granted on it; (3) the service principals those name (resources, clients);
 * (4) whether the display names the manifest would use are unique. Everything needs only read permissions
 * (Application.Read.All), so export works with a read-only identity.
 */
import type {
  Application,
  AppRoleAssignment,
  DirectoryObject,
  FederatedIdentityCredential,
  OAuth2PermissionGrant,
  ServicePrincipal,
} from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import type { ExportedApplication, ExportOwner, ExportRead } from '../model/export.js';
import { GUID } from '../model/guid.js';
import { batchRequests } from './batch.js';
import { graphFailure } from './failure.js';
import { listAll } from './list.js';
import { paths } from './paths.js';
import { expectOk, toTenant } from './reader.js';
import { APP_SELECT, SP_SELECT } from './select.js';
import { graphErrorOf, graphResource, type GraphRequestSpec, type GraphResponse, type GraphSender } from './transport.js';
import type { TokenCredential } from '@azure/identity';
import { decodeJwt } from 'jose';

/** What plan reads, plus what export reports as set but not managed (export/unmanaged.ts). */
export const EXPORT_APP_SELECT = [
  APP_SELECT,
  'notes,groupMembershipClaims,info,tokenEncryptionKeyId,serviceManagementReference,samlMetadataUrl,addIns,defaultRedirectUri',
  'isDeviceOnlyAuthSupported,parentalControlSettings,verifiedPublisher',
].join(',');
export const EXPORT_SP_SELECT = [SP_SELECT, 'accountEnabled,notes,homepage,loginUrl,logoutUrl,notificationEmailAddresses,preferredSingleSignOnMode'].join(',');

export interface ExportSelection {
  /** appIds or display names (each must name exactly one application). */
  apps: string[];
  /** An OData $filter on /applications. */
  filter?: string;
  /** The acting identity's owned applications: a signed-in user's, or an app identity's (by its appId). */
  ownedBy?: { kind: 'user' } | { kind: 'app'; appId: string };
  deadline: number;
  /** The tenant id the token was issued for: the tenant's name when the organization cannot be read. */
  tenantId: string;
}

const NEEDS = ['Application.Read.All'];
const get = (path: string): GraphRequestSpec => ({ method: 'GET', path });

export async function readForExport(transport: GraphSender, sel: ExportSelection): Promise<ExportRead> {
  const opts = { deadline: sel.deadline };
  // 1. The organization and the selection.
  const r1 = await batchRequests(transport, [get(paths.organization), ...selectionReads(sel)], opts);
  // The organization only names the tenant in the header; Application.Read.All alone cannot read it (403): then
  // the tenant id of the token is enough, so a read-only identity can export.
  const tenant =
    r1[0].status === 403 ? { id: sel.tenantId, verifiedDomains: [] } : toTenant(expectOk(r1[0], 'read the organization', ['Organization.Read.All']));
  const found = new Map<string, Application>();
  const keep = (app: Application) => found.set(String(app.id), app);
  let at = 1;
  for (const name of sel.apps) {
    const res = r1[at++];
    if (GUID.test(name)) {
      if (res.status === 404) throw new TenantformError('RESOLVE_FAILED', `No application with appId ${name} in tenant ${tenant.id}.`, { app: name });
      keep(expectOk(res, `read application ${name}`, NEEDS) as Application);
      continue;
    }
    const list = await listAll<Application>(transport, res, `look up the application "${name}"`);
    if (list.length !== 1) {
      throw new TenantformError(
        'RESOLVE_FAILED',
        list.length
          ? `The display name "${name}" names ${list.length} applications (appIds ${list.map((a) => a.appId).join(', ')}); name the one to export by its appId.`
          : `No application named "${name}" in tenant ${tenant.id} (display names match exactly); check the name, or give its appId.`,
        { app: name },
      );
    }
    keep(list[0]);
  }
  if (sel.filter !== undefined) {
    const res = r1[at++];
    if (res.status === 400) {
      const { code, message } = graphErrorOf(res);
      throw new TenantformError(
        'USAGE',
        `Microsoft Graph refused --filter ${JSON.stringify(sel.filter)}: ${code}: ${message} Check the OData syntax and that the property supports $filter (https://learn.microsoft.com/graph/filter-query-parameter), e.g. --filter "startswith(displayName,'ciam-')".`,
        { flag: '--filter', graphCode: code },
      );
    }
    for (const app of await listAll<Application>(transport, res, `list the applications matching --filter ${sel.filter}`)) keep(app);
  }
  if (sel.ownedBy) {
    const res = r1[at++];
    if (res.status === 501 || res.status === 400) throw ownedRefused(res);
    for (const app of await listAll<Application>(transport, res, 'list the applications the signed-in identity owns')) keep(app);
  }
  const apps = [...found.values()];

  // 2. Per application, what hangs off it.
  const r2 = await batchRequests(transport, apps.flatMap(perApplicationReads), opts);
  const applications: ExportedApplication[] = [];
  for (const [i, app] of apps.entries()) {
    const [sp, assignments, grants, fics, owners, assignedTo] = r2.slice(i * 6, i * 6 + 6);
    const name = `"${app.displayName}"`;
    const hasSp = sp.status !== 404;
    applications.push({
      app,
      servicePrincipal: hasSp ? (expectOk(sp, `read the service principal of ${name}`, NEEDS) as ServicePrincipal) : undefined,
      assignments: hasSp ? await listAll<AppRoleAssignment>(transport, assignments, `read app role assignments of ${name}`) : [],
      grants: hasSp ? await listAll<OAuth2PermissionGrant>(transport, grants, `read delegated grants of ${name}`) : [],
      federatedCredentials: await listAll<FederatedIdentityCredential>(transport, fics, `read federated credentials of ${name}`),
      owners: await ownersOf(transport, owners, name),
      assignedTo: hasSp ? await listAll<AppRoleAssignment>(transport, assignedTo, `read the app role assignments granted on ${name}`) : [],
    });
  }

  // 3. The service principals they name that are not their own.
  const own = new Set(applications.flatMap((a) => [String(a.app.appId).toLowerCase(), String(a.servicePrincipal?.id ?? '').toLowerCase()]));
  const byAppId = [...new Set(applications.flatMap(namedAppIds))].filter((x) => !own.has(x));
  const byId = [...new Set(applications.flatMap((a) => [...a.assignments, ...a.grants].map((x) => String(x.resourceId).toLowerCase())))].filter(
    (x) => !own.has(x),
  );
  // The users of per-user grants, in the same round trip (https://learn.microsoft.com/graph/api/user-get): the
  // manifest names them by userPrincipalName (permissions[].userConsent).
  const userIds = [
    ...new Set(
      applications.flatMap((a) => a.grants.filter((g) => g.consentType === 'Principal' && g.principalId).map((g) => String(g.principalId).toLowerCase())),
    ),
  ];
  const spReads = [...byAppId.map((x) => get(paths.servicePrincipalByAppId(x, SP_SELECT))), ...byId.map((x) => get(paths.servicePrincipalById(x, SP_SELECT)))];
  const r3 = await batchRequests(transport, [...spReads, ...userIds.map((id) => get(paths.user(id)))], opts);
  const users: Record<string, string | null> = {};
  userIds.forEach((id, i) => {
    const res = r3[spReads.length + i];
    // Gone (404) or not readable (403): the grant stays a reported note, never a guess.
    const upn = res.status === 200 ? (res.body as { userPrincipalName?: string }).userPrincipalName : undefined;
    users[id] = typeof upn === 'string' ? upn : null;
  });
  const servicePrincipals = new Map<string, ServicePrincipal>();
  for (const [i, res] of r3.slice(0, spReads.length).entries()) {
    if (res.status === 404) continue; // named but gone: the core reports what it cannot name
    const sp = expectOk(res, `read the service principal ${[...byAppId, ...byId][i]}`, NEEDS) as ServicePrincipal;
    servicePrincipals.set(String(sp.id), sp);
  }

  // 4. Whether each display name the manifest could use names one service principal.
  const names = [...new Set([...servicePrincipals.values()].map((sp) => String(sp.displayName ?? '')).filter(Boolean))];
  const r4 = await batchRequests(
    transport,
    names.map((n) => get(paths.servicePrincipalIdsNamed(n))),
    opts,
  );
  const displayNameCounts: Record<string, number> = {};
  names.forEach((n, i) => {
    const body = expectOk(r4[i], `look up the service principals named "${n}"`, NEEDS) as { value?: unknown[] };
    displayNameCounts[n] = body.value?.length ?? 0;
  });
  return { tenant, applications, servicePrincipals: [...servicePrincipals.values()], displayNameCounts, ...(userIds.length ? { users } : {}) };
}

function selectionReads(sel: ExportSelection): GraphRequestSpec[] {
  const specs = sel.apps.map((name) =>
    get(GUID.test(name) ? paths.applicationByAppId(name, EXPORT_APP_SELECT) : paths.applicationsNamed(name, EXPORT_APP_SELECT)),
  );
  if (sel.filter !== undefined) specs.push(get(paths.applicationsFiltered(sel.filter, EXPORT_APP_SELECT)));
  if (sel.ownedBy) {
    specs.push(
      get(sel.ownedBy.kind === 'user' ? paths.myOwnedApplications(EXPORT_APP_SELECT) : paths.ownedApplicationsOfAppId(sel.ownedBy.appId, EXPORT_APP_SELECT)),
    );
  }
  return specs;
}

function perApplicationReads(app: Application): GraphRequestSpec[] {
  const appId = String(app.appId);
  return [
    get(paths.servicePrincipalByAppId(appId, EXPORT_SP_SELECT)),
    get(paths.assignmentsOfAppId(appId)),
    get(paths.grantsOfAppId(appId)),
    get(paths.federatedCredentials(String(app.id))),
    get(paths.owners(String(app.id))),
    get(paths.assignedToOfAppId(appId)),
  ];
}

/** appIds an application names: resources of its configured permissions, its known and pre-authorized clients. */
function namedAppIds(a: ExportedApplication): string[] {
  return [
    ...(a.app.requiredResourceAccess ?? []).map((r) => r.resourceAppId),
    ...(a.app.api?.knownClientApplications ?? []),
    ...(a.app.api?.preAuthorizedApplications ?? []).map((p) => p.appId),
  ].flatMap((x) => (x && GUID.test(x) ? [x.toLowerCase()] : []));
}

/** Owners are only reported, so a refusal (a tenant or emulator that does not serve them) is kept, not thrown. */
async function ownersOf(transport: GraphSender, res: GraphResponse, name: string): Promise<ExportedApplication['owners']> {
  if (res.status === 403 || res.status === 501) return { refused: { status: res.status, ...graphErrorOf(res) } };
  const list = await listAll<DirectoryObject & Record<string, unknown>>(transport, res, `read the owners of ${name}`);
  return list.map((o): ExportOwner => {
    const type = String(o['@odata.type'] ?? '').replace('#microsoft.graph.', '');
    return {
      type: type === 'user' || type === 'servicePrincipal' || type === 'group' ? type : 'other',
      id: String(o.id),
      ...(typeof o.displayName === 'string' ? { displayName: o.displayName } : {}),
      ...(typeof o.userPrincipalName === 'string' ? { name: o.userPrincipalName } : typeof o.appId === 'string' ? { name: o.appId } : {}),
    };
  });
}

function ownedRefused(res: GraphResponse): TenantformError {
  const failure = graphFailure(res, { action: 'list the applications the signed-in identity owns', needs: NEEDS });
  return new TenantformError(
    failure.code,
    `${failure.message} This tenant does not serve ownedObjects for the acting identity; select the applications with --app or --filter instead.`,
    failure.meta,
  );
}

/**
 * Whose owned applications `--owned-by-me` means: a signed-in user's (`/me`), or an app identity's, found by
 * the appId its token carries (`appid` in v1 tokens, `azp` in v2). The token is the one signing in already
 * fetched (credentials cache it).
 */
export async function actingOwner(credential: TokenCredential, graphUrl: string, delegated: boolean): Promise<NonNullable<ExportSelection['ownedBy']>> {
  if (delegated) return { kind: 'user' };
  const token = await credential.getToken(`${graphResource(graphUrl)}/.default`);
  const claims = token ? decodeJwt(token.token) : {};
  const appId = String(claims.appid ?? claims.azp ?? '');
  if (!GUID.test(appId))
    throw new TenantformError(
      'AUTH_FAILED',
      'The Microsoft Graph token names no application (appid/azp), so --owned-by-me cannot tell whose applications to read; use --filter or --app.',
    );
  return { kind: 'app', appId };
}
