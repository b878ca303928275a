/**
 * Offline checks of redirect URIs (reply URLs) on the spa, web and publicClient platforms, as Entra applies
 * them: https://learn.microsoft.com/entra/identity-platform/reply-url (https, or http only for localhost —
 * whose port is ignored when matching —, at most 256 characters, none of ! $ ' ( ) , ;, at most 256 per
 * application or 100 when personal accounts can sign in, query parameters and wildcards only for
 * work-and-school audiences) and https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation.
 * Public clients (mobile and desktop) may also use custom schemes (`msal{appId}://auth`); a `urn:` such as
 * `urn:ietf:wg:oauth:2.0:oob` is accepted on web and public clients, not on SPAs (terraform-provider-azuread#575).
 */
import { APP_ID_PLACEHOLDER } from '../model/desired.js';
import { duplicates, type Reporter } from './report.js';
import type { UriProblem } from './rules-uris.js';
import type { ManifestApplication } from './schema.js';

export type Platform = 'spa' | 'web' | 'publicClient';
export const PLATFORMS: readonly Platform[] = ['spa', 'web', 'publicClient'];

export const MAX_REDIRECT_URI_LENGTH = 256;
export const MAX_REDIRECT_URIS = 256;
export const MAX_REDIRECT_URIS_PERSONAL = 100;

const SAMPLE_APP_ID = '00000000-0000-0000-0000-000000000000';
const FORBIDDEN = /[!$'(),;]/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The first problem of one redirect URI, or undefined when Entra would accept it. */
export function redirectUriProblem(uri: string, platform: Platform, opts: { personalAccounts: boolean }): UriProblem | undefined {
  for (const m of uri.matchAll(/\{[^}]*\}/g)) {
    if (m[0] !== APP_ID_PLACEHOLDER) {
      return { message: `has an unknown placeholder ${m[0]}`, hint: `the only placeholder is ${APP_ID_PLACEHOLDER}, the application's own appId` };
    }
  }
  const concrete = uri.split(APP_ID_PLACEHOLDER).join(SAMPLE_APP_ID);
  if (/\s/.test(concrete)) return { message: 'must not contain spaces' };
  const bad = FORBIDDEN.exec(concrete);
  if (bad) return { message: `contains "${bad[0]}", which Entra does not allow in redirect URIs (none of ! $ ' ( ) , ;)` };
  if (concrete.length > MAX_REDIRECT_URI_LENGTH) {
    return { message: `is too long: ${concrete.length} characters (maximum ${MAX_REDIRECT_URI_LENGTH})` };
  }
  let url: URL;
  try {
    // `localhost:3000/cb` parses as the scheme "localhost:"; it is a URI without its scheme.
    if (/^[a-z0-9.-]+:\d/i.test(concrete)) throw new Error('no scheme');
    url = new URL(concrete);
  } catch {
    return {
      message: 'is not an absolute URI',
      hint: platform === 'spa' ? 'write e.g. http://localhost:3000 or https://app.contoso.com' : 'write e.g. https://contoso.com/signin-oidc',
    };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'urn') {
    return platform === 'spa'
      ? { message: 'is a urn:, which single-page applications cannot use', hint: 'SPAs redirect to https:// or http://localhost' }
      : undefined;
  }
  if (scheme === 'http' && !LOOPBACK.has(url.hostname)) {
    return {
      message: 'uses http:// for a host other than localhost',
      hint: 'use https://; plain http is allowed only for http://localhost (any port) and http://127.0.0.1',
    };
  }
  if (scheme !== 'http' && scheme !== 'https' && platform !== 'publicClient') {
    return {
      message: `uses the scheme "${scheme}:"`,
      hint: `${platform} redirect URIs use https:// (or http://localhost); custom schemes belong under publicClient`,
    };
  }
  if ((scheme === 'http' || scheme === 'https') && !url.host) return { message: `has no host after ${scheme}://` };
  if (opts.personalAccounts && concrete.includes('*')) return { message: 'must not contain wildcards (*) when personal accounts can sign in' };
  if (opts.personalAccounts && url.search) return { message: 'must not have query parameters when personal accounts can sign in' };
  return undefined;
}

/** Every platform of one application: each URI, duplicates, the count, and the implicit grant warning. */
export function checkPlatforms(key: string, app: ManifestApplication, report: Reporter, personalAccounts: boolean): void {
  const base = ['applications', key];
  let total = 0;
  for (const platform of PLATFORMS) {
    const uris = app[platform]?.redirectUris ?? [];
    total += uris.length;
    uris.forEach((uri, i) => {
      const p = redirectUriProblem(uri, platform, { personalAccounts });
      if (p) report.add('invalid-uri', [...base, platform, 'redirectUris', i], `Redirect URI "${uri}" of application "${key}" ${p.message}`, { hint: p.hint });
      else if (uri.includes('*')) {
        report.add('invalid-uri', [...base, platform, 'redirectUris', i], `Redirect URI "${uri}" of application "${key}" has a wildcard`, {
          severity: 'warning',
          hint: 'Entra matches wildcards only for work and school accounts and the admin center cannot edit them; list each URI instead',
        });
      }
    });
    duplicates(
      uris.map((u, i) => ({ value: u, path: [...base, platform, 'redirectUris', i] })),
      report,
      (v, also) => `Redirect URI "${v}" is listed twice under ${platform} in application "${key}" (also at ${also})`,
    );
  }
  const max = personalAccounts ? MAX_REDIRECT_URIS_PERSONAL : MAX_REDIRECT_URIS;
  if (total > max) {
    report.add(
      'invalid-value',
      base,
      `Application "${key}" has ${total} redirect URIs; at most ${max}${personalAccounts ? ' when personal accounts can sign in' : ''}`,
      { target: 'key', hint: 'https://learn.microsoft.com/entra/identity-platform/reply-url: use one URI with a state parameter instead of many' },
    );
  }
  const grant = app.web?.implicitGrantSettings;
  for (const flag of ['enableAccessTokenIssuance', 'enableIdTokenIssuance'] as const) {
    if (!grant?.[flag]) continue;
    report.add('invalid-value', [...base, 'web', 'implicitGrantSettings', flag], `Application "${key}" turns on the implicit grant (${flag})`, {
      severity: 'warning',
      hint: 'tokens from the authorization endpoint are for legacy apps; MSAL signs in with the authorization code flow and PKCE (spa.redirectUris) instead',
    });
  }
}
