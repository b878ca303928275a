/**
 * Adopt existing applications into a stack (`tenantform import <manifest> --app <key>=<appId>`): the
 * plan sets each application's uniqueName once (Graph lets it be set while it is null, never changed)
 * and puts the stack's ownership tag on it and on its service principal. After that the application is
 * the stack's like any other, and `apply` brings the rest of it in line with the manifest.
 */
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { executePlan, type ChangeResult } from '../apply/execute.js';
import type { AppIds } from '../apply/context.js';
import { stackSuffixOf, withStackSuffix } from '../destroy/ephemeral.js';
import { TenantformError } from '../errors.js';
import { batchRequests } from '../graph/batch.js';
import { graphFailure } from '../graph/failure.js';
import { APP_SELECT, SP_SELECT } from '../graph/live.js';
import { toTenant } from '../graph/reader.js';
import { describeIdentity, resolveTarget } from '../graph/target.js';
import { GraphTransport, type GraphResponse } from '../graph/transport.js';
import { loadManifests } from '../manifest/index.js';
import type { DesiredApplication, DesiredStack } from '../model/desired.js';
import { SecretStore } from '../outputs/secret-cache.js';
import { orderChanges } from '../plan/order.js';
import { isEmpty, PLAN_FORMAT_VERSION, type Plan } from '../plan/types.js';
import type { CommonOptions } from '../session.js';
import { adoptionChange, checkAdoption, type Adoption } from './plan.js';

export interface ImportOptions extends CommonOptions {
  /** Application key (or `<stack>/<key>`) → appId of the existing application to adopt. */
  apps: Record<string, string>;
  /** Called with a non-empty plan before anything is written; return false to cancel. */
  confirm?: (plan: Plan) => Promise<boolean> | boolean;
}

export interface ImportResult {
  plan: Plan;
  empty: boolean;
  results: ChangeResult[];
  ok: boolean;
  cancelled: boolean;
  graphRequests: number;
}

