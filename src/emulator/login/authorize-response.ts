import { randomUUID } from 'node:crypto';
import type { EmulatorEnv } from '../context.js';
import type { OAuthFault } from '../errors.js';
import { html, type EmuResponse } from '../http.js';
import { formPostPage } from './pages.js';
import type { AuthorizeRequest } from './sign-in-state.js';

/**
 * The authorize endpoint's answer to the redirect URI (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow):
 * `response_mode=query` → 302 to `redirect_uri?code=…&state=…`, `fragment` → 302 to `redirect_uri#code=…`,
 * `form_post` → 200 with a self-submitting form POSTing the fields to redirect_uri. The redirect URI is the one the
 * request named (with its port, for loopback URIs); one without a path gets `/` ("Redirect URIs not configured with a
 * path segment are returned with a trailing slash … only when the response mode is query or fragment", reply-url).
 */
export function authorizeResponse(request: AuthorizeRequest, fields: Record<string, string>, headers: Record<string, string> = {}): EmuResponse {
  const out: Record<string, string> = { ...fields };
  if (request.state !== undefined) out.state = request.state;
  if (request.responseMode === 'form_post') return html(200, formPostPage(request.redirectUri, out), headers);
  const url = new URL(request.redirectUri);
  const params = new URLSearchParams(out).toString();
  let location: string;
  if (request.responseMode === 'fragment') {
    url.hash = '';
    location = `${url.toString()}#${params}`;
  } else {
    // Keep a registered query string (allowed for work-and-school apps) and add the answer after it.
    location = `${url.toString()}${url.search ? '&' : '?'}${params}`;
  }
  return { status: 302, headers: { Location: location, 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache', ...headers } };
}

/**
 * An error sent to the redirect URI: `error`, `error_description` (AADSTS text with trace and correlation ids and the
 * timestamp, as the token endpoint's), `error_uri`, `state`, and `suberror` when the error has one (UNCONFIRMED: that
 * /authorize sends suberror; msal reads it when present).
 */
export function authorizeError(env: EmulatorEnv, request: AuthorizeRequest, f: OAuthFault, headers: Record<string, string> = {}): EmuResponse {
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  const fields: Record<string, string> = {
    error: f.error,
    error_description: `AADSTS${f.aadsts}: ${f.message}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${timestamp}`,
    error_uri: `${env.authorityHost}/error?code=${f.aadsts}`,
  };
  if (f.extra.suberror) fields.suberror = f.extra.suberror;
  return { ...authorizeResponse(request, fields, headers), errorCode: `AADSTS${f.aadsts}` };
}
