import { decodeJwt } from 'jose';
import { TenantformError } from '../errors.js';
import type { TokenPermissions } from '../model/snapshot.js';
import type { Target } from './target.js';
import { graphResource } from './transport.js';

/** Who is acting: read from the Graph token's claims (app display name / upn, appid). */
export async function describeIdentity(target: Target): Promise<{ tenantId: string; identity: string; permissions: TokenPermissions }> {
  let token;
  try {
    token = await target.credential.getToken(`${graphResource(target.graphUrl)}/.default`);
  } catch (e) {
    throw new TenantformError(
      'AUTH_FAILED',
      `Could not get a Microsoft Graph token for tenant ${target.tenant}: ${firstLine((e as Error).message)}. Sign in (az login, workload identity, or --auth device-code) and re-run.`,
    );
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

function firstLine(s: string): string {
  return s.split('\n')[0];
}
