import type { AppRoleAssignment, OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { batchRequests } from './batch.js';
import { listAll } from './list.js';
import { inChunks, paths } from './paths.js';
import { listOf, splitExpanded } from './read-results.js';
import { SP_SELECT } from './select.js';
import type { GraphRequestSpec, GraphResponse, GraphSender } from './transport.js';

/**
 * The service principals of many appIds, with their app role assignments and delegated grants, in one batched round
 * trip at a fraction of the resource units Graph charges for reading each alone
 * (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits: `GET
 * servicePrincipals/{id}/appRoleAssignments` costs 2, $select −1, $expand +1, never below 1):
 * - the service principals, IN_LIMIT appIds per `GET /servicePrincipals?$filter=appId in (…)` (servicePrincipal's
 *   appId supports `in`, resources/serviceprincipal), each with its app role assignments inlined by
 *   `$expand=appRoleAssignments` (a navigation that "Supports $expand", same page): 1 RU per 15 appIds, where an SP
 *   read and its assignments read cost 1 + 2 per appId;
 * - each appId's delegated grants (`servicePrincipals(appId='…')/oauth2PermissionGrants`: no $expand documented).
 * `$expand` returns at most EXPAND_LIMIT related objects and no nextLink, so an SP that comes back with that many
 * (or without the array) may hold more: its assignments are read again in full, paged — one more round trip, only then.
 */

/**
 * "`$expand` typically returns a maximum of 20 items for the expanded relationship and has no @odata.nextLink" for
 * directory objects (https://learn.microsoft.com/graph/query-parameters#expand-parameter).
 */
export const EXPAND_LIMIT = 20;

/** What the tenant holds for one appId: its SP (undefined when there is none), what the SP was granted. */
export interface ServicePrincipalRead {
  servicePrincipal?: ServicePrincipal;
  assignments: AppRoleAssignment[];
  grants: OAuth2PermissionGrant[];
}

const get = (path: string): GraphRequestSpec => ({ method: 'GET', path });

/** The reads for `appIds` (distinct), to send in one batch; answer them with toServicePrincipalReads. */
export function servicePrincipalSpecs(appIds: string[]): GraphRequestSpec[] {
  return [
    ...inChunks(appIds).map((chunk) => get(paths.servicePrincipalsOfAppIds(chunk, SP_SELECT, 'appRoleAssignments'))),
    ...appIds.map((appId) => get(paths.grantsOfAppId(appId))),
  ];
}

/**
 * The answers to servicePrincipalSpecs(appIds), in `appIds` order. `name(appId)` names each in errors (e.g. its
 * uniqueName). Reads again, in full, the assignments an expansion may have cut (see above).
 */
export async function toServicePrincipalReads(
  transport: GraphSender,
  appIds: string[],
  responses: GraphResponse[],
  opts: { deadline: number; name?: (appId: string) => string },
): Promise<ServicePrincipalRead[]> {
  const name = opts.name ?? ((appId: string) => appId);
  const chunks = inChunks(appIds);
  const byAppId = new Map<string, ServicePrincipal>();
  for (const [i, chunk] of chunks.entries()) {
    const listed = await listAll<ServicePrincipal>(transport, responses[i], `read the service principals of ${chunk.map(name).join(', ')}`);
    for (const sp of listed) byAppId.set(String(sp.appId).toLowerCase(), sp);
  }
  const partial: number[] = [];
  const reads = appIds.map((appId, i): ServicePrincipalRead => {
    // Read even when there is no SP (404 → none): a refusal still says which permission is missing.
    const grants = listOf<OAuth2PermissionGrant>(responses[chunks.length + i], `read delegated grants of ${name(appId)}`);
    const found = byAppId.get(appId.toLowerCase());
    if (!found) return { servicePrincipal: undefined, assignments: [], grants: [] };
    const { entity: servicePrincipal, expanded: assignments } = splitExpanded<ServicePrincipal, AppRoleAssignment>(found, 'appRoleAssignments');
    if (!assignments || assignments.length >= EXPAND_LIMIT) partial.push(i);
    return { servicePrincipal, assignments: assignments ?? [], grants };
  });
  if (partial.length) {
    const again = await batchRequests(
      transport,
      partial.map((i) => get(paths.assignmentsOfAppId(appIds[i]))),
      { deadline: opts.deadline },
    );
    for (const [k, i] of partial.entries()) {
      // Gone since the list read (404): as if it had not been listed.
      reads[i].assignments =
        again[k].status === 404 ? [] : await listAll<AppRoleAssignment>(transport, again[k], `read app role assignments of ${name(appIds[i])}`);
    }
  }
  return reads;
}
