import { createHash, timingSafeEqual } from 'node:crypto';
import type { EmulatorEnv } from '../context.js';
import type { EmuRequest, EmuResponse } from '../http.js';
import { parseClaimsRequest } from './claims-request.js';
import { basicCredentials, findClient } from './client.js';
import { authenticateUserFlowClient, type TokenForm } from './client-auth.js';
import { checkRedemptionOrigin } from './cors.js';
import { parseDelegatedScopes } from './delegated-scope.js';
import { interactiveErrors } from './interactive-errors.js';
import { oauthErrors, userFlowErrors } from './oauth-errors.js';
import { scopeGroups } from './sign-in.js';
import type { AuthorizationCodeRecord } from './sign-in-state.js';
import type { TenantSegment } from './tenant.js';
import { issueUserTokens, userTokenResponse } from './user-token.js';
import { GUID } from '../guid.js';

/**
 * `grant_type=authorization_code` on /{tenant}/oauth2/v2.0/token (v2-oauth2-auth-code-flow "Redeem a code"):
 * client_id, code, redirect_uri, code_verifier, scope (optional: one resource; default the authorize request's first
 * resource), and a credential for a code issued to a `web` redirect URI. The code is single use (AADSTS54005), lives
 * ten minutes (AADSTS70000 "The code has expired"), and is bound to its client and tenant (70000 otherwise), its
 * redirect URI (500112) and its PKCE challenge (501481). Codes of a `spa` redirect URI must be redeemed cross-origin
 * with PKCE (9002327 / 9002325), others never cross-origin (9002326); a `spa` or mobile-and-desktop redirect means a
 * public client (a credential: AADSTS700025), a `web` one a confidential client (none: 7000218). The tokens are
 * issued like every delegated token (user-token.ts: conditional access with the code's authentication, consent).
 * Order of checks UNCONFIRMED where not observable.
 */
export async function handleAuthorizationCodeGrant(req: EmuRequest, env: EmulatorEnv, _t: TenantSegment, form: TokenForm): Promise<EmuResponse> {
  const clientId = form.client_id ?? basicCredentials(req.headers.authorization)?.clientId;
  if (!clientId) throw oauthErrors.missingParameter('client_id');
  if (!GUID.test(clientId)) throw oauthErrors.clientIdNotGuid();
  const code = form.code;
  if (!code) throw oauthErrors.missingParameter('code');
  const redirectUri = form.redirect_uri;
  if (!redirectUri) throw oauthErrors.missingParameter('redirect_uri');

  const client = findClient(env, clientId);
  const record = env.signIns.code(code);
  if (!record || record.tenantId !== env.tenant.tenantId || record.clientId.toLowerCase() !== clientId.toLowerCase()) throw interactiveErrors.codeInvalid();
  checkRedemptionOrigin(req, record.platform === 'spa', { pkce: record.codeChallenge !== undefined });
  const clientAcr = await authenticateUserFlowClient(env, req, form, client, clientId, record.platform !== 'web');
  if (record.redeemed) throw interactiveErrors.codeRedeemed();
  if (record.expiresAt <= env.clock.now()) throw interactiveErrors.codeExpired();
  if (redirectUri !== record.redirectUri) throw interactiveErrors.redirectUriDiffers(redirectUri, record.redirectUri);
  // A verifier sent for a code issued without a challenge is ignored (UNCONFIRMED).
  if (record.codeChallenge !== undefined && !verifierMatches(record, form.code_verifier)) throw interactiveErrors.codeVerifierMismatch();

  const user = env.tenant.users.visible(record.userId);
  if (!user) throw userFlowErrors.userNotFound(env.tenant.tenantId);
  // "The scopes must all be from a single resource, along with OIDC scopes": the token request's, else the
  // authorize request's first resource.
  const scope = form.scope?.trim() ? form.scope : scopeGroups(env, record.scope, client)[0].raw;
  const scopes = parseDelegatedScopes(env, scope, client.app);
  const body = await issueUserTokens(env, {
    client,
    clientAcr,
    user,
    scopes,
    authMethods: record.authMethods,
    clientAppType: record.clientAppType,
    claims: parseClaimsRequest(form.claims ?? record.claims),
    clientInfo: form.client_info === '1',
    ...(record.nonce !== undefined ? { nonce: record.nonce } : {}),
    authTime: record.authTime,
    spa: record.platform === 'spa',
  });
  env.signIns.markRedeemed(code);
  return userTokenResponse(body);
}

/** RFC 7636 §4.6: S256 compares BASE64URL(SHA256(verifier)) with the challenge, plain compares them as they are. */
function verifierMatches(record: AuthorizationCodeRecord, verifier: string | undefined): boolean {
  if (!verifier) return false;
  const expected = record.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  const a = Buffer.from(expected);
  const b = Buffer.from(record.codeChallenge!);
  return a.length === b.length && timingSafeEqual(a, b);
}
