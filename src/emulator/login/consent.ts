import type { ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { EmulatorEnv } from '../context.js';
import { resourceApplication } from './claims.js';
import type { ClientIdentity } from './client.js';
import { firstPartyClient, firstPartyScopes } from './first-party.js';
import { userFlowErrors } from './oauth-errors.js';

/**
 * Consent: may this client act for this user on this resource, and with which scopes?
 * (https://learn.microsoft.com/entra/identity-platform/permissions-consent-overview)
 *
 * What counts, read from a replica as the token service does:
 * - an oauth2PermissionGrant with clientId = the client's service principal and resourceId = the resource's, either
 *   `AllPrincipals` (admin consent for everyone) or `Principal` with principalId = the user (that user's consent);
 *   the scopes of all such grants add up;
 * - the resource application's `api.preAuthorizedApplications` entry for the client's appId: the listed scopes
 *   need no consent (https://learn.microsoft.com/graph/api/resources/preauthorizedapplication);
 * - for Microsoft's own clients (the Azure CLI), what the APIs pre-authorize them for in every tenant (first-party.ts).
 *
 * Modelled on purpose, not more: `knownClientApplications` bundles consent AT CONSENT TIME (consenting to the client
 * also consents to the API that lists it — https://learn.microsoft.com/entra/identity-platform/reference-app-manifest#knownclientapplications-attribute),
 * which produces grants; there is no consent prompt in the emulator yet, so at the token endpoint only grants and
 * pre-authorizations count — which is what Entra checks too.
 *
 * The OpenID Connect scopes: "consent for any scope includes consent for all four of the OpenID Connect scopes"
 * (psignoret, Microsoft, in MicrosoftDocs/azure-docs#101648), so a request with only OIDC scopes needs some consent
 * of the client for the user (any grant, or a pre-authorization by any API of the tenant).
 */
export interface ConsentCheck {
  client: ClientIdentity;
  resource: ServicePrincipal;
  userId: string;
  /** Scope values of the resource asked for, `default` for `/.default`, `[]` for a request with only OIDC scopes. */
  requested: string[] | 'default';
}

/**
 * The scopes the access token may carry: the requested ones (all consented or pre-authorized), or for `.default`
 * every scope granted (pre-authorizations are not grants: UNCONFIRMED whether `.default` includes them; it does
 * not here). Anything missing answers AADSTS65001 consent_required.
 */
export function consentedScopes(env: EmulatorEnv, check: ConsentCheck): string[] {
  const { client, resource, userId, requested } = check;
  // A first-party client's pre-authorized permissions count as granted, `.default` included (first-party.ts).
  const granted = [...new Set([...grantedScopes(env, client.sp, resource, userId), ...firstPartyScopes(client.app.appId, resource.appId)])];
  const fail = () => userFlowErrors.consentRequired(client.app.appId!, client.app.displayName ?? '');
  if (requested === 'default') {
    if (granted.length === 0) throw fail();
    return canonical(resource, granted);
  }
  if (requested.length === 0) {
    if (!hasAnyConsent(env, check)) throw fail();
    return canonical(resource, granted);
  }
  const allowed = new Set([...granted, ...preAuthorizedScopes(env, client, resource)].map((s) => s.toLowerCase()));
  for (const s of requested) if (!allowed.has(s.toLowerCase())) throw fail();
  return requested;
}

/** Scope values of the grants of `clientSp` on `resource` that apply to the user (AllPrincipals, or Principal for them). */
export function grantedScopes(env: EmulatorEnv, clientSp: ServicePrincipal, resource: ServicePrincipal, userId: string): string[] {
  const out = new Set<string>();
  for (const g of env.tenant.oauth2PermissionGrants.list()) {
    if (g.clientId !== clientSp.id || g.resourceId !== resource.id) continue;
    if (g.consentType !== 'AllPrincipals' && !(g.consentType === 'Principal' && g.principalId?.toLowerCase() === userId.toLowerCase())) continue;
    for (const s of (g.scope ?? '').split(/\s+/).filter(Boolean)) out.add(s);
  }
  return [...out];
}

/** Scope values of `resource` its application pre-authorizes for the client's appId (ids mapped to values). */
export function preAuthorizedScopes(env: EmulatorEnv, client: ClientIdentity, resource: ServicePrincipal): string[] {
  const app = resourceApplication(env, resource);
  const entry = (app?.api?.preAuthorizedApplications ?? []).find((p) => p.appId?.toLowerCase() === client.app.appId?.toLowerCase());
  if (!entry) return [];
  const ids = new Set((entry.delegatedPermissionIds ?? []).map((i) => i.toLowerCase()));
  return (resource.oauth2PermissionScopes ?? []).filter((s) => s.isEnabled !== false && s.id && ids.has(s.id.toLowerCase()) && s.value).map((s) => s.value!);
}

/** Some consent of the client for the user on any resource: a grant, or a pre-authorization by an API of the tenant. */
function hasAnyConsent(env: EmulatorEnv, check: ConsentCheck): boolean {
  const { client, userId } = check;
  if (firstPartyClient(client.app.appId)) return true;
  const grant = env.tenant.oauth2PermissionGrants
    .list()
    .some((g) => g.clientId === client.sp.id && (g.consentType === 'AllPrincipals' || g.principalId?.toLowerCase() === userId.toLowerCase()));
  if (grant) return true;
  return env.tenant.servicePrincipals.list().some((sp) => preAuthorizedScopes(env, client, sp).length > 0);
}

/** Grant strings in the resource's own casing (a grant may have been written `user.read`), unknown values dropped. */
function canonical(resource: ServicePrincipal, values: string[]): string[] {
  const published = (resource.oauth2PermissionScopes ?? []).filter((s) => s.isEnabled !== false && s.value);
  const out: string[] = [];
  for (const v of values) {
    const p = published.find((s) => s.value!.toLowerCase() === v.toLowerCase());
    if (p && !out.includes(p.value!)) out.push(p.value!);
  }
  return out;
}
