import type { EmulatorEnv } from '../context.js';
import type { EmuRequest, EmuResponse } from '../http.js';
import { verifyPassword } from '../users.js';
import { parseClaimsRequest } from './claims-request.js';
import { basicCredentials, findClient } from './client.js';
import { authenticateUserFlowClient, type TokenForm } from './client-auth.js';
import { parseDelegatedScopes } from './delegated-scope.js';
import { oauthErrors, userFlowErrors } from './oauth-errors.js';
import type { TenantSegment } from './tenant.js';
import { issueUserTokens, userTokenResponse } from './user-token.js';
import { GUID } from '../guid.js';

/**
 * `grant_type=password` (Resource Owner Password Credentials) on /{tenant}/oauth2/v2.0/token
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc): client_id, username, password, scope, and a
 * client credential for a confidential client. The user signs in with a password only, so a conditional access
 * policy that requires MFA blocks it (AADSTS50076 with the claims challenge; "If users need to use multi-factor
 * authentication (MFA) to log in to the application, they will be blocked instead").
 *
 * Order of the checks (UNCONFIRMED where Entra's own order is not observable): parameters, client (AADSTS700016),
 * client authentication (7000218 / 700025 / 7000215), scopes (700023, 28000, 500011, 650053), user (50034), password
 * (50126), account state (50057, 50055), then issuance: conditional access (53003, 50076, 50079), consent (65001).
 * The tenant segment was resolved before; /common and /consumers answer AADSTS9001023 and /organizations 501
 * (token.ts).
 */
export async function handlePasswordGrant(req: EmuRequest, env: EmulatorEnv, tenant: TenantSegment, form: TokenForm): Promise<EmuResponse> {
  const basic = basicCredentials(req.headers.authorization);
  const clientId = form.client_id ?? basic?.clientId;
  if (!clientId) throw oauthErrors.missingParameter('client_id');
  if (!GUID.test(clientId)) throw oauthErrors.clientIdNotGuid();
  const username = form.username;
  if (!username) throw oauthErrors.missingParameter('username');
  const password = form.password;
  if (password === undefined || password === '') throw oauthErrors.missingParameter('password');
  // The docs call scope "recommended"; without one the emulator answers the missing-parameter error (UNCONFIRMED).
  const scope = form.scope;
  if (scope === undefined || scope.trim() === '') throw oauthErrors.missingParameter('scope');

  const client = findClient(env, clientId);
  const clientAcr = await authenticateUserFlowClient(env, req, form, client, clientId, client.app.isFallbackPublicClient === true);
  const scopes = parseDelegatedScopes(env, scope, client.app);

  const user = env.tenant.users.byUserPrincipalName(username);
  const given = tenant.kind === 'tenant' ? tenant.given : env.tenant.tenantId;
  if (!user) throw userFlowErrors.userNotFound(given);
  const credentials = env.tenant.users.credentials(user.id!);
  // "Passwords with leading or trailing whitespaces are not supported by the ROPC flow" (v2-oauth-ropc).
  if (!credentials || password.trim() !== password || !verifyPassword(password, credentials.password)) throw userFlowErrors.wrongPassword();
  if (user.accountEnabled === false) throw userFlowErrors.userDisabled();
  if (credentials.forceChangePasswordNextSignIn) throw userFlowErrors.passwordExpired();

  const body = await issueUserTokens(env, {
    client,
    clientAcr,
    user,
    scopes,
    authMethods: ['pwd'],
    // A native client's sign-in (modern authentication): conditional access's "Mobile apps and desktop clients"
    // (UNCONFIRMED that the password grant is classified so rather than as "other clients").
    clientAppType: 'mobileAppsAndDesktopClients',
    claims: parseClaimsRequest(form.claims),
    clientInfo: form.client_info === '1',
  });
  return userTokenResponse(body);
}
