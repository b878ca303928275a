import type { GraphCtx, GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { ownedApplications } from './owners.js';
import { LIST_QUERY } from './query-options.js';
import { findUser, userResponse } from './users.js';

/**
 * `/me`: the signed-in user of a delegated token (https://learn.microsoft.com/graph/api/user-get, "GET /me"), and the
 * applications it owns (https://learn.microsoft.com/graph/api/user-list-ownedobjects, cast to applications: what
 * `tenantform export --owned-by-me` reads). User.Read is the least privileged permission of both. An app-only
 * token never gets here (server.ts answers Graph's 400 for it).
 */
const SELF_READ = ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

function self(ctx: GraphCtx): string {
  const id = ctx.caller.user?.id;
  if (!id) throw graphErrors.meWithoutUser();
  return id;
}

export const meRoutes: GraphRoute[] = [
  { method: 'GET', pattern: 'me', anyOf: SELF_READ, handler: (ctx) => userResponse(ctx, findUser(ctx.env.tenant, self(ctx))) },
  {
    method: 'GET',
    pattern: 'me/ownedObjects/microsoft.graph.application',
    anyOf: SELF_READ,
    query: LIST_QUERY,
    handler: (ctx) => ownedApplications(ctx, self(ctx)),
  },
];
