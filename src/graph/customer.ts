import type { LiveApplication, LiveState } from '../model/live.js';
import { batchRequests } from './batch.js';
import { servicePrincipalSpecs, toServicePrincipalReads } from './sp-reads.js';
import type { GraphSender } from './transport.js';

/**
 * A customer tenant's view of the home tenant's applications (`--home-tenant`): each home application with
 * the CUSTOMER tenant's service principal of its appId and that SP's consent — one batched round trip (sp-reads.ts).
 * See gather/customer.ts.
 */
export async function readCustomerView(transport: GraphSender, home: LiveState, deadline: number): Promise<Record<string, LiveApplication>> {
  const apps = Object.entries(home.applications);
  // One appId per home application (its uniqueName is unique, and so is its appId).
  const appIds = apps.map(([, l]) => String(l.app.appId));
  const nameOf = new Map(apps.map(([uniqueName, l]) => [String(l.app.appId).toLowerCase(), `${uniqueName} in the customer tenant`]));
  const specs = servicePrincipalSpecs(appIds);
  const res = specs.length ? await batchRequests(transport, specs, { deadline }) : [];
  const reads = await toServicePrincipalReads(transport, appIds, res, { deadline, name: (appId) => nameOf.get(appId.toLowerCase()) ?? appId });
  const out: Record<string, LiveApplication> = {};
  apps.forEach(([uniqueName, l], i) => {
    out[uniqueName] = { app: l.app, ...reads[i], federatedCredentials: [] };
  });
  return out;
}
