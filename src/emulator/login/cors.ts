import type { EmuRequest, EmuResponse } from '../http.js';
import { interactiveErrors } from './interactive-errors.js';

/**
 * Cross-origin requests to the token endpoint. A single-page app redeems its codes and refresh tokens from the
 * browser, so the token endpoint answers CORS (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redirect-uris-for-single-page-apps-spas):
 * every answer to a request with an `Origin` header — errors included, which is how msal-browser can show
 * AADSTS9002326 — carries `Access-Control-Allow-Origin: *` (UNCONFIRMED: `*` rather than the echoed origin; the
 * discovery documents answer `*`), and `OPTIONS` is the preflight (AADSTS900561 names "POST, OPTIONS").
 */

export function requestOrigin(req: EmuRequest): string | undefined {
  const o = req.headers.origin;
  return typeof o === 'string' && o !== '' ? o : undefined;
}

export function withCors(req: EmuRequest, res: EmuResponse): EmuResponse {
  if (!requestOrigin(req)) return res;
  return { ...res, headers: { ...(res.headers ?? {}), 'Access-Control-Allow-Origin': '*' } };
}

/** The preflight of a cross-origin POST: allowed for any origin, with the headers the browser asks for. */
export function preflight(req: EmuRequest): EmuResponse {
  const asked = req.headers['access-control-request-headers'];
  return {
    status: 200,
    headers: {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': typeof asked === 'string' && asked ? asked : 'content-type',
      'Access-Control-Max-Age': '86400',
    },
  };
}

/**
 * Which side of CORS a grant issued through a redirect URI must be redeemed from: a code or refresh token of a `spa`
 * redirect URI only cross-origin (AADSTS9002327 without an Origin), and with PKCE for a code (9002325); one of a web or
 * mobile-and-desktop redirect never cross-origin (9002326). "The Microsoft identity platform returns an error if you
 * attempt to use a spa redirect URI without an Origin header" (v2-oauth2-auth-code-flow).
 */
export function checkRedemptionOrigin(req: EmuRequest, spa: boolean, o: { pkce?: boolean } = {}): void {
  const origin = requestOrigin(req);
  if (spa && !origin) throw interactiveErrors.spaNotCrossOrigin();
  if (!spa && origin) throw interactiveErrors.crossOriginNotSpa(origin);
  if (spa && o.pkce === false) throw interactiveErrors.pkceRequiredCrossOrigin();
}
