/**
 * Checks of what names a tenant and its endpoints, made before anything is started, read or written: a
 * mistyped `--tenant locl` or an `http://` Graph URL is a USAGE error with the fix, not a sign-in failure
 * minutes later. Light on purpose (no SDK import): the CLI runs them before it loads anything else.
 */
import { TenantformError } from '../errors.js';
import { closest } from '../model/closest.js';
import { GUID } from '../model/guid.js';

/** A DNS name with at least one dot (contoso.onmicrosoft.com); Entra tenant domains always have one. */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;

/**
 * `local`, a tenant id (GUID) or a tenant domain. Anything else is refused, with "did you mean local?" when it
 * is close to it — the only name a person types from memory.
 */
export function checkTenant(value: string, flag = '--tenant', opts: { local?: boolean } = {}): void {
  const allowLocal = opts.local !== false;
  if ((allowLocal && value === 'local') || GUID.test(value) || DOMAIN.test(value)) return;
  const near = allowLocal && closest(value, ['local']) ? ' Did you mean "local" (the embedded emulator)?' : '';
  const accepted = allowLocal ? "'local' (the embedded emulator), a tenant id (GUID) or a tenant domain" : 'a tenant id (GUID) or a tenant domain';
  throw new TenantformError('USAGE', `${flag} "${value}" is not a tenant: use ${accepted} such as contoso.onmicrosoft.com.${near}`, {
    flag,
    value,
    ...(near ? { suggestion: 'local' } : {}),
  });
}

/**
 * An absolute https:// URL (an origin, optionally with a path). Graph and Entra speak only HTTPS, and a
 * bearer token must never travel in clear text, so http:// is refused rather than tried.
 */
export function checkHttpsUrl(value: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TenantformError('USAGE', `${flag} "${value}" is not a URL: give an absolute https:// URL such as https://graph.microsoft.us.`, { flag, value });
  }
  if (url.protocol !== 'https:') {
    throw new TenantformError(
      'USAGE',
      `${flag} ${value} uses ${url.protocol.replace(/:$/, '')}: Microsoft Graph and Entra are reached over HTTPS only (tokens never travel in clear text). Use https://${url.host}${url.pathname === '/' ? '' : url.pathname}.`,
      { flag, value },
    );
  }
  return url;
}
