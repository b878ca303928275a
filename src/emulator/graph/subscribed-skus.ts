import { PERMS, type GraphRoute } from '../context.js';
import { SUBSCRIBED_SKU_PROPERTIES, subscribedSkus } from '../licenses.js';
import { listResponse } from './odata.js';

/**
 * GET /subscribedSkus: the tenant's licenses (SeedOptions.licenses / TENANTFORM_EMULATOR_LICENSES).
 * https://learn.microsoft.com/graph/api/subscribedsku-list — "supports only the $select OData query parameter
 * … It does not support $filter": any other option answers 501 (query-options.ts).
 */
export const subscribedSkuRoutes: GraphRoute[] = [
  {
    method: 'GET',
    pattern: 'subscribedSkus',
    anyOf: PERMS.skuRead,
    query: ['$select'],
    handler: (ctx) => {
      const tenant = ctx.env.tenant;
      return listResponse(ctx, {
        entitySet: 'subscribedSkus',
        type: 'subscribedSku',
        items: subscribedSkus(tenant.tenantId, tenant.organization().displayName ?? '', tenant.licenses),
        filterable: [],
        resource: 'subscribedSku',
        properties: SUBSCRIBED_SKU_PROPERTIES,
      });
    },
  },
];
