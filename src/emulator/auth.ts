import { errors as joseErrors } from 'jose';
import type { Caller, EmulatorEnv } from './context.js';
import { GraphFault, graphErrors } from './errors.js';
import type { EmuRequest } from './http.js';
import { effectivePermissions } from './graph/delegated-access.js';
import { MICROSOFT_GRAPH_APP_ID } from './seed.js';

/** Issuer forms of this tenant (reference/tokens.md §4.2): v1 is sts.windows.net, v2 sits on the authority host. */
export function issuerV1(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}
export function issuerV2(authorityHost: string, tenantId: string): string {
  return `${authorityHost}/${tenantId}/v2.0`;
}

/**
 * The issuers this emulator accepts back for a tenant: v1, and v2 on its own authority host or on any origin it has
 * issued tokens on (a client behind an HTTPS proxy for login.microsoftonline.com; login/origin.ts, keys.ts). A token
 * naming another origin was not issued here, whatever key signed it.
 */
export function acceptedIssuers(env: EmulatorEnv, tenantId: string): string[] {
  const origins = new Set([env.authorityHost.toLowerCase(), ...env.keys.servedOrigins()]);
  return [issuerV1(tenantId), ...[...origins].map((o) => issuerV2(o, tenantId))];
}

const GRAPH_AUDIENCES = ['https://graph.microsoft.com', 'https://graph.microsoft.com/', MICROSOFT_GRAPH_APP_ID];

/**
 * Graph accepts only access tokens this tenant issued for Microsoft Graph. Failures answer 401
 * InvalidAuthenticationToken with Graph's messages, plus the WWW-Authenticate header Graph sends.
 */
export async function authenticateGraph(req: EmuRequest, env: EmulatorEnv): Promise<Caller> {
  const header = req.headers.authorization;
  const fail = (message: string) => withChallenge(graphErrors.unauthenticated(message), env);
  if (!header || !/^Bearer\s+\S/i.test(header)) throw fail('Access token is empty.');
  const token = header.replace(/^Bearer\s+/i, '').trim();
  if (token.split('.').length !== 3) throw fail('IDX14100: JWT is not well formed, there are no dots (.).');
  const tid = env.tenant.tenantId;
  try {
    const claims = await env.keys.verify(token, {
      issuer: acceptedIssuers(env, tid),
      currentDate: new Date(env.clock.now()),
    });
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => a && GRAPH_AUDIENCES.includes(a))) throw fail('Access token validation failure. Invalid audience.');
    if (claims.tid !== tid) throw fail('Access token validation failure. Invalid tenant.');
    const appId = String(claims.appid ?? claims.azp ?? '');
    const principalId = String(claims.oid ?? '');
    if (typeof claims.scp === 'string') return delegatedCaller(env, appId, principalId, claims.scp);
    return { appId, principalId, roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [] };
  } catch (e) {
    if (e instanceof GraphFault) throw e;
    if (e instanceof joseErrors.JWTExpired) throw fail('Lifetime validation failed, the token is expired.');
    if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'iss') throw fail('Access token validation failure. Invalid issuer.');
    throw fail('Access token validation failure.');
  }
}

/**
 * A user token: its scopes as far as the signed-in user's directory roles allow them (graph/delegated-access.ts).
 * A user deleted or disabled since the token was issued keeps a valid signature but no access; Graph's answer for
 * that is UNCONFIRMED (401 InvalidAuthenticationToken chosen: the token no longer names a usable principal).
 */
function delegatedCaller(env: EmulatorEnv, appId: string, userId: string, scp: string): Caller {
  const user = userId ? env.tenant.users.visible(userId) : undefined;
  if (!user || user.accountEnabled === false)
    throw withChallenge(graphErrors.unauthenticated('Access token validation failure. The user does not exist or is disabled.'), env);
  const roleIds = env.tenant.users.credentials(userId)?.roleIds ?? [];
  const scopes = scp.split(' ').filter(Boolean);
  return { appId, principalId: user.id!, roles: effectivePermissions(scopes, roleIds), user: { id: user.id!, roleIds } };
}

function withChallenge(f: GraphFault, env: EmulatorEnv): GraphFault {
  f.headers['WWW-Authenticate'] = `Bearer realm="", authorization_uri="${env.authorityHost}/common/oauth2/authorize", client_id="${MICROSOFT_GRAPH_APP_ID}"`;
  return f;
}
