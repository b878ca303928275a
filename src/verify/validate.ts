import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import type { CheckName } from './types.js';

/**
 * Validate an access token the way a web API does (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens):
 * the authority's OpenID configuration gives the issuer and the JWKS; the signature is checked against the
 * JWKS key named by `kid`, with exp/nbf; then iss, aud and tid. v1 tokens are checked against the v1
 * document, v2 tokens against the v2 document, whatever the authority
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer).
 */
export interface ValidationInput {
  token: string;
  /** `{authority host}/{tenant}` (or a CIAM authority). */
  authority: string;
  tenantId: string;
  /** Accepted `aud` values. */
  audiences: string[];
  /** Expected `ver`, when the API's requestedAccessTokenVersion is known. */
  version?: '1.0' | '2.0';
  /** Extra CA (PEM) for the discovery and JWKS fetches (the emulator's). */
  ca?: string;
  /** The validator's clock (default now); tests that move the emulator's clock pass it. */
  now?: number;
}

export interface ClaimCheck {
  check: CheckName;
  ok: boolean;
  detail: string;
}

/** Tolerated clock skew: Microsoft's validators default to 5 minutes. */
const CLOCK_TOLERANCE_S = 300;

export async function validateToken(input: ValidationInput): Promise<{ checks: ClaimCheck[]; claims: JWTPayload }> {
  const claims = decodeJwt(input.token);
  const header = decodeProtectedHeader(input.token);
  const ver = String(claims.ver ?? '');
  const base = input.authority.replace(/\/+$/, '');
  const docUrl = ver === '1.0' ? `${base}/.well-known/openid-configuration` : `${base}/v2.0/.well-known/openid-configuration`;
  const checks: ClaimCheck[] = [];
  const get = fetcher(input.ca);
  let doc: { issuer?: string; jwks_uri?: string };
  let jwks: JSONWebKeySet;
  try {
    doc = (await get(docUrl)) as typeof doc;
    if (!doc.issuer || !doc.jwks_uri) throw new Error(`${docUrl} has no issuer or jwks_uri`);
    jwks = (await get(doc.jwks_uri)) as JSONWebKeySet;
  } catch (e) {
    checks.push({ check: 'signature', ok: false, detail: `cannot read the discovery document or keys: ${(e as Error).message}` });
    return { checks, claims };
  }
  try {
    await jwtVerify(input.token, createLocalJWKSet(jwks), {
      algorithms: ['RS256'],
      clockTolerance: CLOCK_TOLERANCE_S,
      ...(input.now !== undefined ? { currentDate: new Date(input.now) } : {}),
    });
    checks.push({
      check: 'signature',
      ok: true,
      detail: `${header.alg} key ${String(header.kid)} from ${doc.jwks_uri}; exp ${new Date(Number(claims.exp) * 1000).toISOString()}`,
    });
  } catch (e) {
    const why =
      e instanceof joseErrors.JWTExpired
        ? 'the token is expired'
        : e instanceof joseErrors.JWKSNoMatchingKey
          ? `no key ${String(header.kid)} in ${doc.jwks_uri}`
          : (e as Error).message;
    checks.push({ check: 'signature', ok: false, detail: why });
  }
  const tid = String(claims.tid ?? '');
  // Multi-tenant documents carry a {tenantid} template (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer).
  const issuer = doc.issuer.replace('{tenantid}', tid);
  checks.push({
    check: 'issuer',
    ok: claims.iss === issuer,
    detail: claims.iss === issuer ? String(claims.iss) : `iss ${String(claims.iss)}, the discovery document says ${issuer}`,
  });
  const aud = Array.isArray(claims.aud) ? claims.aud : [String(claims.aud ?? '')];
  const audOk = aud.some((a) => input.audiences.some((x) => x.toLowerCase() === a.toLowerCase()));
  checks.push({ check: 'audience', ok: audOk, detail: audOk ? aud.join(' ') : `aud ${aud.join(' ')}, expected ${input.audiences.join(' or ')}` });
  const tenantOk = tid.toLowerCase() === input.tenantId.toLowerCase();
  checks.push({ check: 'tenant', ok: tenantOk, detail: tenantOk ? `tid ${tid}` : `tid ${tid}, expected ${input.tenantId}` });
  if (input.version) {
    const ok = ver === input.version;
    checks.push({
      check: 'version',
      ok,
      detail: ok ? `ver ${ver}` : `ver ${ver || '(none)'}, the API asks for ${input.version} (api.requestedAccessTokenVersion)`,
    });
  }
  return { checks, claims };
}

function fetcher(ca?: string): (url: string) => Promise<unknown> {
  const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
  return async (url) => {
    const res = dispatcher ? await undiciFetch(url, { dispatcher }) : await undiciFetch(url);
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    return res.json();
  };
}
