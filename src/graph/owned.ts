import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import { OWNERSHIP_TAG_PREFIX, appRef, ownerOf, ownershipTagFor } from '../model/desired.js';
import { refOf, type DeletedObject, type OwnedApp, type OwnedPolicy, type OwnedState } from '../model/owned.js';
import { parsePolicyMarker } from '../model/policies.js';
import { policyReads, toConditionalAccess } from './policies.js';
import { batchRequests } from './batch.js';
import { graphFailure } from './failure.js';
import { filters as where, paths } from './paths.js';
import { listAll } from './list.js';
import { toTenant } from './reader.js';
import { servicePrincipalSpecs, toServicePrincipalReads } from './sp-reads.js';
import { APP_SELECT } from './select.js';
import type { GraphRequestSpec, GraphResponse, GraphSender } from './transport.js';

export interface OwnedRequest {
  /** Stacks named by manifests, with the uniqueNames their manifests declare and how many policies. */
  stacks: Array<{ name: string; uniqueNames: string[]; policies?: number }>;
  /** Sweep: every stack whose name starts with this. */
  prefix?: string;
  /** Also read the stacks' objects in directory/deletedItems (for --purge). */
  deleted: boolean;
  deadline: number;
}

/**
 * Read what the stacks own in two batched round trips: (1) the organization, the applications carrying
 * each stack's ownership tag (and, for a sweep, every tag starting with the prefix), the manifests'
 * uniqueNames, and the recycle bin by tag; (2) each owned app's service principal, its app role
 * assignments and delegated grants. Ownership is decided here, on the tag, never on names: the filters
 * only narrow the reads.
 */
export async function readOwned(transport: GraphSender, req: OwnedRequest): Promise<OwnedState> {
  const filters = [
    ...req.stacks.map((s) => where.tag(ownershipTagFor(s.name))),
    // tags supports startsWith (https://learn.microsoft.com/graph/api/resources/application, $filter column);
    // the lambda form is https://learn.microsoft.com/graph/filter-query-parameter.
    ...(req.prefix ? [where.tagStartsWith(OWNERSHIP_TAG_PREFIX + req.prefix)] : []),
  ];
  const uniqueNames = req.stacks.flatMap((s) => s.uniqueNames.map((u) => ({ stack: s.name, uniqueName: u })));
  const specs: GraphRequestSpec[] = [
    get(paths.organization),
    ...filters.map((f) => get(paths.applicationsWhere(f))),
    ...uniqueNames.map((u) => get(paths.applicationByUniqueName(u.uniqueName, APP_SELECT))),
    // The recycle bin answers the same $filter on tags (https://learn.microsoft.com/graph/api/directory-deleteditems-list;
    // filtering deletedItems on tags is UNCONFIRMED for the real service).
    ...(req.deleted
      ? filters.flatMap((f) => [get(`${paths.deletedApplicationsWhere(f)}&$top=999`), get(`${paths.deletedServicePrincipalsWhere(f)}&$top=999`)])
      : []),
  ];
  const policiesAt = specs.length;
  specs.push(...policyReads(false));
  const r1 = await batchRequests(transport, specs, { deadline: req.deadline });
  const tenant = toTenant(ok(r1[0], 'read the organization'));
  const isOurs = (owner: string | undefined) => !!owner && (req.stacks.some((s) => s.name === owner) || (!!req.prefix && owner.startsWith(req.prefix)));
  const warnings: string[] = [];

  const apps = new Map<string, Application>();
  let at = 1;
  for (let i = 0; i < filters.length; i++, at++) {
    for (const a of await listAll<Application>(transport, r1[at], 'list the applications of the stack')) {
      if (isOurs(ownerOf(a.tags))) apps.set(String(a.id), a);
    }
  }
  for (const u of uniqueNames) {
    const res = r1[at++];
    if (res.status === 404) continue;
    const a = ok(res, `read application ${u.uniqueName}`) as Application;
    const owner = ownerOf(a.tags);
    if (owner === u.stack) apps.set(String(a.id), a);
    else {
      warnings.push(
        `Application "${a.displayName}" (uniqueName ${u.uniqueName}, appId ${a.appId}) ${owner ? `belongs to stack "${owner}"` : 'has no tenantform ownership tag'}; it was left alone.`,
      );
    }
  }
  const deleted: DeletedObject[] = [];
  const seenDeleted = new Set<string>();
  if (req.deleted) {
    for (let i = 0; i < filters.length; i++) {
      for (const type of ['application', 'servicePrincipal'] as const) {
        for (const value of await listAll<Application | ServicePrincipal>(transport, r1[at++], 'list deleted items of the stack')) {
          const owner = ownerOf(value.tags);
          if (!owner || !isOurs(owner) || seenDeleted.has(String(value.id))) continue;
          seenDeleted.add(String(value.id));
          deleted.push({ stack: owner, ref: type === 'application' ? refOf(owner, value as Application) : appRef(owner, String(value.appId)), type, value });
        }
      }
    }
    // A deleted service principal shares the ref of its application (deleted or live) when there is one.
    const refByAppId = new Map(
      [...deleted.filter((d) => d.type === 'application'), ...[...apps.values()].map((app) => ({ value: app, ref: refOf(ownerOf(app.tags)!, app) }))].map(
        (d) => [String(d.value.appId), d.ref],
      ),
    );
    for (const d of deleted) if (d.type === 'servicePrincipal') d.ref = refByAppId.get(String(d.value.appId)) ?? d.ref;
  }

  const ca = await toConditionalAccess(transport, r1[policiesAt]);
  const policies: OwnedPolicy[] = [];
  if ('refused' in ca) {
    // Policies can only be seen with Policy.Read.All; say so when a manifest being destroyed declares some.
    const declaring = req.stacks.filter((s) => s.policies);
    if (declaring.length) {
      warnings.push(
        `Could not read conditional access policies (${ca.refused.status} ${ca.refused.code}; needs Policy.Read.All): the policies of ${declaring.map((s) => `"${s.name}"`).join(', ')} were left in place.`,
      );
    }
  } else {
    for (const policy of ca.policies) {
      const mark = parsePolicyMarker(policy.description)!;
      if (isOurs(mark.stack)) policies.push({ stack: mark.stack, key: mark.key, policy });
    }
  }

  const found = [...apps.values()];
  const appIds = found.map((a) => String(a.appId));
  const round2 = servicePrincipalSpecs(appIds);
  const r2 = round2.length ? await batchRequests(transport, round2, { deadline: req.deadline }) : [];
  const names = new Map(found.map((a) => [String(a.appId).toLowerCase(), String(a.displayName)]));
  const reads = await toServicePrincipalReads(transport, appIds, r2, { deadline: req.deadline, name: (appId) => names.get(appId.toLowerCase()) ?? appId });
  const owned = found.map((app, i): OwnedApp => {
    const stack = ownerOf(app.tags)!;
    return { stack, ref: refOf(stack, app), app, ...reads[i] };
  });
  return { tenant, apps: owned.sort((a, b) => a.ref.localeCompare(b.ref)), deleted, policies, warnings };
}

function get(path: string): GraphRequestSpec {
  return { method: 'GET', path };
}

function ok(res: GraphResponse, action: string): unknown {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw graphFailure(res, { action, needs: ['Application.Read.All'] });
}
