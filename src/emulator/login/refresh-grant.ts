import type { EmulatorEnv } from '../context.js';
import type { EmuRequest, EmuResponse } from '../http.js';
import type { ClientAppType } from './ca-evaluation.js';
import { parseClaimsRequest } from './claims-request.js';
import { basicCredentials, findClient } from './client.js';
import { authenticateUserFlowClient, type TokenForm } from './client-auth.js';
import { checkRedemptionOrigin } from './cors.js';
import { parseDelegatedScopes } from './delegated-scope.js';
import { interactiveErrors } from './interactive-errors.js';
import { oauthErrors, userFlowErrors } from './oauth-errors.js';
import type { TenantSegment } from './tenant.js';
import { issueUserTokens, userTokenResponse, type AuthMethod } from './user-token.js';
import { GUID } from '../guid.js';

/**
 * `grant_type=refresh_token` on /{tenant}/oauth2/v2.0/token (v2-oauth2-auth-code-flow "Refresh the access token"):
 * client_id, refresh_token, scope (optional; "Refresh tokens are valid for all permissions that your client has
 * already received consent for" — any consented resource, default the original request's scopes), and the client's
 * credential when it is confidential. Each redemption answers a new refresh token; the old one is NOT revoked
 * ("Refresh tokens aren't revoked when used to acquire new access tokens"). A single-page app's refresh tokens keep
 * the first one's 24-hour expiry (AADSTS700084 after it) and must be redeemed cross-origin (9002327); others expire
 * after 90 days without use (700082) and must not be (9002326). An unknown token, or one of another client, is
 * AADSTS9002313. Conditional access is evaluated again with the authentication the token carries (its amr: MFA done
 * at sign-in counts); consent again (a revoked grant stops the refresh).
 */
export async function handleRefreshTokenGrant(req: EmuRequest, env: EmulatorEnv, _t: TenantSegment, form: TokenForm): Promise<EmuResponse> {
  const clientId = form.client_id ?? basicCredentials(req.headers.authorization)?.clientId;
  if (!clientId) throw oauthErrors.missingParameter('client_id');
  if (!GUID.test(clientId)) throw oauthErrors.clientIdNotGuid();
  const token = form.refresh_token;
  if (!token) throw oauthErrors.missingParameter('refresh_token');

  const client = findClient(env, clientId);
  const record = env.tenant.refreshTokens.find(token);
  if (!record || record.clientId.toLowerCase() !== clientId.toLowerCase()) throw interactiveErrors.refreshTokenInvalid();
  const spa = record.spa === true;
  checkRedemptionOrigin(req, spa);
  const publicClient = spa || (record.publicClient ?? client.app.isFallbackPublicClient === true);
  const clientAcr = await authenticateUserFlowClient(env, req, form, client, clientId, publicClient);
  if (record.expiresAt <= env.clock.now()) {
    const issued = iso(record.issuedAt);
    throw spa ? interactiveErrors.spaRefreshTokenExpired(issued) : interactiveErrors.refreshTokenExpired(issued, '90.00:00:00');
  }
  const user = env.tenant.users.visible(record.userId);
  // A deleted user's refresh tokens stop working (the code is UNCONFIRMED; the unknown-user answer is used).
  if (!user) throw userFlowErrors.userNotFound(env.tenant.tenantId);

  let scope = form.scope?.trim() ? form.scope : record.scopes.join(' ');
  // The refresh token exists, so offline_access was granted: every redemption answers a new one (as Entra does).
  if (!/(^|\s)offline_access(\s|$)/i.test(scope)) scope = `${scope} offline_access`;
  const body = await issueUserTokens(env, {
    client,
    clientAcr,
    user,
    scopes: parseDelegatedScopes(env, scope, client.app),
    authMethods: record.authMethods.filter((m): m is AuthMethod => m === 'pwd' || m === 'mfa'),
    clientAppType: (record.clientAppType as ClientAppType | undefined) ?? (publicClient ? 'mobileAppsAndDesktopClients' : 'browser'),
    claims: parseClaimsRequest(form.claims),
    clientInfo: form.client_info === '1',
    authTime: record.authTime,
    ...(spa ? { spa: true, refreshExpiresAt: record.expiresAt } : {}),
  });
  return userTokenResponse(body);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
