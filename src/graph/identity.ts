import { decodeJwt } from 'jose';
import { TenantformError } from '../errors.js';
import type { TokenPermissions } from '../model/snapshot.js';
import { probeAuthority } from './network.js';
import type { Target } from './target.js';
import { graphResource } from './transport.js';

/** Who is acting: read from the Graph token's claims (app display name / upn, appid). */
export async function describeIdentity(target: Target): Promise<{ tenantId: string; identity: string; permissions: TokenPermissions }> {
  let token;
  try {
    token = await target.credential.getToken(`${graphResource(target.graphUrl)}/.default`);
  } catch (e) {
    throw await tokenFailure(target, e);
  }
  if (!token) throw new TenantformError('AUTH_FAILED', `No Microsoft Graph token for tenant ${target.tenant}.`);
  const c = decodeJwt(token.token);
  const who = (c.upn as string) ?? (c.unique_name as string) ?? (c.app_displayname as string) ?? 'unknown identity';
  const id = (c.appid as string) ?? (c.azp as string) ?? (c.oid as string) ?? '';
  const permissions: TokenPermissions =
    typeof c.scp === 'string'
      ? { kind: 'delegated', values: c.scp.split(' ').filter(Boolean) }
      : { kind: 'application', values: Array.isArray(c.roles) ? c.roles.map(String) : [] };
  return { tenantId: String(c.tid ?? target.tenant), identity: id ? `${who} (${id})` : who, permissions };
}

/**
 * Why the first token failed. An answer of the authority (an AADSTS code) is a sign-in problem. Anything else
 * may be the network: MSAL reports an unreachable or untrusted authority as `endpoints_resolution_error`,
 * without its cause, and DefaultAzureCredential's other credentials reach other hosts (IMDS, the Azure CLI), so
 * the cause chain cannot say which host failed — the authority is asked directly (network.ts probeAuthority).
 */
async function tokenFailure(target: Target, e: unknown): Promise<TenantformError> {
  const message = e instanceof Error ? e.message : String(e);
  if (!/AADSTS\d+/.test(message)) {
    const probed = await probeAuthority({ authorityHost: target.authorityHost, tenant: target.tenant, ca: target.ca, flag: target.flags?.authorityHost });
    if (probed?.meta.aadsts === 90002 && target.kind === 'local') {
      // The port answers, but for another tenant than the local one: another emulator holds it.
      return new TenantformError(
        'AUTH_FAILED',
        `The emulator at ${target.authorityHost} does not serve the local tenant ${target.tenant} (./.tenantform/local-tenant.json): another emulator (\`tenantform emulator --memory\`?) holds that port. Stop it, or set TENANTFORM_LOCAL_PORT to another port.`,
        { tenant: target.tenant, aadsts: 90002 },
      );
    }
    if (probed) return probed;
  }
  return new TenantformError(
    'AUTH_FAILED',
    `Could not get a Microsoft Graph token for tenant ${target.tenant}: ${firstLine(message)}. Sign in (az login, workload identity, or --auth device-code) and re-run.`,
  );
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
