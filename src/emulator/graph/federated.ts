import { randomUUID } from 'node:crypto';
import type { Application, FederatedIdentityCredential } from '@microsoft/microsoft-graph-types';
import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { GraphFault, graphErrors } from '../errors.js';
import { noContent, type EmuResponse } from '../http.js';
import { parseKey, type EntityKey } from '../router.js';
import { requireApplication } from './app-access.js';
import { entityResponse, listResponse } from './odata.js';
import { LIST_QUERY } from './query-options.js';
import { validateBody } from './validate-body.js';

/**
 * /applications/{key}/federatedIdentityCredentials: list, create, get, update/upsert, delete.
 * https://learn.microsoft.com/graph/api/resources/federatedidentitycredential (rules: ≤20 per app, name
 * ≤120 URL-friendly chars and immutable, issuer+subject unique per app, exactly one audience).
 */

const MAX_PER_APP = 20;
/** "URL friendly"; the exact character set is UNCONFIRMED (managed identities use ^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$/;
const FILTERABLE = ['id', 'name', 'issuer', 'subject', 'audiences'];

const invalid = (property: string) => graphErrors.badRequest(`Invalid value specified for property '${property}' of resource 'FederatedIdentityCredential'.`);

export const federatedRoutes: GraphRoute[] = [
  { method: 'GET', pattern: 'applications/:app/federatedIdentityCredentials', anyOf: PERMS.appRead, query: LIST_QUERY, handler: listCredentials },
  { method: 'POST', pattern: 'applications/:app/federatedIdentityCredentials', anyOf: PERMS.appWrite, handler: createCredential },
  {
    method: 'GET',
    pattern: 'applications/:app/federatedIdentityCredentials/:fic',
    anyOf: PERMS.appRead,
    handler: (ctx) => {
      const app = requireApplication(ctx, ctx.params.app, 'read');
      return entityResponse(ctx, entitySet(app), 'federatedIdentityCredential', requireVisible(ctx, app, ctx.params.fic));
    },
  },
  { method: 'PATCH', pattern: 'applications/:app/federatedIdentityCredentials/:fic', anyOf: PERMS.appWrite, handler: updateCredential },
  {
    method: 'DELETE',
    pattern: 'applications/:app/federatedIdentityCredentials/:fic',
    anyOf: PERMS.appWrite,
    handler: (ctx) => {
      const app = requireApplication(ctx, ctx.params.app, 'write');
      const fic = requireVisible(ctx, app, ctx.params.fic);
      ctx.env.tenant.applications.removeFederatedCredential(app.id!, fic.id!);
      return noContent();
    },
  },
];

const entitySet = (app: Application) => `applications('${app.id}')/federatedIdentityCredentials`;

/** The write master's credentials of the app: the per-app limit and uniqueness rules are checked on them. */
function masters(ctx: GraphCtx, app: Application): FederatedIdentityCredential[] {
  return ctx.env.tenant.applications.masterFederatedCredentials(app.id!);
}

/** What a replica shows: a credential created moments ago is not listed yet (TFAD polls for it, reference §1.6/§5.1). */
function visibleCredentials(ctx: GraphCtx, app: Application): FederatedIdentityCredential[] {
  return ctx.env.tenant.applications.federatedCredentials(app.id!);
}

/** `{id}` or `(name='…')`, the only alternate key of microsoft.graph.federatedIdentityCredential. */
function ficKey(segment: string): EntityKey {
  const key = parseKey(segment);
  if (key.kind === 'alternate' && key.property.toLowerCase() !== 'name') {
    throw graphErrors.badRequest(`The key property '${key.property}' is not an alternate key of type 'microsoft.graph.federatedIdentityCredential'.`);
  }
  return key;
}

function keyMatches(fic: FederatedIdentityCredential, key: EntityKey): boolean {
  const actual = key.kind === 'id' ? fic.id : fic.name;
  return actual?.toLowerCase() === key.value.toLowerCase();
}

function requireVisible(ctx: GraphCtx, app: Application, segment: string): FederatedIdentityCredential {
  const key = ficKey(segment);
  const fic = visibleCredentials(ctx, app).find((f) => keyMatches(f, key));
  if (!fic) throw graphErrors.notFound(key.value);
  return fic;
}

function listCredentials(ctx: GraphCtx): EmuResponse {
  const app = requireApplication(ctx, ctx.params.app, 'read');
  return listResponse(ctx, {
    entitySet: entitySet(app),
    type: 'federatedIdentityCredential',
    items: visibleCredentials(ctx, app),
    filterable: FILTERABLE,
    resource: 'federatedIdentityCredential',
  });
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) throw graphErrors.badRequest('Empty Payload. JSON content expected.');
  validateBody('federatedIdentityCredential', body);
  return body as Record<string, unknown>;
}

