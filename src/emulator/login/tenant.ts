import type { EmulatorEnv } from '../context.js';
import { OAuthFault } from '../errors.js';

/** How the `{tenant}` segment of a login URL was given. */
export type TenantSegment =
  | { kind: 'tenant'; tenantId: string; given: string }
  /** common / organizations / consumers: multi-tenant metadata with a templated issuer. */
  | { kind: 'multi'; name: 'common' | 'organizations' | 'consumers' };

const MULTI = new Set(['common', 'organizations', 'consumers']);

/**
 * `{tenant}` is the tenant id or one of its verified domain names
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#get-a-token).
 * Anything else is AADSTS90002 InvalidTenantName (reference/tokens.md §3.2; the `error` value is UNCONFIRMED,
 * invalid_request chosen).
 */
export function resolveTenant(segment: string, env: EmulatorEnv): TenantSegment {
  const lower = segment.toLowerCase();
  if (MULTI.has(lower)) return { kind: 'multi', name: lower as 'common' | 'organizations' | 'consumers' };
  const tid = env.tenant.tenantId;
  const domains = env.tenant.verifiedDomains().map((d) => d.toLowerCase());
  if (lower === tid.toLowerCase() || domains.includes(lower)) return { kind: 'tenant', tenantId: tid, given: segment };
  throw tenantNotFound(segment);
}

export function tenantNotFound(segment: string): OAuthFault {
  return new OAuthFault(
    'invalid_request',
    90002,
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. ` +
      'Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.',
  );
}
