import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import type { LiveTenant } from '../model/live.js';
import { batchRequests } from './batch.js';
import { filters, paths } from './paths.js';
import { expectOk, toTenant } from './reader.js';
import { SP_SELECT } from './select.js';
import type { GraphSender } from './transport.js';

/** What the tenant holds for one application to adopt (`tenantform import`). */
export interface AdoptionRead {
  app: Application;
  servicePrincipal?: ServicePrincipal;
  /** Whatever live application already holds the uniqueName it should get. */
  holder?: Application;
  /** A soft-deleted application holding that uniqueName. */
  deletedHolder?: Application;
}

/**
 * One batched round trip: the organization, and per application the app by appId, its SP, and whatever holds
 * the uniqueName it should get (live or in the recycle bin).
 */
export async function readAdoptions(
  transport: GraphSender,
  wanted: Array<{ appId: string; uniqueName: string }>,
  deadline: number,
): Promise<{ tenant: LiveTenant; reads: AdoptionRead[] }> {
  const specs = [
    { method: 'GET' as const, path: paths.organization },
    ...wanted.flatMap((w) => [
      { method: 'GET' as const, path: paths.applicationByAppId(w.appId) },
      { method: 'GET' as const, path: paths.servicePrincipalByAppId(w.appId, SP_SELECT) },
      { method: 'GET' as const, path: paths.applicationByUniqueName(w.uniqueName, 'id,appId,displayName,tags') },
      { method: 'GET' as const, path: paths.deletedApplicationsWhere(filters.uniqueName(w.uniqueName), 'id,appId,displayName,tags,deletedDateTime') },
    ]),
  ];
  const r = await batchRequests(transport, specs, { deadline });
  const needs = ['Application.Read.All'];
  const tenant = toTenant(expectOk(r[0], 'read the organization', needs));
  const reads = wanted.map((w, i): AdoptionRead => {
    const [app, sp, holder, deleted] = r.slice(1 + i * 4, 5 + i * 4);
    if (app.status === 404) throw new TenantformError('RESOLVE_FAILED', `No application with appId ${w.appId} in tenant ${tenant.id}.`, { appId: w.appId });
    return {
      app: expectOk(app, `read application ${w.appId}`, needs) as Application,
      servicePrincipal: sp.status === 404 ? undefined : (expectOk(sp, `read the service principal of ${w.appId}`, needs) as ServicePrincipal),
      holder: holder.status === 404 ? undefined : (expectOk(holder, `read application ${w.uniqueName}`, needs) as Application),
      deletedHolder: deleted.status === 200 ? ((deleted.body as { value?: Application[] }).value ?? [])[0] : undefined,
    };
  });
  return { tenant, reads };
}
