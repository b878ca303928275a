import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { json, noContent, type EmuResponse } from '../http.js';
import { requireApplication } from './app-access.js';
import { listResponse, project } from './odata.js';
import { LIST_QUERY } from './query-options.js';
import { findServicePrincipal, servicePrincipalView } from './sp-model.js';
import { USER_DEFAULT_SELECT } from './users.js';

/**
 * /applications/{key}/owners: list, add ($ref) and remove ($ref) — https://learn.microsoft.com/graph/api/application-list-owners,
 * application-post-owners, application-delete-owners. Owners are directory objects: service principals (the
 * creator under Application.ReadWrite.OwnedBy, which then may write the app) and users. Owners of service
 * principals are not modelled (their routes answer 501).
 */
export const ownerRoutes: GraphRoute[] = [
  { method: 'GET', pattern: 'applications/:app/owners', anyOf: PERMS.appRead, handler: listOwners },
  { method: 'POST', pattern: 'applications/:app/owners/$ref', anyOf: PERMS.appWrite, handler: addOwner },
  { method: 'DELETE', pattern: 'applications/:app/owners/:owner/$ref', anyOf: PERMS.appWrite, handler: removeOwner },
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
function directoryObject(ctx: GraphCtx, id: string): Record<string, unknown> | undefined {
  const tenant = ctx.env.tenant;
  const sp = tenant.servicePrincipals.visible(id);
  if (sp) return { '@odata.type': '#microsoft.graph.servicePrincipal', ...servicePrincipalView(tenant, sp) };
  const user = tenant.users.visible(id);
  if (user) return { '@odata.type': '#microsoft.graph.user', ...project(user, ['id', ...USER_DEFAULT_SELECT]) };
  return undefined;
}

function listOwners(ctx: GraphCtx): EmuResponse {
  const app = requireApplication(ctx, ctx.params.app, 'read');
  const value = ctx.env.tenant.applications.owners(app.id!).flatMap((id) => directoryObject(ctx, id) ?? []);
  return json(200, { '@odata.context': `${ctx.env.graphUrl}/v1.0/$metadata#directoryObjects`, value });
}

/** `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}` (any Graph host; the id is what counts). */
function referencedId(body: unknown): string {
  const ref = (body as Record<string, unknown> | undefined)?.['@odata.id'];
  const id = typeof ref === 'string' ? /\/directoryObjects\/([0-9a-fA-F-]{36})$/.exec(ref)?.[1] : undefined;
  if (!id) throw graphErrors.badRequest("Invalid URL format specified in @odata.id for 'owners'.");
  return id.toLowerCase();
}

function addOwner(ctx: GraphCtx): EmuResponse {
  const app = requireApplication(ctx, ctx.params.app, 'write');
  const id = referencedId(ctx.req.body);
  if (!directoryObject(ctx, id)) throw graphErrors.notFound(id);
  if (ctx.env.tenant.applications.owners(app.id!).includes(id)) {
    // The answer for a reference that is already there (AzureAD PowerShell / az ad app owner add reports it verbatim).
    throw graphErrors.badRequest("One or more added object references already exist for the following modified properties: 'owners'.");
  }
  ctx.env.tenant.applications.addOwner(app.id!, id);
  return noContent();
}

function removeOwner(ctx: GraphCtx): EmuResponse {
  const app = requireApplication(ctx, ctx.params.app, 'write');
  const id = ctx.params.owner.toLowerCase();
  if (!ctx.env.tenant.applications.owners(app.id!).includes(id)) throw graphErrors.notFound(id);
  ctx.env.tenant.applications.removeOwner(app.id!, id);
  return noContent();
}
