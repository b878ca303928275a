import type { EmulatorEnv } from '../context.js';
import { OAuthFault } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../http.js';
import { authorizeError } from './authorize-response.js';
import { parseClaimsRequest } from './claims-request.js';
import { findClient } from './client.js';
import { interactiveErrors } from './interactive-errors.js';
import { LoginNotImplemented } from './not-implemented.js';
import { oauthErrors } from './oauth-errors.js';
import { hasRedirectUris, matchRedirectUri } from './redirect-uri.js';
import { errorPageResponse, pageFields, scopeGroups } from './sign-in.js';
import { startAuthorize } from './sign-in-flow.js';
import type { AuthorizeRequest } from './sign-in-state.js';
import type { TenantSegment } from './tenant.js';
import { GUID } from '../guid.js';

const RESPONSE_MODES = new Set(['query', 'fragment', 'form_post']);
/** prompt values Entra documents (v2-oauth2-auth-code-flow); `create` (self-service sign-up) is not modelled. */
const PROMPTS = new Set(['login', 'none', 'consent', 'select_account']);
/** OIDC request parameters that change the sign-in and that the emulator does not model: 501, never ignored. */
const UNMODELLED = ['max_age', 'request', 'request_uri', 'acr_values'];

/**
 * GET or POST /{tenant}/oauth2/v2.0/authorize — the authorization code flow's first leg
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow), parameters in the query (GET) or
 * the form (POST). Validation happens in Entra's two tiers:
 * 1. errors that cannot be sent to the app, because the app or its redirect URI is not known, are shown on the
 *    error page: client_id missing (AADSTS900144) or unknown (700016), redirect_uri missing (900971), none registered
 *    (500113) or not registered (50011, matched with Entra's rules: redirect-uri.ts), an unknown response_mode (70007);
 * 2. everything after that is sent to the redirect URI with the response mode: response_type (900144, 700054 /
 *    700051 for implicit kinds not enabled, 70005), scope (900144, and the scope errors of parseDelegatedScopes),
 *    PKCE (501491 size, method), prompt=none outcomes (login_required 50058, interaction_required, consent_required).
 * Then the sign-in pages run (sign-in-flow.ts). `{tenant}` must be a tenant: /common, /organizations and /consumers
 * answer 501 (home-realm discovery is not modelled). The implicit and hybrid flows (`token`, `id_token` in
 * response_type of an app that enabled them) answer 501.
 */
