import type { Application } from '@microsoft/microsoft-graph-types';

/** The platform a redirect URI is registered under: it decides CORS, PKCE and the client type of the flow. */
export type RedirectPlatform = 'spa' | 'web' | 'publicClient';

export interface RedirectMatch {
  platform: RedirectPlatform;
  /** The registered value it matched. */
  registered: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1']);
const PLATFORMS: RedirectPlatform[] = ['spa', 'web', 'publicClient'];

/**
 * The application's registered redirect URI (and its platform) that `requested` matches, with Entra's rules
 * (https://learn.microsoft.com/entra/identity-platform/reply-url):
 * - exact match; the path (and query) is case-sensitive ("Redirect URIs are case-sensitive and must match the case
 *   of the URL path"); scheme and host compare case-insensitively, as URLs do (UNCONFIRMED for the host);
 * - a URI without a path equals the same URI with `/` (Entra answers such a URI "with a trailing slash"); otherwise
 *   a trailing slash is part of the path (`/cb` ≠ `/cb/`: an observed AADSTS50011 "'https://x/' does not match
 *   'https://x'");
 * - for `localhost` and `127.0.0.1` the port is ignored ("the port component … is ignored for the purposes of
 *   matching"), for http and https alike; `[::1]` is "not currently supported" and matches only exactly;
 * - custom schemes (`myapp://auth`, `msal{id}://auth`) match exactly.
 * When more than one registration matches, an exact match wins, then spa, web, publicClient in that order
 * (Entra "will pick one arbitrarily" when only the port differs).
 */
export function matchRedirectUri(app: Application, requested: string): RedirectMatch | undefined {
  const registered: Array<{ platform: RedirectPlatform; uri: string }> = [];
  for (const platform of PLATFORMS) for (const uri of app[platform]?.redirectUris ?? []) registered.push({ platform, uri });
  const exact = registered.find((r) => r.uri === requested);
  if (exact) return { platform: exact.platform, registered: exact.uri };
  const req = parse(requested);
  if (!req) return undefined;
  for (const r of registered) {
    const reg = parse(r.uri);
    if (reg && sameUri(reg, req)) return { platform: r.platform, registered: r.uri };
  }
  return undefined;
}

/** True when the application registers any redirect URI at all (else AADSTS500113). */
export function hasRedirectUris(app: Application): boolean {
  return PLATFORMS.some((p) => (app[p]?.redirectUris ?? []).length > 0);
}

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

function sameUri(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol || a.hash !== '' || b.hash !== '') return false;
  const web = a.protocol === 'http:' || a.protocol === 'https:';
  if (!web) return a.href === b.href;
  if (a.hostname !== b.hostname) return false;
  if (!LOOPBACK.has(a.hostname) && a.port !== b.port) return false;
  if (a.username !== b.username || a.password !== b.password) return false;
  return a.pathname === b.pathname && a.search === b.search;
}
