import type { Application } from '@microsoft/microsoft-graph-types';
import { graphErrors } from '../errors.js';

/**
 * Redirect URIs of the spa, web and publicClient platforms, as the directory refuses them on write
 * (https://learn.microsoft.com/entra/identity-platform/reply-url). A bad URI fails the whole platform with
 * 400 Request_BadRequest "Invalid value specified for property 'web' of resource 'Application'." (the text real
 * clients get: msgraph-sdk-powershell#3149 for web, #3210 for spa). Which rule a URI broke is not said.
 * Per rule the refusal is UNCONFIRMED beyond the documented limits: absolute URI, https or http on a loopback
 * host, at most 256 characters, none of ! $ ' ( ) , ;, at most 256 per application (100 with personal
 * accounts), no wildcard or query with personal accounts; custom schemes only on publicClient; a urn: not on spa.
 */
const PLATFORMS = ['spa', 'web', 'publicClient'] as const;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function validateRedirectUris(next: Application, touched: (platform: (typeof PLATFORMS)[number]) => boolean, personalAccounts: boolean): void {
  let count = 0;
  for (const platform of PLATFORMS) {
    const uris = next[platform]?.redirectUris ?? [];
    count += uris.length;
    if (!touched(platform)) continue;
    const seen = new Set<string>();
    for (const uri of uris) {
      if (!acceptable(uri, platform, personalAccounts) || seen.has(uri)) {
        throw graphErrors.badRequest(`Invalid value specified for property '${platform}' of resource 'Application'.`);
      }
      seen.add(uri);
    }
  }
  if (count > (personalAccounts ? 100 : 256) && PLATFORMS.some(touched)) {
    throw graphErrors.badRequest(`Invalid value specified for property '${PLATFORMS.find(touched)}' of resource 'Application'.`);
  }
}

function acceptable(uri: unknown, platform: (typeof PLATFORMS)[number], personalAccounts: boolean): boolean {
  if (typeof uri !== 'string' || uri.length > 256 || /[\s!$'(),;]/.test(uri)) return false;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  const scheme = url.protocol.slice(0, -1);
  if (personalAccounts && (uri.includes('*') || url.search)) return false;
  if (scheme === 'urn') return platform !== 'spa';
  if (scheme === 'http') return LOOPBACK.has(url.hostname);
  if (scheme === 'https') return url.host !== '';
  return platform === 'publicClient';
}
