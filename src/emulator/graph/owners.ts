import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { json, noContent, type EmuResponse } from '../http.js';
import { requireApplication } from './app-access.js';
import { listResponse, project } from './odata.js';
import { LIST_QUERY } from './query-options.js';
import { assertCanManageApp, findServicePrincipal, servicePrincipalView } from './sp-model.js';
import { USER_DEFAULT_SELECT } from './users.js';
import { countText } from './counts.js';

/**
 * Owners of applications and of service principals: list, count, add ($ref) and remove ($ref) —
 * https://learn.microsoft.com/graph/api/application-list-owners, application-post-owners, application-delete-owners,
 * serviceprincipal-list-owners, serviceprincipal-post-owners, serviceprincipal-delete-owners. Owners are directory
 * objects: service principals (the creator of an application under Application.ReadWrite.OwnedBy, which then may
 * write it) and users. Whether Graph makes the creator of a service principal its owner is UNCONFIRMED: not modelled.
 */
interface OwnedKind {
  collection: 'applications' | 'servicePrincipals';
  param: 'app' | 'sp';
  /** The object's id, after the caller's access for `mode` was checked. */
  find(ctx: GraphCtx, mode: 'read' | 'write'): string;
  store(ctx: GraphCtx): { owners(id: string): string[]; addOwner(id: string, o: string): void; removeOwner(id: string, o: string): void };
}

const APPLICATION: OwnedKind = {
  collection: 'applications',
  param: 'app',
  find: (ctx, mode) => requireApplication(ctx, ctx.params.app, mode).id!,
  store: (ctx) => ctx.env.tenant.applications,
};

const SERVICE_PRINCIPAL: OwnedKind = {
  collection: 'servicePrincipals',
  param: 'sp',
  find: (ctx, mode) => {
    const sp = findServicePrincipal(ctx.env.tenant, ctx.params.sp);
    if (mode === 'write') assertCanManageApp(ctx, sp.appId); // as PATCH /servicePrincipals/{id}
    return sp.id!;
  },
  store: (ctx) => ctx.env.tenant.servicePrincipals,
};

function ownerRoutesOf(kind: OwnedKind): GraphRoute[] {
  const base = `${kind.collection}/:${kind.param}/owners`;
  return [
    { method: 'GET', pattern: base, anyOf: PERMS.appRead, handler: (ctx) => listOwners(ctx, kind) },
    { method: 'GET', pattern: `${base}/$count`, anyOf: PERMS.appRead, query: [], handler: (ctx) => countOwners(ctx, kind) },
    { method: 'POST', pattern: `${base}/$ref`, anyOf: PERMS.appWrite, handler: (ctx) => addOwner(ctx, kind) },
    { method: 'DELETE', pattern: `${base}/:owner/$ref`, anyOf: PERMS.appWrite, handler: (ctx) => removeOwner(ctx, kind) },
  ];
}

export const ownerRoutes: GraphRoute[] = [
  ...ownerRoutesOf(APPLICATION),
  ...ownerRoutesOf(SERVICE_PRINCIPAL),
  // https://learn.microsoft.com/graph/api/serviceprincipal-list-ownedobjects, cast to applications (what a tool
  // acting as an app identity lists as "mine"). Other owned object types are not modelled.
  {
    method: 'GET',
    pattern: 'servicePrincipals/:sp/ownedObjects/microsoft.graph.application',
    anyOf: PERMS.appRead,
    query: LIST_QUERY,
    handler: (ctx) => ownedApplications(ctx, findServicePrincipal(ctx.env.tenant, ctx.params.sp).id!),
  },
];

/** The applications a directory object (service principal or user) owns, as `ownedObjects/microsoft.graph.application` lists them. */
export function ownedApplications(ctx: GraphCtx, ownerId: string): EmuResponse {
  const apps = ctx.env.tenant.applications;
  const owned = apps.list().filter((a) => apps.owners(a.id!).includes(ownerId.toLowerCase()));
  return listResponse(ctx, {
    entitySet: `directoryObjects/microsoft.graph.application`,
    type: 'application',
    items: owned,
    filterable: ['id', 'appId', 'displayName'],
    resource: 'application',
  });
}

