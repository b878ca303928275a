/**
 * Customer tenants of multi-tenant apps (the ISV case): `--tenant <customer> --home-tenant <isv>`.
 *
 * The applications (and their secrets, certificates and config files) live only in the home tenant. In a
 * customer tenant the stack is represented by SERVICE PRINCIPALS made from the home apps' appIds
 * (`PATCH /servicePrincipals(appId='…')` + create-if-missing) and by the admin consent the manifest grants
 * there (app role assignments, tenant-wide delegated grants) — what an administrator's consent would create
 * (https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant,
 * https://learn.microsoft.com/entra/identity-platform/app-objects-and-service-principals).
 *
 * So this session reads the home tenant (applications by uniqueName, read-only) and the customer tenant (the
 * service principals of those appIds, their assignments and grants, the named tenant APIs), composes one
 * LiveState in which each managed app is the home application with the CUSTOMER's service principal, runs the
 * normal planner on it, and keeps only the service-principal and consent changes. The executor then needs
 * nothing new. See docs/verify.md#multi-tenant-daemons.
 */
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { AppRoleAssignment, OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { stackSuffixOf, withStackSuffix } from '../destroy/ephemeral.js';
import { TenantformError } from '../errors.js';
import { batchRequests } from '../graph/batch.js';
import { graphFailure } from '../graph/failure.js';
import { SP_SELECT, type LiveApplication, type LiveState } from '../graph/live.js';
import { readLive } from '../graph/reader.js';
import { describeIdentity, resolveTarget, type Target } from '../graph/target.js';
import { GraphTransport, type GraphResponse } from '../graph/transport.js';
import { loadManifests } from '../manifest/index.js';
import { ownerOf, type DesiredStack } from '../model/desired.js';
import { SecretStore } from '../outputs/secret-cache.js';
import { createPlan } from '../plan/index.js';
import { toPlanStack } from '../plan/input.js';
import { orderChanges } from '../plan/order.js';
import type { Change, Plan } from '../plan/types.js';
import type { CommonOptions, Session } from '../session.js';

/** Audiences whose apps may have service principals in other organizations' tenants. */
const MULTI_TENANT = new Set(['AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount']);

/** What a customer tenant gets: service principals and consent; never applications, credentials or files. */
const CUSTOMER_ACTIONS = new Set<Change['action']>([
  'create-service-principal',
  'update-service-principal',
  'create-app-role-assignment',
  'delete-app-role-assignment',
  'create-delegated-grant',
  'update-delegated-grant',
  'delete-delegated-grant',
]);

export async function openConsumerSession(opts: CommonOptions & { homeTenant: string }): Promise<Session> {
  const cwd = opts.cwd ?? process.cwd();
  const loaded = await loadManifests(opts.manifests, { vars: opts.vars, env: opts.env, cwd });
  const stacks = withStackSuffix(loaded.stacks, stackSuffixOf(opts));
  const targets: Target[] = [];
  const close = async () => {
    for (const t of targets.reverse()) await t.close();
  };
  try {
    const target = await resolveTarget(opts);
    targets.push(target);
    const home = await resolveTarget({ ...opts, tenant: opts.homeTenant, credential: opts.homeCredential ?? homeCredentialFromEnv(opts) });
    targets.push(home);
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    const [who, homeWho] = await Promise.all([describeIdentity(target), describeIdentity(home)]);
    if (GUID.test(opts.homeTenant) && homeWho.tenantId.toLowerCase() !== opts.homeTenant.toLowerCase()) {
      throw new TenantformError(
        'AUTH_FAILED',
        `The credential for --home-tenant ${opts.homeTenant} signs in to tenant ${homeWho.tenantId} as ${homeWho.identity}. Set ${HOME_ID_ENV} and ${HOME_SECRET_ENV} to a client of the home tenant, or sign in with an account of both tenants (az login).`,
        { homeTenant: opts.homeTenant, signedInTenant: homeWho.tenantId },
      );
    }
    const transport = new GraphTransport({ graphUrl: target.graphUrl, credential: target.credential, ca: target.ca });
    const homeTransport = new GraphTransport({ graphUrl: home.graphUrl, credential: home.credential, ca: home.ca });
    const planStacks = stacks.map(toPlanStack);
    const uniqueNames = planStacks.flatMap((s) => s.applications.map((a) => a.uniqueName));
    const resources = [...new Set(planStacks.flatMap((s) => s.applications.flatMap((a) => a.permissions.flatMap((p) => (p.api.kind === 'tenant' ? [p.api.name] : [])))))];
    const [homeLive, customer] = await Promise.all([
      readLive(homeTransport, { uniqueNames, resources: [], deadline }),
      readLive(transport, { uniqueNames: [], resources, deadline }),
    ]);
    if (homeLive.tenant.id.toLowerCase() === customer.tenant.id.toLowerCase()) {
      throw new TenantformError('USAGE', `--home-tenant names the target tenant itself (${customer.tenant.id}); drop it to apply the stack normally.`);
    }
    checkHomeApplications(stacks, homeLive, homeLive.tenant.id);
    const live: LiveState = { tenant: customer.tenant, applications: await customerView(transport, homeLive, deadline), resources: customer.resources };
    const secrets = SecretStore.forTenant(homeLive.tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, { onWrite: opts.onWrite });
    const tenant = { id: live.tenant.id, kind: target.kind, identity: who.identity, type: live.tenant.tenantType };
    const full = createPlan({ stacks: planStacks, live, secrets: secrets.snapshot(), tenant, now: Date.now() });
    const plan: Plan = { ...full, changes: orderChanges(full.changes.filter((c) => CUSTOMER_ACTIONS.has(c.action))) };
    plan.warnings = [...plan.warnings, `customer tenant of ${homeLive.tenant.id}: only service principals and admin consent are managed here`];
    return {
      stacks,
      target,
      transport,
      live,
      secrets,
      plan,
      outputEnv: { cwd, authorityHost: target.authorityHost, local: target.kind === 'local' },
      deadline,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A client of the home tenant for CI (the target's credential comes from AZURE_* as usual). */
export const HOME_ID_ENV = 'TENANTFORM_HOME_CLIENT_ID';
export const HOME_SECRET_ENV = 'TENANTFORM_HOME_CLIENT_SECRET';

/**
 * The home tenant's credential when none is passed: TENANTFORM_HOME_CLIENT_ID/SECRET, else (undefined)
 * DefaultAzureCredential for the home tenant — developer sign-ins (Azure CLI, azd, VS Code) honour its tenantId,
 * EnvironmentCredential does not (it always uses AZURE_TENANT_ID).
 */
function homeCredentialFromEnv(opts: CommonOptions & { homeTenant: string }): TokenCredential | undefined {
  const id = opts.env?.[HOME_ID_ENV];
  const secret = opts.env?.[HOME_SECRET_ENV];
  if (!id || !secret) return undefined;
  const authorityHost = opts.authorityHost ?? opts.env?.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com';
  const host = new URL(authorityHost).hostname;
  return new ClientSecretCredential(opts.homeTenant, id, secret, {
    authorityHost,
    disableInstanceDiscovery: !host.startsWith('login.'),
    ...(opts.ca ? { tlsOptions: { ca: opts.ca } } : {}),
  });
}

/** Every application must exist in the home tenant, be ours, and be multi-tenant. */
function checkHomeApplications(stacks: DesiredStack[], home: LiveState, homeId: string): void {
  const problems: string[] = [];
  for (const s of stacks) {
    for (const a of s.applications) {
      const l = home.applications[a.uniqueName.toLowerCase()];
      if (!l) problems.push(`${s.name}/${a.key} does not exist in the home tenant ${homeId}: apply the stack there first`);
      else if (ownerOf(l.app.tags) !== s.name) problems.push(`${s.name}/${a.key} (appId ${l.app.appId}) in the home tenant is not owned by stack ${s.name}`);
      else if (!MULTI_TENANT.has(l.app.signInAudience ?? '')) {
        problems.push(`${s.name}/${a.key} is single-tenant (signInAudience ${l.app.signInAudience}): set signInAudience: AzureADMultipleOrgs and apply it in the home tenant`);
      }
    }
  }
  if (problems.length) throw new TenantformError('USAGE', `Cannot manage a customer tenant: ${problems.join('; ')}.`, { problems });
}

/** Each home application with the customer tenant's service principal of its appId, and that SP's consent. */
async function customerView(transport: GraphTransport, home: LiveState, deadline: number): Promise<Record<string, LiveApplication>> {
  const apps = Object.entries(home.applications);
  const specs = apps.flatMap(([, l]) => [
    { method: 'GET' as const, path: `/servicePrincipals(appId='${l.app.appId}')?$select=${SP_SELECT}` },
    { method: 'GET' as const, path: `/servicePrincipals(appId='${l.app.appId}')/appRoleAssignments` },
    { method: 'GET' as const, path: `/servicePrincipals(appId='${l.app.appId}')/oauth2PermissionGrants` },
  ]);
  const res = specs.length ? await batchRequests(transport, specs, { deadline }) : [];
  const out: Record<string, LiveApplication> = {};
  apps.forEach(([uniqueName, l], i) => {
    const [sp, assignments, grants] = res.slice(i * 3, i * 3 + 3);
    out[uniqueName] = {
      app: l.app,
      servicePrincipal: sp.status === 404 ? undefined : (ok(sp, `read the service principal of ${uniqueName} in the customer tenant`) as ServicePrincipal),
      assignments: sp.status === 404 ? [] : list<AppRoleAssignment>(assignments, `read app role assignments of ${uniqueName}`),
      grants: sp.status === 404 ? [] : list<OAuth2PermissionGrant>(grants, `read delegated grants of ${uniqueName}`),
      federatedCredentials: [],
    };
  });
  return out;
}

function ok(res: GraphResponse, action: string): unknown {
  if (res.status < 300) return res.body;
  throw graphFailure(res, { action, needs: ['Application.Read.All'] });
}

function list<T>(res: GraphResponse, action: string): T[] {
  if (res.status === 404) return [];
  return ((ok(res, action) as { value?: T[] }).value ?? []) as T[];
}