/** Field rules shared by create and update; `others` are the app's other credentials (master view). */
function checkCredential(fic: FederatedIdentityCredential, others: FederatedIdentityCredential[]): void {
  if (typeof fic.name !== 'string' || fic.name.length > 120 || !NAME.test(fic.name)) throw invalid('name');
  for (const p of ['issuer', 'subject'] as const) {
    const v = fic[p];
    if (typeof v !== 'string' || v.trim() === '' || v.length > 600) throw invalid(p);
  }
  if (fic.description !== null && fic.description !== undefined && fic.description.length > 600) throw invalid('description');
  // "audiences … can only contain a single value" (resource page); ≤600 chars.
  const aud = fic.audiences ?? [];
  if (aud.length !== 1 || aud[0].trim() === '' || aud[0].length > 600) throw invalid('audiences');
  if (others.some((o) => o.name?.toLowerCase() === fic.name!.toLowerCase())) {
    // Observed: 409 Request_MultipleObjectsWithSameKeyValue "FederatedIdentityCredential with name main already exists." (Azure/azure-dev#1482)
    throw graphErrors.conflict(`FederatedIdentityCredential with name ${fic.name} already exists.`);
  }
  if (others.some((o) => o.issuer === fic.issuer && o.subject === fic.subject)) {
    // Observed code and text: Azure/azure-workload-identity#434.
    throw new GraphFault(
      400,
      'InvalidFederatedIdentityCredentialValue',
      `The combination of issuer and subject must be unique for the application. Issuer ${fic.issuer} and Subject: ${fic.subject} already exist. paramName: FederatedIdentityCredential.Subject, paramValue: ${fic.subject}, objectType: Microsoft.Online.DirectoryServices.Application`,
    );
  }
}

function create(ctx: GraphCtx, app: Application, body: Record<string, unknown>): EmuResponse {
  const existing = masters(ctx, app);
  const fic: FederatedIdentityCredential = {
    id: randomUUID(),
    name: body.name as string,
    issuer: body.issuer as string,
    subject: body.subject as string,
    description: (body.description as string | null | undefined) ?? null,
    audiences: (body.audiences as string[] | undefined) ?? [],
  };
  checkCredential(fic, existing);
  if (existing.length >= MAX_PER_APP) {
    // Limit documented (20 per app); the error code and text are UNCONFIRMED.
    throw graphErrors.badRequest(`An application cannot have more than ${MAX_PER_APP} federated identity credentials.`);
  }
  ctx.env.tenant.applications.putFederatedCredential(app.id!, fic);
  return entityResponse(ctx, entitySet(app), 'federatedIdentityCredential', fic, 201);
}

/** POST → 201 (https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials). */
function createCredential(ctx: GraphCtx): EmuResponse {
  const body = objectBody(ctx.req.body);
  const app = requireApplication(ctx, ctx.params.app, 'write');
  if ('id' in body) throw graphErrors.badRequest("Property 'id' is read-only and cannot be set.");
  return create(ctx, app, body);
}

/**
 * PATCH → 204; `name` is immutable (https://learn.microsoft.com/graph/api/federatedidentitycredential-update).
 * `…/federatedIdentityCredentials(name='x')` that does not exist creates it → 201
 * (https://learn.microsoft.com/graph/api/federatedidentitycredential-upsert; whether that needs a
 * `Prefer: create-if-missing` header like application upsert is UNCONFIRMED — the emulator doesn't ask for one).
 */
function updateCredential(ctx: GraphCtx): EmuResponse {
  const body = objectBody(ctx.req.body);
  const app = requireApplication(ctx, ctx.params.app, 'write');
  const key = ficKey(ctx.params.fic);
  const existing = visibleCredentials(ctx, app).find((f) => keyMatches(f, key));
  if (!existing) {
    if (key.kind === 'alternate') {
      if ('name' in body && String(body.name).toLowerCase() !== key.value.toLowerCase()) throw invalid('name');
      return create(ctx, app, { ...body, name: key.value });
    }
    throw graphErrors.notFound(key.value);
  }
  const master = masters(ctx, app).find((f) => f.id === existing.id)!;
  if ('id' in body && String(body.id).toLowerCase() !== master.id!.toLowerCase()) throw graphErrors.badRequest("Property 'id' is read-only and cannot be set.");
  if ('name' in body && body.name !== master.name) {
    // Immutable after create (resource page); code UNCONFIRMED.
    throw graphErrors.badRequest("Property 'name' of a federatedIdentityCredential is immutable once it is created.");
  }
  const next: FederatedIdentityCredential = { ...master };
  for (const p of ['issuer', 'subject', 'description', 'audiences'] as const) {
    if (p in body) (next as Record<string, unknown>)[p] = structuredClone(body[p]);
  }
  checkCredential(
    next,
    masters(ctx, app).filter((f) => f.id !== master.id),
  );
  ctx.env.tenant.applications.putFederatedCredential(app.id!, next);
  return noContent();
}
