import type { GraphCtx, GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { GUID } from '../guid.js';
import { json, type EmuResponse } from '../http.js';
import type { Tenant } from '../store/index.js';
import { checkObjectId } from './app-access.js';
import { project } from './odata.js';
import { servicePrincipalView } from './sp-model.js';
import { USER_DEFAULT_SELECT } from './users.js';
import { validateActionBody } from './validate-body.js';

/**
 * /directoryObjects: `GET /directoryObjects/{id}` (https://learn.microsoft.com/graph/api/directoryobject-get) and
 * `POST /directoryObjects/getByIds` (https://learn.microsoft.com/graph/api/directoryobject-getbyids). Both answer
 * the object typed by `@odata.type`, whatever kind of directory object it is.
 */

/**
 * Both pages list Directory.Read.All as the only application permission ("Higher privileged: Not available").
 * Directory.ReadWrite.All is accepted as its superset (it includes every read), UNCONFIRMED for these two APIs.
 */
const DIRECTORY_READ = ['Directory.Read.All', 'Directory.ReadWrite.All'];

/** "You can specify up to 1000 IDs" (directoryobject-getbyids, request body). */
const MAX_IDS = 1000;

/** The directory object kinds the emulator holds; getByIds' `types` names them (case-insensitive). */
type Kind = 'application' | 'servicePrincipal' | 'user';
const KINDS: readonly Kind[] = ['application', 'servicePrincipal', 'user'];

/**
 * Other types deriving from directoryObject (v1.0 CSDL). The local tenant has no objects of these kinds, so
 * naming them in `types` finds nothing — which is what a tenant without groups or devices answers.
 */
const EMPTY_KINDS = new Set(
  [
    'group',
    'device',
    'orgContact',
    'directoryRole',
    'directoryRoleTemplate',
    'administrativeUnit',
    'contract',
    'directoryObjectPartnerReference',
    'appRoleAssignment',
    'extensionProperty',
    'endpoint',
    'groupSettingTemplate',
    'organization',
    'policyBase',
    'resourceSpecificPermissionGrant',
  ].map((t) => t.toLowerCase()),
);

export const directoryObjectRoutes: GraphRoute[] = [
  // $select on a directoryObject would project properties of whatever type the id turns out to be: not modelled.
  { method: 'POST', pattern: 'directoryObjects/getByIds', anyOf: DIRECTORY_READ, query: [], handler: getByIds },
  { method: 'POST', pattern: 'directoryObjects/microsoft.graph.getByIds', anyOf: DIRECTORY_READ, query: [], handler: getByIds },
  { method: 'GET', pattern: 'directoryObjects/:id', anyOf: DIRECTORY_READ, query: [], handler: getDirectoryObject },
];

/**
 * A directory object by id as a read replica sees it, typed as Graph returns it in a directoryObjects
 * collection: `@odata.type` first, then the properties Graph returns by default for that type (users: v1.0's
 * default subset; applications and service principals: everything except `keyCredentials[].key`).
 */
export function directoryObjectView(tenant: Tenant, id: string, kinds: readonly Kind[] = KINDS): Record<string, unknown> | undefined {
  const key = id.toLowerCase();
  if (kinds.includes('application')) {
    const app = tenant.applications.visible(key);
    if (app) return { '@odata.type': '#microsoft.graph.application', ...project(app, undefined) };
  }
  if (kinds.includes('servicePrincipal')) {
    const sp = tenant.servicePrincipals.visible(key);
    if (sp) return { '@odata.type': '#microsoft.graph.servicePrincipal', ...project(servicePrincipalView(tenant, sp), undefined) };
  }
  if (kinds.includes('user')) {
    const user = tenant.users.visible(key);
    if (user) return { '@odata.type': '#microsoft.graph.user', ...project(user, ['id', ...USER_DEFAULT_SELECT]) };
  }
  return undefined;
}

function getDirectoryObject(ctx: GraphCtx): EmuResponse {
  const id = ctx.params.id;
  checkObjectId(id);
  const obj = directoryObjectView(ctx.env.tenant, id);
  if (!obj) throw graphErrors.notFound(id);
  return json(200, { '@odata.context': `${ctx.env.graphUrl}/v1.0/$metadata#directoryObjects/$entity`, ...obj });
}

/**
 * 200 `{value:[…]}` with the objects found, in the order of `ids`; ids that name no object (of the given types)
 * are left out, not answered with an error.
 */
function getByIds(ctx: GraphCtx): EmuResponse {
  const body = ctx.req.body as { ids?: unknown; types?: unknown } | undefined;
  validateActionBody('Collection(directoryObject)', 'getByIds', body);
  const ids = body?.ids;
  // UNCONFIRMED text: what Graph answers for a body without ids.
  if (!Array.isArray(ids) || ids.length === 0) throw graphErrors.badRequest("Invalid value specified for property 'ids' of resource 'GetByIds'.");
  // UNCONFIRMED text for more than 1000 ids (the limit itself is documented).
  if (ids.length > MAX_IDS) throw graphErrors.badRequest(`The number of ids must not exceed ${MAX_IDS}.`);
  for (const id of ids) {
    // Observed answer for an id that is not a GUID (microsoftgraph/microsoft-graph-docs-contrib#5884).
    if (typeof id !== 'string' || !GUID.test(id)) throw graphErrors.badRequest('Invalid GUID specified.');
  }
  const kinds = requestedKinds(body?.types);
  const seen = new Set<string>();
  const value: Array<Record<string, unknown>> = [];
  for (const id of ids as string[]) {
    const key = id.toLowerCase();
    if (seen.has(key)) continue; // UNCONFIRMED: a repeated id is answered once
    seen.add(key);
    const obj = directoryObjectView(ctx.env.tenant, key, kinds);
    if (obj) value.push(obj);
  }
  return json(200, { '@odata.context': `${ctx.env.graphUrl}/v1.0/$metadata#directoryObjects`, value });
}

/**
 * `types`: "the set of resource collections to search. If not specified, the default is directoryObject, which
 * contains all of the resource types … The values are not case sensitive." A `microsoft.graph.` prefix is
 * accepted too (UNCONFIRMED). An unknown type answers 400 (text UNCONFIRMED).
 */
function requestedKinds(types: unknown): readonly Kind[] {
  if (types === undefined || types === null) return KINDS;
  const list = (types as string[]).map((t) => t.toLowerCase().replace(/^#?microsoft\.graph\./, ''));
  if (list.length === 0 || list.includes('directoryobject')) return KINDS;
  const kinds: Kind[] = [];
  for (const t of list) {
    const kind = KINDS.find((k) => k.toLowerCase() === t);
    if (kind) kinds.push(kind);
    else if (!EMPTY_KINDS.has(t)) throw graphErrors.badRequest(`Invalid value specified for property 'types' of resource 'GetByIds': '${t}'.`);
  }
  return kinds;
}
