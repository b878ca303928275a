/**
 * Offline checks of identifier URIs (Application ID URIs).
 * Source: https://learn.microsoft.com/entra/identity-platform/identifier-uri-restrictions (supported forms:
 * api://{appId}, api://{tenantId}/{appId|string}, api://{string}/{appId}, https://{verified domain}/…,
 * api://{string}.{verified domain}/…) and
 * https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation (≤255 chars, no wildcards;
 * with personal accounts ≤120 chars, no urn:, no query or fragment, at most 50).
 * Whether an https host or api://<domain> is a verified domain of the tenant needs the tenant: apply
 * checks that (Graph answers HostNameNotOnVerifiedDomain).
 */
import { APP_ID_PLACEHOLDER } from '../model/desired.js';

/** Any GUID works for checking: it only has to be the length and shape of a real appId. */
const SAMPLE_APP_ID = '00000000-0000-0000-0000-000000000000';

export const MAX_IDENTIFIER_URI_LENGTH = 255;
export const MAX_IDENTIFIER_URI_LENGTH_PERSONAL = 120;
export const MAX_IDENTIFIER_URIS_PERSONAL = 50;

export interface UriProblem {
  message: string;
  hint?: string;
}

/** The first problem of one identifier URI, or undefined when it is acceptable offline. */
export function identifierUriProblem(uri: string, opts: { personalAccounts: boolean }): UriProblem | undefined {
  for (const m of uri.matchAll(/\{[^}]*\}/g)) {
    if (m[0] !== APP_ID_PLACEHOLDER) {
      return { message: `has an unknown placeholder ${m[0]}`, hint: `the only placeholder is ${APP_ID_PLACEHOLDER}, the application's own appId` };
    }
  }
  if (uri.includes('*')) return { message: 'must not contain wildcards (*)' };
  if (/\s/.test(uri)) return { message: 'must not contain spaces' };
  const concrete = uri.split(APP_ID_PLACEHOLDER).join(SAMPLE_APP_ID);
  const max = opts.personalAccounts ? MAX_IDENTIFIER_URI_LENGTH_PERSONAL : MAX_IDENTIFIER_URI_LENGTH;
  if (concrete.length > max) {
    return {
      message: `is too long: ${concrete.length} characters with the appId filled in (maximum ${max}${opts.personalAccounts ? ' when personal accounts can sign in' : ''})`,
    };
  }
  let url: URL;
  try {
    url = new URL(concrete);
  } catch {
    return { message: 'is not an absolute URI', hint: 'write e.g. api://{appId} or https://contoso.com/api' };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'urn') {
    if (opts.personalAccounts) return { message: 'must not be a urn: when personal accounts can sign in' };
    return undefined;
  }
  if (scheme !== 'api' && scheme !== 'https') {
    return { message: `uses the scheme "${scheme}:"`, hint: 'identifier URIs use api:// or https://, e.g. api://{appId}' };
  }
  if (!url.host) return { message: `has no host after ${scheme}://`, hint: 'write e.g. api://{appId}' };
  if (opts.personalAccounts && (url.search || url.hash)) {
    return { message: 'must not have a query or fragment when personal accounts can sign in' };
  }
  if (scheme === 'https' && !url.hostname.includes('.')) {
    return { message: `has the host "${url.hostname}", which is not a domain`, hint: 'https identifier URIs must use a verified domain of the tenant' };
  }
  return undefined;
}
