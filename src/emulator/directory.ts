import type { Application } from '@microsoft/microsoft-graph-types';
import type { EmulatorEnv } from './context.js';
import type { Tenant } from './store/index.js';

/**
 * More than one tenant in one emulator, for multi-tenant applications (the ISV case): an application
 * registered in its home tenant A with signInAudience AzureADMultipleOrgs can get a service principal in
 * tenant B (`POST /servicePrincipals {appId}` in B), and its client then gets tokens from B with A's
 * credentials (https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant,
 * https://learn.microsoft.com/entra/identity-platform/app-objects-and-service-principals).
 *
 * Each tenant keeps its own state (organization, objects, admin client); they share the emulator's
 * origin, clock, faults and token-signing key. Sharing the key is what Entra does too: the tenant-specific
 * and the /common JWKS publish the same keys, and validators tell tenants apart by `iss`/`tid`
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-signature).
 */
export class TenantDirectory {
  private readonly tenants: Tenant[] = [];

  constructor(primary: Tenant) {
    this.add(primary);
  }

  add(tenant: Tenant): void {
    this.tenants.push(tenant);
    tenant.directory = this;
  }

  /** The first tenant (the one the emulator announces) first. */
  all(): Tenant[] {
    return [...this.tenants];
  }

  get primary(): Tenant {
    return this.tenants[0];
  }
}

/**
 * Audiences whose applications may be used in other organizations' tenants
 * (https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation).
 */
const MULTI_ORG = new Set(['AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount']);

export function isMultiTenant(app: Pick<Application, 'signInAudience'>): boolean {
  return MULTI_ORG.has(app.signInAudience ?? '');
}

/** Every tenant of the emulator `tenant` belongs to (just itself for a stand-alone Tenant). */
export function tenantsOf(tenant: Tenant): Tenant[] {
  return tenant.directory?.all() ?? [tenant];
}

/** A tenant by id or verified domain name (case-insensitive), as a login URL's `{tenant}` segment names it. */
export function findTenant(any: Tenant, segment: string): Tenant | undefined {
  const lower = segment.toLowerCase();
  return tenantsOf(any).find((t) => t.tenantId.toLowerCase() === lower || t.verifiedDomains().some((d) => d.toLowerCase() === lower));
}

export function tenantById(any: Tenant, tenantId: string | null | undefined): Tenant | undefined {
  if (!tenantId) return undefined;
  return tenantsOf(any).find((t) => t.tenantId.toLowerCase() === tenantId.toLowerCase());
}

/**
 * The application of `appId` registered in ANOTHER tenant of this emulator, as that tenant's replicas see it
 * (a just-created app is not there yet), with its home tenant. Single- and multi-tenant apps are both
 * returned; callers decide (see isMultiTenant).
 */
export function foreignApplication(tenant: Tenant, appId: string): { home: Tenant; app: Application } | undefined {
  const id = appId.toLowerCase();
  for (const home of tenantsOf(tenant)) {
    if (home === tenant) continue;
    const app = home.applications.byAppId(id);
    if (app) return { home, app };
  }
  return undefined;
}

const envs = new WeakMap<Tenant, EmulatorEnv>();

/** The handler environment of one tenant: the emulator's shared parts with that tenant's state. */
export function envForTenant(base: EmulatorEnv, tenant: Tenant): EmulatorEnv {
  if (base.tenant === tenant) return base;
  let env = envs.get(tenant);
  if (!env || env.keys !== base.keys) {
    env = { ...base, tenant };
    envs.set(tenant, env);
  }
  return env;
}
