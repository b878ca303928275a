import type { EmulatorEnv } from '../context.js';
import { OAuthFault } from '../errors.js';
import { json, type EmuRequest, type EmuResponse } from '../http.js';
import { parseClaimsRequest } from './claims-request.js';
import { findClient } from './client.js';
import { authenticateUserFlowClient, type TokenForm } from './client-auth.js';
import { parseDelegatedScopes } from './delegated-scope.js';
import { interactiveErrors } from './interactive-errors.js';
import { LoginNotImplemented } from './not-implemented.js';
import { oauthErrors, userFlowErrors } from './oauth-errors.js';
import { DEVICE_CODE_LIFETIME_SECONDS } from './sign-in-state.js';
import type { TenantSegment } from './tenant.js';
import { issueUserTokens, userTokenResponse } from './user-token.js';
import { GUID } from '../guid.js';

/** RFC 8628's grant type, and the short `device_code` msal-node 7 sends (which Entra accepts too). */
export const DEVICE_CODE_GRANTS = new Set(['urn:ietf:params:oauth:grant-type:device_code', 'device_code']);

/** The verification page of the emulator (Entra's is https://microsoft.com/devicelogin). */
export function verificationUri(env: EmulatorEnv): string {
  return `${env.authorityHost}/devicelogin`;
}

/**
 * POST /{tenant}/oauth2/v2.0/devicecode (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code):
 * client_id and scope (validated as the token endpoint will: AADSTS700016, the scope errors) → 200
 * `{user_code, device_code, verification_uri, expires_in: 900, interval, message}` (no `verification_uri_complete`:
 * "not included or supported at this time"). `interval` is Entra's 5 seconds unless the emulator was started with
 * another (`deviceCodeIntervalSeconds`, for tests: msal polls at that pace in real time). /common and
 * /organizations answer 501 (the user's tenant would come from the sign-in).
 */
export function handleDeviceCodeRequest(req: EmuRequest, env: EmulatorEnv, t: TenantSegment, form: TokenForm): EmuResponse {
  if (req.method !== 'POST') throw oauthErrors.postOnly(req.method);
  if (t.kind === 'multi') throw new LoginNotImplemented(`the device code flow on /${t.name} (use the tenant id or domain)`);
  const clientId = form.client_id;
  if (!clientId) throw oauthErrors.missingParameter('client_id');
  if (!GUID.test(clientId)) throw oauthErrors.clientIdNotGuid();
  const client = findClient(env, clientId);
  const scope = form.scope;
  if (scope === undefined || scope.trim() === '') throw oauthErrors.missingParameter('scope');
  parseDelegatedScopes(env, scope, client.app);
  parseClaimsRequest(form.claims);
  const { deviceCode, userCode } = env.signIns.issueDeviceCode({
    tenantId: env.tenant.tenantId,
    clientId: client.app.appId!,
    scope,
    ...(form.claims ? { claims: form.claims } : {}),
  });
  const uri = verificationUri(env);
  return json(
    200,
    {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: uri,
      expires_in: DEVICE_CODE_LIFETIME_SECONDS,
      interval: env.signIns.deviceCodeIntervalSeconds,
      message: `To sign in, use a web browser to open the page ${uri} and enter the code ${userCode} to authenticate.`,
    },
    { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
  );
}

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:device_code` (the poll): client_id + device_code. Answers, all 400 in
 * the token endpoint's error shape: `authorization_pending` (AADSTS70016) until the user finished on the verification
 * page, `authorization_declined` when they pressed Cancel, `expired_token` after expires_in, `bad_verification_code`
 * for a device code the endpoint did not issue (or issued to another client, or already redeemed: UNCONFIRMED).
 * Entra does not document `slow_down` and the emulator never sends it (msal-node treats it as a failure). The client
 * authenticates by isFallbackPublicClient, as for the password grant (a confidential client without a credential:
 * AADSTS7000218). Approved: tokens as every delegated sign-in (conditional access with the page's amr, consent).
 */
export async function handleDeviceCodeGrant(req: EmuRequest, env: EmulatorEnv, _t: TenantSegment, form: TokenForm): Promise<EmuResponse> {
  const clientId = form.client_id;
  if (!clientId) throw oauthErrors.missingParameter('client_id');
  if (!GUID.test(clientId)) throw oauthErrors.clientIdNotGuid();
  const deviceCode = form.device_code;
  if (!deviceCode) throw oauthErrors.missingParameter('device_code');
  const client = findClient(env, clientId);
  const clientAcr = await authenticateUserFlowClient(env, req, form, client, clientId, client.app.isFallbackPublicClient === true);
  const record = env.signIns.deviceCode(deviceCode);
  if (!record || record.tenantId !== env.tenant.tenantId || record.clientId.toLowerCase() !== clientId.toLowerCase() || record.status === 'redeemed') {
    throw interactiveErrors.badVerificationCode();
  }
  if (record.expiresAt <= env.clock.now()) throw interactiveErrors.deviceCodeExpired();
  if (record.fault) throw new OAuthFault(record.fault.error, record.fault.aadsts, record.fault.message, record.fault.status, record.fault.extra);
  if (record.status === 'declined') throw interactiveErrors.authorizationDeclined();
  if (record.status === 'pending') throw interactiveErrors.authorizationPending();
  const user = env.tenant.users.visible(record.userId!);
  if (!user) throw userFlowErrors.userNotFound(env.tenant.tenantId);
  const body = await issueUserTokens(env, {
    client,
    clientAcr,
    user,
    scopes: parseDelegatedScopes(env, record.scope, client.app),
    authMethods: record.authMethods ?? ['pwd'],
    clientAppType: 'mobileAppsAndDesktopClients',
    claims: parseClaimsRequest(form.claims ?? record.claims),
    clientInfo: form.client_info === '1',
    ...(record.authTime !== undefined ? { authTime: record.authTime } : {}),
  });
  record.status = 'redeemed';
  return userTokenResponse(body);
}
