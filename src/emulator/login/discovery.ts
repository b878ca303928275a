import { issuerV1, issuerV2 } from '../auth.js';
import type { EmulatorEnv } from '../context.js';
import { OAuthFault } from '../errors.js';
import { json, type EmuResponse } from '../http.js';
import { TENANT_REGION_SCOPE } from './claims.js';
import type { TenantSegment } from './tenant.js';

/**
 * OpenID Connect discovery documents and signing keys, shaped like a real tenant's
 * (reference/tokens.md §5; https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri).
 * Endpoints and issuer sit on the https origin the request came to (its `Host`, origin.ts; the emulator's own
 * origin by default): msal-node checks `issuer`/`token_endpoint` against the authority it was given
 * (reference/tokens.md §6.2), so a client behind a proxy for login.microsoftonline.com stays on that origin.
 */

/** Real discovery responses are cacheable for a day and readable cross-origin (recorded traffic, reference/tokens.md §5.1). */
const DISCOVERY_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'max-age=86400, private',
  'Access-Control-Allow-Origin': '*',
};

/** The tenant id as it appears in URLs, or the literal placeholder used by the multi-tenant documents. */
function pathTenant(t: TenantSegment): string {
  return t.kind === 'tenant' ? t.tenantId : t.name;
}

function issuerTenant(t: TenantSegment): string {
  return t.kind === 'tenant' ? t.tenantId : '{tenantid}';
}

/** Host-only form of an origin, as `msgraph_host` is (e.g. `graph.microsoft.com`). */
function host(origin: string): string {
  return new URL(origin).host.toLowerCase();
}

function common(env: EmulatorEnv, t: TenantSegment): Record<string, unknown> {
  return {
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    kerberos_endpoint: `${env.authorityHost}/${pathTenant(t)}/kerberos`,
    // Real multi-tenant documents have a null region scope.
    tenant_region_scope: t.kind === 'tenant' ? TENANT_REGION_SCOPE : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: host(env.graphUrl),
    rbac_url: 'https://pas.windows.net',
  };
}

/** GET /{tenant}/v2.0/.well-known/openid-configuration */
export function openIdConfigurationV2(env: EmulatorEnv, t: TenantSegment): EmuResponse {
  const base = `${env.authorityHost}/${pathTenant(t)}`;
  return json(
    200,
    {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: issuerV2(env.authorityHost, issuerTenant(t)),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${env.graphUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'cloud_instance_name',
        'cloud_instance_host_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'at_hash',
        'c_hash',
        'email',
      ],
      ...common(env, t),
    },
    DISCOVERY_HEADERS,
  );
}

/** GET /{tenant}/.well-known/openid-configuration — the v1 document (issuer https://sts.windows.net/{tid}/). */
export function openIdConfigurationV1(env: EmulatorEnv, t: TenantSegment): EmuResponse {
  const base = `${env.authorityHost}/${pathTenant(t)}`;
  return json(
    200,
    {
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${base}/discovery/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
      scopes_supported: ['openid'],
      issuer: issuerV1(issuerTenant(t)),
      microsoft_multi_refresh_token: true,
      authorization_endpoint: `${base}/oauth2/authorize`,
      device_authorization_endpoint: `${base}/oauth2/devicecode`,
      end_session_endpoint: `${base}/oauth2/logout`,
      check_session_iframe: `${base}/oauth2/checksession`,
      userinfo_endpoint: `${base}/openid/userinfo`,
      claims_supported: [
        'sub',
        'iss',
        'cloud_instance_name',
        'cloud_instance_host_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'amr',
        'nonce',
        'email',
        'given_name',
        'family_name',
        'nickname',
      ],
      ...common(env, t),
    },
    DISCOVERY_HEADERS,
  );
}

/**
 * GET /{tenant}/discovery/v2.0/keys and /{tenant}/discovery/keys. Each key names the issuer whose tokens it
 * may verify (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer).
 */
export function signingKeys(env: EmulatorEnv, t: TenantSegment, version: '1.0' | '2.0'): EmuResponse {
  const issuer = version === '2.0' ? issuerV2(env.authorityHost, issuerTenant(t)) : issuerV1(issuerTenant(t));
  return json(200, { keys: [env.keys.jwk(issuer)] }, DISCOVERY_HEADERS);
}

/**
 * GET /common/discovery/instance?api-version=1.1&authorization_endpoint=… — instance discovery, which MSAL (Python,
 * .NET, JS without knownAuthorities) calls before anything else. Entra answers the tenant's discovery document URL
 * and the aliases of the cloud (recorded answers: `{"tenant_discovery_endpoint":"https://login.microsoftonline.com/
 * {tenant}/v2.0/.well-known/openid-configuration","api-version":"1.1","metadata":[{"preferred_network":…,
 * "preferred_cache":…,"aliases":[…]},…]}` with the discovery headers), and 400 `invalid_instance` AADSTS50049
 * "Unknown or invalid instance." for an authority host it does not serve (AzureAD/microsoft-authentication-library-for-go#438).
 *
 * The emulator is an instance of its own: it serves an authorization endpoint on its own origin or on the `Host` the
 * request came to (a client behind an HTTPS proxy), and its metadata lists that one host only — the real list names
 * Microsoft's clouds (different on purpose: nothing should leave for them). A missing or unparsable
 * authorization_endpoint answers 50049 as well (UNCONFIRMED).
 */
export function instanceDiscovery(env: EmulatorEnv, query: URLSearchParams): EmuResponse {
  const endpoint = parseUrl(query.get('authorization_endpoint'));
  // env.authorityHost is the origin of this request (origin.ts); graphUrl is the emulator's own one (they share it).
  const served = [env.authorityHost, env.graphUrl].map((o) => new URL(o));
  // MSAL Python builds the endpoint from the authority's hostname and so drops its port (msal/authority.py
  // canonicalize → `authority.hostname`): a port-less endpoint matches a served origin by hostname, and the answer
  // names the served origin with its port, where the client then finds the tenant's document.
  const match =
    endpoint && endpoint.protocol === 'https:'
      ? (served.find((o) => o.host === endpoint.host) ?? (endpoint.port === '' ? served.find((o) => o.hostname === endpoint.hostname) : undefined))
      : undefined;
  if (!endpoint || !match) {
    throw new OAuthFault('invalid_instance', 50049, 'Unknown or invalid instance.');
  }
  const tenant = endpoint.pathname.split('/').filter(Boolean)[0] ?? 'common';
  const instance = match.host;
  return json(
    200,
    {
      tenant_discovery_endpoint: `https://${instance}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: instance, preferred_cache: instance, aliases: [instance] }],
    },
    { ...DISCOVERY_HEADERS, 'Access-Control-Allow-Methods': 'GET, OPTIONS' },
  );
}

function parseUrl(value: string | null): URL | undefined {
  if (!value) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
