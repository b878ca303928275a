import type { Application } from '@microsoft/microsoft-graph-types';
import { graphErrors } from '../errors.js';
import { isGuid } from './validate-body.js';

/**
 * identifierUris rules (reference/graph-api.md §3.2):
 * https://learn.microsoft.com/entra/identity-platform/identifier-uri-restrictions lists the accepted forms
 * `api://{appId}`, `api://{tenantId}/{string}`, `api://{string}/{appId}`, `https://{verifiedDomain or sub}/…`,
 * `api://{string}.{verifiedDomain}/…`; a GUID right after `api://` must be the appId or the tenantId.
 * https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation adds the limits.
 */

export interface IdentifierUriContext {
  appId: string;
  tenantId: string;
  /** Verified domain names of the tenant (the initial *.onmicrosoft.com one included). */
  verifiedDomains: string[];
  personalAccounts: boolean;
  /** URIs the application already holds: they were accepted once and are not re-judged. */
  existing: string[];
  /**
   * Every other application (master view) for tenant-wide uniqueness: the live ones and the soft-deleted ones,
   * which keep their URIs reserved until they are purged (a restore brings them back unchanged).
   */
  others: Application[];
}

const onVerifiedDomain = (host: string, domains: string[]) =>
  domains.some((d) => host.toLowerCase() === d.toLowerCase() || host.toLowerCase().endsWith(`.${d.toLowerCase()}`));

/**
 * Throws for the first URI that is not acceptable. Every shape that does not name something the tenant
 * owns answers 400 HostNameNotOnVerifiedDomain (M365AT constants.ts; TFAD#1392 shows the message with
 * the URI). That Graph uses this code also for a foreign GUID or a bare `api://name` is UNCONFIRMED.
 */
export function validateIdentifierUris(uris: string[], ctx: IdentifierUriContext): void {
  const seen = new Set<string>();
  for (const uri of uris) {
    const lower = uri.toLowerCase();
    if (seen.has(lower)) throw graphErrors.duplicateValue('identifierUris');
    seen.add(lower);
    const existing = ctx.existing.some((e) => e.toLowerCase() === lower);
    if (!existing) checkForm(uri, ctx);
    if (ctx.others.some((a) => (a.identifierUris ?? []).some((u) => u.toLowerCase() === lower))) {
      // Azure/pcs-cli#146, az#8750. Code Request_BadRequest observed in the AAD Graph era; v1.0 code UNCONFIRMED.
      // A soft-deleted application's URI answers the same (issue 10); that the real text names no deleted object is UNCONFIRMED.
      throw graphErrors.badRequest('Another object with the same value for property identifierUris already exists.');
    }
  }
  // Personal-account audiences: at most 50 URIs (supported-accounts-validation).
  if (ctx.personalAccounts && uris.length > 50)
    throw graphErrors.badRequest("Invalid value specified for property 'identifierUris' of resource 'Application'.");
}

function checkForm(uri: string, ctx: IdentifierUriContext): void {
  const maxLength = ctx.personalAccounts ? 120 : 255;
  if (uri.length === 0 || uri.length > maxLength || uri.includes('*') || /\s/.test(uri)) {
    throw graphErrors.badRequest("Invalid value specified for property 'identifierUris' of resource 'Application'.");
  }
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(.*)$/i.exec(uri);
  if (!m) throw graphErrors.hostNotVerified(uri);
  const [, scheme, host, path, rest] = m;
  if (ctx.personalAccounts && rest) throw graphErrors.badRequest("Invalid value specified for property 'identifierUris' of resource 'Application'.");
  const segments = path.split('/').filter(Boolean);
  const lastSegment = segments.at(-1)?.toLowerCase();
  switch (scheme.toLowerCase()) {
    case 'api': {
      if (isGuid(host)) {
        if (host.toLowerCase() === ctx.appId.toLowerCase() || host.toLowerCase() === ctx.tenantId.toLowerCase()) return;
        throw graphErrors.hostNotVerified(uri);
      }
      if (host.includes('.')) {
        if (onVerifiedDomain(host, ctx.verifiedDomains)) return;
        throw graphErrors.hostNotVerified(uri);
      }
      // api://{string}/{appId}
      if (host && lastSegment === ctx.appId.toLowerCase()) return;
      throw graphErrors.hostNotVerified(uri);
    }
    case 'https':
      if (onVerifiedDomain(host, ctx.verifiedDomains)) return;
      throw graphErrors.hostNotVerified(uri);
    default:
      // http://, urn: and other schemes are not among the supported forms.
      throw graphErrors.hostNotVerified(uri);
  }
}
