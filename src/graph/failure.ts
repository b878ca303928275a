import { TenantformError } from '../errors.js';
import { graphErrorOf, type GraphResponse } from './transport.js';

export interface FailureContext {
  /** What we were doing, e.g. `create service principal for "api"`. */
  action: string;
  /** The Graph application permissions that allow it (least privileged first). */
  needs?: readonly string[];
}

/**
 * Turn a Graph error response into the one error family, branching on status + error code only,
 * and always naming the next step for the user.
 */
export function graphFailure(res: GraphResponse, ctx: FailureContext): TenantformError {
  const { code, message } = graphErrorOf(res);
  const meta = { status: res.status, graphCode: code, graphMessage: message, action: ctx.action };
  if (res.status === 401) {
    return new TenantformError(
      'AUTH_FAILED',
      `Microsoft Graph rejected the access token while trying to ${ctx.action} (${code}). Sign in again or check the credential's tenant.`,
      meta,
    );
  }
  if (res.status === 403 || code === 'Authorization_RequestDenied') {
    const needs = ctx.needs?.length ? ctx.needs.join(' or ') : 'the required Microsoft Graph permission';
    return new TenantformError(
      'GRAPH_PERMISSION',
      `Cannot ${ctx.action}: Microsoft Graph answered ${res.status} ${code}; the signed-in identity lacks ${needs}. Grant it that application permission with admin consent (or a directory role such as Cloud Application Administrator), then re-run. A person signed in (--auth device-code) needs it as a consented delegated permission and a directory role that allows it: Cloud Application Administrator for applications and consent, Privileged Role Administrator for Microsoft Graph's app roles.`,
      { ...meta, needs: ctx.needs },
    );
  }
  const hint = NEXT_STEP[code];
  return new TenantformError(
    'GRAPH_ERROR',
    `Cannot ${ctx.action}: Microsoft Graph answered ${res.status} ${code}: ${message}${hint ? ` — ${hint}` : ''}`,
    meta,
  );
}

/** Next steps for Graph codes a user can act on. */
const NEXT_STEP: Record<string, string> = {
  HostNameNotOnVerifiedDomain: 'identifier URIs must use api://{appId}, api://{tenantId}/… or a verified domain of the tenant.',
  CannotDeleteOrUpdateEnabledEntitlement: 'an enabled app role or scope was changed; re-run apply (it disables before changing).',
  Request_MultipleObjectsWithSameKeyValue: 'an object with the same key already exists; re-run apply to adopt it.',
  DuplicateValue: 'two app roles or scopes share a value or id; fix the manifest.',
  CredentialInvalidLifetimeAsPerAppPolicy: "the tenant's app management policy limits secret lifetimes; shorten the secret lifetime.",
  CredentialTypeNotAllowedAsPerAppPolicy: "the tenant's app management policy forbids this credential type; use a certificate or federated credential.",
  TooManyRequests: 'Microsoft Graph kept throttling; wait a minute and re-run.',
};
