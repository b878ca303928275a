import type { AppRoleAssignment, OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { LiveApplication, LiveState } from '../model/live.js';
import { batchRequests } from './batch.js';
import { expectOk, listOf, servicePrincipalReads } from './reader.js';
import type { GraphSender } from './transport.js';

/**
 * A customer tenant's view of the home tenant's applications (`--home-tenant`): each home application with
 * the CUSTOMER tenant's service principal of its appId and that SP's consent — one batched round trip.
 * See gather/customer.ts.
 */
export async function readCustomerView(transport: GraphSender, home: LiveState, deadline: number): Promise<Record<string, LiveApplication>> {
  const apps = Object.entries(home.applications);
  const specs = apps.flatMap(([, l]) => servicePrincipalReads(String(l.app.appId)));
  const res = specs.length ? await batchRequests(transport, specs, { deadline }) : [];
  const out: Record<string, LiveApplication> = {};
  apps.forEach(([uniqueName, l], i) => {
    const [sp, assignments, grants] = res.slice(i * 3, i * 3 + 3);
    const none = sp.status === 404;
    out[uniqueName] = {
      app: l.app,
      servicePrincipal: none
        ? undefined
        : (expectOk(sp, `read the service principal of ${uniqueName} in the customer tenant`, ['Application.Read.All']) as ServicePrincipal),
      assignments: none ? [] : listOf<AppRoleAssignment>(assignments, `read app role assignments of ${uniqueName}`),
      grants: none ? [] : listOf<OAuth2PermissionGrant>(grants, `read delegated grants of ${uniqueName}`),
      federatedCredentials: [],
    };
  });
  return out;
}
