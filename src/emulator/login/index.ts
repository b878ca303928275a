import type { EmulatorEnv } from '../context.js';
import { envForTenant, findTenant } from '../directory.js';
import { handleAdminConsent } from './adminconsent.js';
import { OAuthFault, renderOAuthFault } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../http.js';
import { instanceDiscovery, openIdConfigurationV1, openIdConfigurationV2, signingKeys } from './discovery.js';
import { LoginNotImplemented, renderNotImplemented } from './not-implemented.js';
import { resolveTenant } from './tenant.js';
import { handleToken, formFields } from './token.js';
import { handleAuthorize } from './authorize.js';
import { preflight, withCors } from './cors.js';
import { handleDeviceCodeRequest } from './device-code.js';
import { handleDeviceLogin } from './device-page.js';
import { handleSignInPost } from './sign-in-flow.js';
import { errorPageResponse } from './sign-in.js';
import { onRequestOrigin, servedOrigin } from './origin.js';

/**
 * Token endpoint and discovery (the login.microsoftonline.com equivalents) on the authority host:
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration   GET /{tenant}/.well-known/openid-configuration
 *   GET  /{tenant}/discovery/v2.0/keys                      GET /{tenant}/discovery/keys
 *   POST /{tenant}/oauth2/v2.0/token (CORS: OPTIONS preflight, Access-Control-Allow-Origin on cross-origin answers)
 *   GET|POST /{tenant}/oauth2/v2.0/authorize, POST /{tenant}/login (the sign-in pages)
 *   POST /{tenant}/oauth2/v2.0/devicecode, GET|POST /devicelogin and /{tenant}/oauth2/deviceauth (verification page)
 * Everything else answers an explicit "not implemented" error.
 */
export async function handleLogin(req: EmuRequest, env: EmulatorEnv): Promise<EmuResponse> {
  const tokenEndpoint = isTokenPath(req.path);
  if (tokenEndpoint && req.method === 'OPTIONS') return preflight(req);
  let out: EmuResponse;
  try {
    out = await route(req, env);
  } catch (e) {
    if (e instanceof OAuthFault) out = renderOAuthFault(e, servedOrigin(req, env.authorityHost), correlationId(req));
    else if (e instanceof LoginNotImplemented) out = renderNotImplemented(e);
    else throw e;
  }
  return tokenEndpoint ? withCors(req, out) : out;
}

function isTokenPath(path: string): boolean {
  return /^\/[^/]+\/oauth2\/v2\.0\/token\/?$/i.test(path);
}

/** Pages (the authorize endpoint and the sign-in forms) answer errors as the error page, never as JSON. */
const PAGE_PATHS = new Set(['oauth2/v2.0/authorize', 'login', 'oauth2/deviceauth']);

async function route(req: EmuRequest, env: EmulatorEnv): Promise<EmuResponse> {
  const segments = req.path.split('/').filter(Boolean).map(safeDecode);
  const [tenantSegment, ...rest] = segments;
  const path = rest.join('/').toLowerCase();
  if (segments.length === 1 && tenantSegment.toLowerCase() === 'devicelogin') return handleDeviceLogin(req, onRequestOrigin(env, req));
  const known = [
    'oauth2/v2.0/authorize',
    'login',
    'oauth2/v2.0/devicecode',
    'oauth2/deviceauth',
    'v2.0/.well-known/openid-configuration',
    '.well-known/openid-configuration',
    'discovery/v2.0/keys',
    'discovery/keys',
    'oauth2/v2.0/token',
    'adminconsent',
    'v2.0/adminconsent',
    'discovery/instance',
  ];
  if (!tenantSegment || !known.includes(path)) throw new LoginNotImplemented(`${req.method} ${req.path}`);
  // One authority host serves every tenant of the emulator; `{tenant}` (id or verified domain) picks it.
  const own = findTenant(env.tenant, tenantSegment);
  if (own) env = envForTenant(env, own);
  // After envForTenant (which caches one env per tenant): every URL and issuer of this answer sits on the origin the
  // request came to (origin.ts).
  env = onRequestOrigin(env, req);
  if (PAGE_PATHS.has(path)) {
    try {
      if (path === 'oauth2/deviceauth') return handleDeviceLogin(req, env);
      const tenant = resolveTenant(tenantSegment, env);
      if (path === 'login') {
        if (req.method !== 'POST') throw new LoginNotImplemented(`${req.method} ${req.path}`);
        return handleSignInPost(req, env);
      }
      return handleAuthorize(req, env, tenant);
    } catch (e) {
      if (e instanceof OAuthFault || e instanceof LoginNotImplemented) return errorPageResponse(e);
      throw e;
    }
  }
  const tenant = resolveTenant(tenantSegment, env);
  if (path === 'oauth2/v2.0/token') return handleToken(req, env, tenant);
  if (path === 'oauth2/v2.0/devicecode') return handleDeviceCodeRequest(req, env, tenant, formFields(req.body));
  if (req.method !== 'GET') throw new LoginNotImplemented(`${req.method} ${req.path}`);
  switch (path) {
    case 'adminconsent':
      return handleAdminConsent(req, env, tenant, '1.0');
    case 'v2.0/adminconsent':
      return handleAdminConsent(req, env, tenant, '2.0');
    case 'v2.0/.well-known/openid-configuration':
      return openIdConfigurationV2(env, tenant);
    case '.well-known/openid-configuration':
      return openIdConfigurationV1(env, tenant);
    case 'discovery/v2.0/keys':
      return signingKeys(env, tenant, '2.0');
    case 'discovery/instance':
      return instanceDiscovery(env, req.query);
    default:
      return signingKeys(env, tenant, '1.0');
  }
}

/** msal sends client-request-id as a header, a query parameter and a form field; Entra echoes it as correlation_id (UNCONFIRMED). */
function correlationId(req: EmuRequest): string | undefined {
  const header = req.headers['client-request-id'];
  const form = (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>)['client-request-id'] : undefined) as string | undefined;
  return (typeof header === 'string' ? header : undefined) ?? req.query.get('client-request-id') ?? (typeof form === 'string' ? form : undefined);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
