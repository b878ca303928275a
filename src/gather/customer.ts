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
 * So this gatherer reads the home tenant (applications by uniqueName, read-only) and the customer tenant (the
 * service principals of those appIds, their assignments and grants, the named tenant APIs) and composes one
 * ApplySnapshot in which each managed app is the home application with the CUSTOMER's service principal and
 * `customer` is set: the planner (plan/index.ts) plans it normally and keeps only the service-principal and
 * consent changes. The executor then needs nothing new. See docs/verify.md#multi-tenant-daemons.
 */
import type { TokenCredential } from '@azure/identity';
import { TenantformError } from '../errors.js';
import { DEFAULT_AUTHORITY_HOST } from '../graph/authority.js';
import { readCustomerView } from '../graph/customer.js';
import { readLive } from '../graph/reader.js';
import { secretCredential } from '../graph/target.js';
import { ownerOf, type DesiredStack } from '../model/desired.js';
import type { LiveState } from '../model/live.js';
import { SNAPSHOT_FORMAT_VERSION, type ApplySnapshot } from '../model/snapshot.js';
import type { CommonOptions } from '../options.js';
import { SecretStore } from '../outputs/secret-cache.js';
import { tenantResources, tenantUsers, type Gathered } from './types.js';
import { connect, type Connection } from './connect.js';
import { loadStacks } from './manifests.js';
import { GUID } from '../model/guid.js';

/** Audiences whose apps may have service principals in other organizations' tenants. */
const MULTI_TENANT = new Set(['AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount']);

export async function gatherCustomer(opts: CommonOptions & { homeTenant: string }): Promise<Gathered<ApplySnapshot>> {
  const cwd = opts.cwd ?? process.cwd();
  const { stacks, warnings: manifestWarnings } = await loadStacks({ ...opts, cwd });
  const connections: Connection[] = [];
  const close = async () => {
    for (const c of connections.reverse()) await c.close();
  };
  try {
    // One after the other: both may be the local tenant, which the first one starts.
    const target = await connect(opts);
    connections.push(target);
    const home = await connect({ ...opts, tenant: opts.homeTenant, credential: opts.homeCredential ?? homeCredentialFromEnv(opts) });
    connections.push(home);
    if (GUID.test(opts.homeTenant) && home.tenantId.toLowerCase() !== opts.homeTenant.toLowerCase()) {
      throw new TenantformError(
        'AUTH_FAILED',
        `The credential for --home-tenant ${opts.homeTenant} signs in to tenant ${home.tenantId} as ${home.identity}. Set ${HOME_ID_ENV} and ${HOME_SECRET_ENV} to a client of the home tenant, or sign in with an account of both tenants (az login).`,
        { homeTenant: opts.homeTenant, signedInTenant: home.tenantId },
      );
    }
    const uniqueNames = stacks.flatMap((s) => s.applications.map((a) => a.uniqueName));
    const [homeLive, customer] = await Promise.all([
      readLive(home.transport, { uniqueNames, resources: [], deadline: home.deadline }),
      readLive(target.transport, { uniqueNames: [], resources: tenantResources(stacks), users: tenantUsers(stacks), deadline: target.deadline }),
    ]);
    if (homeLive.tenant.id.toLowerCase() === customer.tenant.id.toLowerCase()) {
      throw new TenantformError('USAGE', `--home-tenant names the target tenant itself (${customer.tenant.id}); drop it to apply the stack normally.`);
    }
    checkHomeApplications(stacks, homeLive, homeLive.tenant.id);
    const live: LiveState = {
      tenant: customer.tenant,
      applications: await readCustomerView(target.transport, homeLive, target.deadline),
      resources: customer.resources,
    };
    const secrets = SecretStore.forTenant(homeLive.tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, { onWrite: opts.onWrite });
    const snapshot: ApplySnapshot = {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      operation: 'apply',
      now: Date.now(),
      manifestWarnings,
      tenant: {
        id: live.tenant.id,
        kind: target.target.kind,
        identity: target.identity,
        type: live.tenant.tenantType,
        authorityHost: target.target.authorityHost,
      },
      stacks,
      live,
      // Credentials and files belong to the home tenant: the customer plan manages none of them.
      local: { secrets: secrets.snapshot(), certificates: {}, certificateFields: {}, outputs: {} },
      flags: { rotateSecrets: opts.rotateSecrets, rotateCertificates: opts.rotateCertificates },
      customer: { homeTenantId: homeLive.tenant.id },
    };
    return { snapshot, io: { connection: target, secrets, cwd, close } };
  } catch (e) {
    await close();
    throw e;
  }
}

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
  const authorityHost = opts.authorityHost ?? opts.env?.AZURE_AUTHORITY_HOST ?? DEFAULT_AUTHORITY_HOST;
  return secretCredential({ tenantId: opts.homeTenant, clientId: id, secret, authorityHost, ca: opts.ca });
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
        problems.push(
          `${s.name}/${a.key} is single-tenant (signInAudience ${l.app.signInAudience}): set signInAudience: AzureADMultipleOrgs and apply it in the home tenant`,
        );
      }
    }
  }
  if (problems.length) throw new TenantformError('USAGE', `Cannot manage a customer tenant: ${problems.join('; ')}.`, { problems });
}
