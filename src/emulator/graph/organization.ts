import { PERMS, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { parseKey } from '../router.js';
import { entityResponse, listResponse } from './odata.js';
import { LIST_QUERY } from './query-options.js';

/** GET /organization and /organization/{id}: https://learn.microsoft.com/graph/api/organization-get */
export const organizationRoutes: GraphRoute[] = [
  {
    method: 'GET',
    pattern: 'organization',
    anyOf: PERMS.orgRead,
    query: LIST_QUERY,
    handler: (ctx) =>
      listResponse(ctx, {
        entitySet: 'organization',
        type: 'organization',
        items: [ctx.env.tenant.organization()],
        filterable: ['id'],
        resource: 'organization',
      }),
  },
  {
    method: 'GET',
    pattern: 'organization/:id',
    anyOf: PERMS.orgRead,
    handler: (ctx) => {
      const key = parseKey(ctx.params.id);
      const org = ctx.env.tenant.organization();
      if (key.kind !== 'id' || key.value !== org.id) throw graphErrors.notFound(key.value);
      return entityResponse(ctx, 'organization', 'organization', org);
    },
  },
];
