import type { EmulatorEnv } from '../context.js';
import { envForTenant, findTenant } from '../directory.js';
import { handleAdminConsent } from './adminconsent.js';
import { OAuthFault, renderOAuthFault } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../http.js';
import { openIdConfigurationV1, openIdConfigurationV2, signingKeys } from './discovery.js';
import { LoginNotImplemented, renderNotImplemented } from './not-implemented.js';
import { resolveTenant } from './tenant.js';
import { handleToken } from './token.js';

/**
 * Token endpoint and discovery (the login.microsoftonline.com equivalents) on the authority host:
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration   GET /{tenant}/.well-known/openid-configuration
 *   GET  /{tenant}/discovery/v2.0/keys                      GET /{tenant}/discovery/keys
 *   POST /{tenant}/oauth2/v2.0/token
 * Everything else answers an explicit "not implemented" error.
 */
export async function handleLogin(req: EmuRequest, env: EmulatorEnv): Promise<EmuResponse> {
  try {
    return await route(req, env);
  } catch (e) {
    if (e instanceof OAuthFault) return renderOAuthFault(e, env.authorityHost, correlationId(req));
    if (e instanceof LoginNotImplemented) return renderNotImplemented(e);
    throw e;
  }
}

async function route(req: EmuRequest, env: EmulatorEnv): Promise<EmuResponse> {
  const segments = req.path.split('/').filter(Boolean).map(safeDecode);
  const [tenantSegment, ...rest] = segments;
  const path = rest.join('/').toLowerCase();
  const known = [
    'v2.0/.well-known/openid-configuration',
    '.well-known/openid-configuration',
    'discovery/v2.0/keys',
    'discovery/keys',
    'oauth2/v2.0/token',
    'adminconsent',
    'v2.0/adminconsent',
  ];
  if (!tenantSegment || !known.includes(path)) throw new LoginNotImplemented(`${req.method} ${req.path}`);
  // One authority host serves every tenant of the emulator; `{tenant}` (id or verified domain) picks it.
  const own = findTenant(env.tenant, tenantSegment);
  if (own) env = envForTenant(env, own);
  const tenant = resolveTenant(tenantSegment, env);
  if (path === 'oauth2/v2.0/token') return handleToken(req, env, tenant);
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
