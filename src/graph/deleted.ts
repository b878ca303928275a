import type { ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { ownerOf } from '../model/desired.js';
import type { DeletedHolder } from '../model/live.js';
import { batchRequests } from './batch.js';
import { graphFailure } from './failure.js';
import { filters, paths } from './paths.js';
import type { GraphSender } from './transport.js';

/**
 * The deleted service principals of the holders' appIds (one batched round trip; only when there are holders),
 * so a restore can bring the stack's SP back with its application (plan/recover.ts).
 */
export async function readDeletedServicePrincipals(
  transport: GraphSender,
  holders: DeletedHolder[],
  deadline: number,
): Promise<Record<string, ServicePrincipal>> {
  const specs = holders.map((h) => ({ method: 'GET' as const, path: paths.deletedServicePrincipalsWhere(filters.appId(String(h.app.appId))) }));
  const res = await batchRequests(transport, specs, { deadline });
  const out: Record<string, ServicePrincipal> = {};
  holders.forEach((h, i) => {
    if (res[i].status !== 200)
      throw graphFailure(res[i], { action: `look up the deleted service principal of ${h.uniqueName}`, needs: ['Application.Read.All'] });
    const sp = ((res[i].body as { value?: ServicePrincipal[] }).value ?? []).find((x) => ownerOf(x.tags) === h.stack);
    if (sp) out[String(h.app.appId)] = sp;
  });
  return out;
}