/** A directory object by id, typed as Graph returns it in a directoryObjects collection; undefined when unknown. */
export function directoryObject(ctx: GraphCtx, id: string): Record<string, unknown> | undefined {
  const tenant = ctx.env.tenant;
  const sp = tenant.servicePrincipals.visible(id);
  if (sp) return { '@odata.type': '#microsoft.graph.servicePrincipal', ...servicePrincipalView(tenant, sp) };
  const user = tenant.users.visible(id);
  if (user) return { '@odata.type': '#microsoft.graph.user', ...project(user, ['id', ...USER_DEFAULT_SELECT]) };
  return undefined;
}

/** Owner ids as directory objects (the order they were added); ids that name nothing (deleted since) are left out. */
function asDirectoryObjects(ctx: GraphCtx, ids: string[]): Array<Record<string, unknown>> {
  return ids.flatMap((id) => {
    const o = directoryObject(ctx, id);
    return o ? [o] : [];
  });
}

/** The owners of an application as directory objects. */
export function applicationOwners(ctx: GraphCtx, appId: string): Array<Record<string, unknown>> {
  return asDirectoryObjects(ctx, ctx.env.tenant.applications.owners(appId));
}

/** The owners of a service principal as directory objects. */
export function servicePrincipalOwners(ctx: GraphCtx, spId: string): Array<Record<string, unknown>> {
  return asDirectoryObjects(ctx, ctx.env.tenant.servicePrincipals.owners(spId));
}

function listOwners(ctx: GraphCtx, kind: OwnedKind): EmuResponse {
  const id = kind.find(ctx, 'read');
  return json(200, { '@odata.context': `${ctx.env.graphUrl}/v1.0/$metadata#directoryObjects`, value: asDirectoryObjects(ctx, kind.store(ctx).owners(id)) });
}

/**
 * `GET /applications/{id}/owners/$count`: the number as text/plain. `$count` as a URL segment is an advanced query
 * ("Use of $count as a URL segment", https://learn.microsoft.com/graph/aad-advanced-queries), and application owners
 * are among the relationships that support advanced queries (same page, first table).
 */
function countOwners(ctx: GraphCtx, kind: OwnedKind): EmuResponse {
  const id = kind.find(ctx, 'read');
  return countText(ctx, asDirectoryObjects(ctx, kind.store(ctx).owners(id)).length);
}

/** `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}` (any Graph host; the id is what counts). */
function referencedId(body: unknown): string {
  const ref = (body as Record<string, unknown> | undefined)?.['@odata.id'];
  const id = typeof ref === 'string' ? /\/directoryObjects\/([0-9a-fA-F-]{36})$/.exec(ref)?.[1] : undefined;
  if (!id) throw graphErrors.badRequest("Invalid URL format specified in @odata.id for 'owners'.");
  return id.toLowerCase();
}

function addOwner(ctx: GraphCtx, kind: OwnedKind): EmuResponse {
  const target = kind.find(ctx, 'write');
  const store = kind.store(ctx);
  const id = referencedId(ctx.req.body);
  if (!directoryObject(ctx, id)) throw graphErrors.notFound(id);
  if (store.owners(target).includes(id)) {
    // The answer for a reference that is already there (AzureAD PowerShell / az ad app owner add reports it verbatim).
    throw graphErrors.badRequest("One or more added object references already exist for the following modified properties: 'owners'.");
  }
  store.addOwner(target, id);
  return noContent();
}

function removeOwner(ctx: GraphCtx, kind: OwnedKind): EmuResponse {
  const target = kind.find(ctx, 'write');
  const store = kind.store(ctx);
  const id = ctx.params.owner.toLowerCase();
  if (!store.owners(target).includes(id)) throw graphErrors.notFound(id);
  store.removeOwner(target, id);
  return noContent();
}