export function handleAuthorize(req: EmuRequest, env: EmulatorEnv, t: TenantSegment): EmuResponse {
  if (req.method !== 'GET' && req.method !== 'POST') {
    return errorPageResponse(new OAuthFault('invalid_request', 900561, `The endpoint only accepts GET, POST requests. Received a ${req.method} request.`));
  }
  const params = req.method === 'GET' ? Object.fromEntries(req.query) : pageFields(req.body);
  if (t.kind === 'multi') return errorPageResponse(new LoginNotImplemented(`interactive sign-in on /${t.name} (use the tenant id or domain in the authority)`));

  let request: AuthorizeRequest;
  try {
    const clientId = params.client_id;
    if (!clientId) throw oauthErrors.missingParameter('client_id');
    if (!GUID.test(clientId)) throw oauthErrors.clientIdNotGuid();
    const client = findClient(env, clientId);
    const redirectUri = params.redirect_uri;
    if (!redirectUri) throw interactiveErrors.noRedirectUri();
    if (!hasRedirectUris(client.app)) throw interactiveErrors.noRegisteredRedirectUri();
    const match = matchRedirectUri(client.app, redirectUri);
    if (!match) throw interactiveErrors.redirectUriMismatch(redirectUri, client.app.appId!);
    const mode = params.response_mode ?? 'query';
    if (!RESPONSE_MODES.has(mode)) throw interactiveErrors.unsupportedResponseMode(mode);
    request = {
      tenantId: env.tenant.tenantId,
      tenantSegment: t.given,
      clientId: client.app.appId!,
      redirectUri,
      platform: match.platform,
      responseMode: mode as AuthorizeRequest['responseMode'],
      scope: params.scope ?? '',
      ...(params.state !== undefined ? { state: params.state } : {}),
      ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
      ...(params.prompt ? { prompt: params.prompt } : {}),
      ...(params.login_hint ? { loginHint: params.login_hint } : {}),
      ...(params.claims ? { claims: params.claims } : {}),
      // Conditional access's client app types: a browser for web and single-page apps; a native client for the
      // mobile-and-desktop platform (UNCONFIRMED for SPAs, which the docs do not classify).
      clientAppType: match.platform === 'publicClient' ? 'mobileAppsAndDesktopClients' : 'browser',
      clientInfo: params.client_info === '1',
    };
  } catch (e) {
    if (e instanceof OAuthFault || e instanceof LoginNotImplemented) return errorPageResponse(e);
    throw e;
  }

  try {
    checkResponseType(env, request, params.response_type);
    if (!request.scope.trim()) throw oauthErrors.missingParameter('scope');
    Object.assign(request, pkce(params.code_challenge, params.code_challenge_method));
    if (request.prompt && !PROMPTS.has(request.prompt)) throw new LoginNotImplemented(`prompt=${request.prompt}`);
    // Entra shows its consent page again on prompt=consent; the emulator has none.
    if (request.prompt === 'consent') throw new LoginNotImplemented('prompt=consent (the consent page)');
    const unmodelled = UNMODELLED.find((k) => params[k] !== undefined);
    if (unmodelled) throw new LoginNotImplemented(`the authorize parameter ${unmodelled}`);
    parseClaimsRequest(request.claims);
    scopeGroups(env, request.scope, findClient(env, request.clientId));
  } catch (e) {
    if (e instanceof OAuthFault) return authorizeError(env, request, e);
    if (e instanceof LoginNotImplemented) return errorPageResponse(e);
    throw e;
  }
  return startAuthorize(env, req, request);
}

/**
 * `code` is the flow. `id_token` / `token` (implicit and hybrid) are refused as Entra refuses them for an app that
 * did not enable them (web.implicitGrantSettings); for an app that did, the emulator does not model those flows (501).
 */
function checkResponseType(env: EmulatorEnv, request: AuthorizeRequest, value: string | undefined): void {
  if (!value) throw oauthErrors.missingParameter('response_type');
  const kinds = new Set(value.split(/\s+/).filter(Boolean));
  const known = ['code', 'id_token', 'token'];
  const unknown = [...kinds].find((k) => !known.includes(k));
  if (unknown || kinds.size === 0) throw interactiveErrors.unsupportedResponseType(value);
  if (kinds.size === 1 && kinds.has('code')) return;
  const implicit = findClient(env, request.clientId).app.web?.implicitGrantSettings;
  if (kinds.has('id_token') && !implicit?.enableIdTokenIssuance) throw interactiveErrors.idTokenNotEnabled();
  if (kinds.has('token') && !implicit?.enableAccessTokenIssuance) throw interactiveErrors.tokenNotEnabled();
  throw new LoginNotImplemented(`response_type=${value} (the implicit and hybrid flows)`);
}

/**
 * PKCE (RFC 7636): `code_challenge_method` S256 or plain ("The Microsoft identity platform supports both plain and
 * S256"); without a method a challenge is plain; a method without a challenge is the missing-parameter error; a
 * challenge outside 43–128 characters is AADSTS501491.
 */
function pkce(challenge: string | undefined, method: string | undefined): Pick<AuthorizeRequest, 'codeChallenge' | 'codeChallengeMethod'> {
  if (challenge === undefined || challenge === '') {
    if (method) throw oauthErrors.missingParameter('code_challenge');
    return {};
  }
  if (method !== undefined && method !== 'S256' && method !== 'plain') throw interactiveErrors.codeChallengeMethod(method);
  if (challenge.length < 43 || challenge.length > 128) throw interactiveErrors.codeChallengeSize();
  return { codeChallenge: challenge, codeChallengeMethod: (method as 'S256' | 'plain' | undefined) ?? 'plain' };
}