const q = (s: string) => s.replace(/'/g, "''");
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What import would change. Writes nothing. */
export async function planImport(opts: ImportOptions): Promise<{ plan: Plan; empty: boolean }> {
  const s = await openImport(opts);
  try {
    return { plan: s.plan, empty: isEmpty(s.plan) };
  } finally {
    await s.close();
  }
}

/** Adopt the applications (after `confirm`, when given). */
export async function adopt(opts: ImportOptions): Promise<ImportResult> {
  const s = await openImport(opts);
  try {
    if (!isEmpty(s.plan) && opts.confirm && !(await opts.confirm(s.plan))) {
      return { plan: s.plan, empty: false, results: [], ok: false, cancelled: true, graphRequests: 0 };
    }
    const before = s.transport.stats.requests;
    const results = await executePlan({ transport: s.transport, deadline: s.deadline, refs: s.refs, secrets: s.secrets, progress: opts.progress, onWrite: opts.onWrite }, s.plan, {
      writeOutput: async () => Promise.reject(new Error('internal: an import plan writes no output')),
    });
    return { plan: s.plan, empty: isEmpty(s.plan), results, ok: results.every((r) => r.status === 'done'), cancelled: false, graphRequests: s.transport.stats.requests - before };
  } finally {
    await s.close();
  }
}

async function openImport(opts: ImportOptions) {
  const cwd = opts.cwd ?? process.cwd();
  const suffix = stackSuffixOf(opts);
  const stacks = withStackSuffix((await loadManifests(opts.manifests, { vars: opts.vars, env: opts.env, cwd })).stacks, suffix);
  const wanted = Object.entries(opts.apps).map(([name, appId]) => ({ ...findApp(stacks, name, suffix), appId }));
  if (!wanted.length) throw new TenantformError('USAGE', 'Name at least one application to adopt: --app <key>=<appId>.');
  for (const w of wanted) {
    if (!GUID.test(w.appId)) throw new TenantformError('USAGE', `"${w.appId}" is not an appId (a GUID) for application "${w.app.key}".`);
    if (wanted.filter((x) => x.appId.toLowerCase() === w.appId.toLowerCase()).length > 1) throw new TenantformError('USAGE', `appId ${w.appId} is given for more than one application.`);
  }
  const target = await resolveTarget(opts);
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    const who = await describeIdentity(target);
    const transport = new GraphTransport({ graphUrl: target.graphUrl, credential: target.credential, ca: target.ca });
    // One batched round trip: the organization, and per application the app by appId, its SP, whatever holds
    // the uniqueName it should get (live or in the recycle bin).
    const specs = [
      { method: 'GET' as const, path: '/organization?$select=id,displayName,tenantType,verifiedDomains' },
      ...wanted.flatMap((w) => [
        { method: 'GET' as const, path: `/applications(appId='${w.appId}')?$select=${APP_SELECT}` },
        { method: 'GET' as const, path: `/servicePrincipals(appId='${w.appId}')?$select=${SP_SELECT}` },
        { method: 'GET' as const, path: `/applications(uniqueName='${q(w.app.uniqueName)}')?$select=id,appId,displayName,tags` },
        { method: 'GET' as const, path: `/directory/deletedItems/microsoft.graph.application?$filter=uniqueName eq '${q(w.app.uniqueName)}'&$select=id,appId,displayName,tags,deletedDateTime` },
      ]),
    ];
    const r = await batchRequests(transport, specs, { deadline });
    const tenant = toTenant(body(r[0], 'read the organization'));
    const adoptions: Adoption[] = wanted.map((w, i) => {
      const [app, sp, holder, deleted] = r.slice(1 + i * 4, 5 + i * 4);
      if (app.status === 404) throw new TenantformError('RESOLVE_FAILED', `No application with appId ${w.appId} in tenant ${tenant.id}.`, { appId: w.appId });
      return {
        stack: w.stack.name,
        desired: w.app,
        app: body(app, `read application ${w.appId}`) as Application,
        servicePrincipal: sp.status === 404 ? undefined : (body(sp, `read the service principal of ${w.appId}`) as ServicePrincipal),
        holder: holder.status === 404 ? undefined : (body(holder, `read application ${w.app.uniqueName}`) as Application),
        deletedHolder: deleted.status === 200 ? ((deleted.body as { value?: Application[] }).value ?? [])[0] : undefined,
      };
    });
    adoptions.forEach(checkAdoption);
    const changes = adoptions.flatMap((a) => adoptionChange(a) ?? []);
    const plan: Plan = {
      formatVersion: PLAN_FORMAT_VERSION,
      operation: 'import',
      createdAt: new Date().toISOString(),
      tenant: { id: tenant.id, kind: target.kind, identity: who.identity, type: tenant.tenantType },
      stacks: [...new Set(adoptions.map((a) => a.stack))],
      changes: orderChanges(changes),
      warnings: [],
    };
    const refs = new Map<string, AppIds>(
      adoptions.map((a) => [`app:${a.stack}/${a.desired.key}`, { uniqueName: a.desired.uniqueName, objectId: String(a.app.id), appId: String(a.app.appId), servicePrincipalId: a.servicePrincipal?.id ?? undefined }]),
    );
    const secrets = SecretStore.forTenant(tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, { onWrite: opts.onWrite });
    return { plan, refs, transport, secrets, deadline, close: () => target.close() };
  } catch (e) {
    await target.close();
    throw e;
  }
}

/** `key` or `<stack>/<key>` (the manifest's stack name, with or without the suffix). */
export function findApp(stacks: DesiredStack[], name: string, suffix: string | undefined): { stack: DesiredStack; app: DesiredApplication } {
  const [stackName, key] = name.includes('/') ? name.split('/', 2) : [undefined, name];
  const named = (s: DesiredStack) => stackName === undefined || s.name === stackName || (!!suffix && s.name === `${stackName}-${suffix}`);
  const matches = stacks.flatMap((s) => s.applications.filter((a) => a.key === key && named(s)).map((a) => ({ stack: s, app: a })));
  if (matches.length === 1) return matches[0];
  if (!matches.length) {
    const known = [...new Set(stacks.flatMap((s) => s.applications.map((a) => a.key)))];
    throw new TenantformError('USAGE', `No application "${name}" in the manifests (known: ${known.join(', ') || 'none'}).`, { app: name });
  }
  throw new TenantformError('USAGE', `Application "${name}" is in several stacks (${matches.map((m) => m.stack.name).join(', ')}); write --app <stack>/<key>=<appId>.`, { app: name });
}

function body(res: GraphResponse, action: string): unknown {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw graphFailure(res, { action, needs: ['Application.Read.All'] });
}
