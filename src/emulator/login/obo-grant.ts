import type { EmulatorEnv } from '../context.js';
import type { EmuRequest, EmuResponse } from '../http.js';
import { parseClaimsRequest } from './claims-request.js';
import { basicCredentials, findClient } from './client.js';
import { authenticateUserFlowClient, type TokenForm } from './client-auth.js';
import { parseDelegatedScopes } from './delegated-scope.js';
import { LoginNotImplemented } from './not-implemented.js';
import { acceptUserAssertion } from './obo-assertion.js';
import { withSession } from './obo-session.js';
import { oauthErrors } from './oauth-errors.js';
import type { TenantSegment } from './tenant.js';
import { issueUserTokens, userTokenResponse } from './user-token.js';
import { GUID } from '../guid.js';

/** RFC 7523's JWT bearer grant: with requested_token_use=on_behalf_of, Entra's On-Behalf-Of flow. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with `requested_token_use=on_behalf_of` on
 * /{tenant}/oauth2/v2.0/token (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow): a
 * confidential client (a middle-tier web API; client_secret, Basic or a certificate assertion) presents the user
 * access token it was called with (`assertion`) and asks for a token for a downstream API (`scope`), on behalf of the
 * same user. The answer is a delegated token for the downstream API: same user (`oid`), the middle tier as the client
 * (`azp`/`appid`), the scopes the middle tier holds consent for; a refresh token only with `offline_access` ("The
 * refresh token is only provided if the offline_access scope was requested"), an ID token with `openid` (MSAL asks for
 * both; MSAL.NET's OBO results carry the ID token's account: AzureAD/microsoft-authentication-library-for-dotnet#1950).
 *
 * Conditional access is evaluated for the downstream resource (user-token.ts → ca-evaluation.ts) with the
 * authentication the assertion carries (obo-session.ts: `aio`, or a v1 token's `amr`): MFA required and not done →
 * AADSTS50076 with the capolids claims challenge, which the middle tier passes back to its client.
 *
 * Order of the checks (UNCONFIRMED where not observable): parameters (900144), client (700016), client
 * authentication (7000218 / 7000215 / assertion errors), scopes (700023, 28000, 500011, 650053), the user assertion
 * (obo-assertion.ts: 50013, 500133, 500131, 240002, 50034), then issuance: account state (50057), conditional access
 * (53003, 50076, 50079), consent (65001).
 */
export async function handleOboGrant(req: EmuRequest, env: EmulatorEnv, tenant: TenantSegment, form: TokenForm): Promise<EmuResponse> {
  const basic = basicCredentials(req.headers.authorization);
  const clientId = form.client_id ?? basic?.clientId;
  if (!clientId) throw oauthErrors.missingParameter('client_id');
  if (!GUID.test(clientId)) throw oauthErrors.clientIdNotGuid();
  // The docs mark requested_token_use required; without it the emulator answers the missing-parameter error
  // (UNCONFIRMED). The JWT bearer grant's other uses in Entra are not modelled.
  const use = form.requested_token_use;
  if (use === undefined || use === '') throw oauthErrors.missingParameter('requested_token_use');
  if (use !== 'on_behalf_of') throw new LoginNotImplemented(`the jwt-bearer grant with requested_token_use '${use}' (on_behalf_of is emulated)`);
  if (form.requested_token_type !== undefined) throw new LoginNotImplemented('SAML tokens from the On-Behalf-Of flow (requested_token_type)');
  const assertion = form.assertion;
  if (!assertion) throw oauthErrors.missingParameter('assertion');
  const scope = form.scope;
  if (scope === undefined || scope.trim() === '') throw oauthErrors.missingParameter('scope');

  const client = findClient(env, clientId);
  // The flow itself is confidential: a credential is required whatever isFallbackPublicClient says (7000218 without;
  // that a public client's credential is accepted here is UNCONFIRMED).
  const clientAcr = await authenticateUserFlowClient(env, req, form, client, clientId, false);
  const scopes = parseDelegatedScopes(env, scope, client.app);
  const { user, session } = await acceptUserAssertion(env, tenant, assertion, client);

  const body = await issueUserTokens(env, {
    client,
    clientAcr,
    user,
    scopes,
    authMethods: session.authMethods,
    // Conditional access sees the original sign-in's client app type (UNCONFIRMED: the middle tier is a server).
    clientAppType: session.clientAppType,
    claims: parseClaimsRequest(form.claims),
    clientInfo: form.client_info === '1',
    authTime: session.authTime,
  });
  // The issued token carries the sign-in on, so a further OBO hop evaluates the same authentication.
  body.access_token = await withSession(env, body.access_token, session);
  return userTokenResponse(body);
}
