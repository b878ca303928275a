import type { Application, PermissionScope } from '@microsoft/microsoft-graph-types';
import type { EmulatorEnv } from '../context.js';
import { MICROSOFT_GRAPH_APP_ID } from '../seed.js';
import { oauthErrors, userFlowErrors } from './oauth-errors.js';
import { findResource, type ResolvedResource } from './scope.js';

/**
 * The OpenID Connect scopes: not permissions of a resource the access token is for, but asks about the sign-in
 * itself — an ID token (`openid`, with `profile` and `email` claims) and a refresh token (`offline_access`)
 * (https://learn.microsoft.com/entra/identity-platform/scopes-oidc#openid-connect-scopes).
 */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

/** The `scope` of a delegated token request, parsed and resolved against the tenant. */
export interface DelegatedScopes {
  /** The parameter as sent (for error texts and the refresh token record). */
  raw: string;
  /** The OIDC scopes asked for. */
  oidc: Set<OidcScope>;
  /** The one resource the access token is for: the named one, or Microsoft Graph when only OIDC scopes were asked. */
  resource: ResolvedResource;
  /**
   * The resource's scope values asked for, as the resource publishes them (its casing); `default` for
   * `{resource}/.default` (every scope consented); `[]` when only OIDC scopes were asked.
   */
  values: string[] | 'default';
  /**
   * How the request named the resource: the identifier before `/value` (`api://…`, an appId, `https://graph.microsoft.com`),
   * or null for bare values (`User.Read`), which name Microsoft Graph.
   */
  prefix: string | null;
}

/**
 * Parse and resolve a delegated `scope` (https://learn.microsoft.com/entra/identity-platform/scopes-oidc):
 * `{resource}/{value}` or a bare value (Microsoft Graph's), `{resource}/.default`, plus OIDC scopes. One resource
 * per request; values are split at the last `/`, so `https://x.example//.default` names `https://x.example/`.
 * Answers: no resource in `/.default` AADSTS700023; two resources AADSTS28000; `.default` with other values of its
 * resource AADSTS70011; an unknown resource AADSTS500011; a value the resource does not publish AADSTS650053; a
 * client naming itself by a URI AADSTS90009.
 */
export function parseDelegatedScopes(env: EmulatorEnv, scope: string, client: Application): DelegatedScopes {
  const parts = scope.split(/\s+/).filter(Boolean);
  if (parts.length === 0) throw oauthErrors.missingParameter('scope');
  const oidc = new Set<OidcScope>();
  const named: Array<{ identifier: string | null; value: string }> = [];
  for (const p of parts) {
    const lower = p.toLowerCase();
    if ((OIDC_SCOPES as readonly string[]).includes(lower)) {
      oidc.add(lower as OidcScope);
      continue;
    }
    if (p === '.default' || p === '/.default') throw oauthErrors.resourcelessScope(scope);
    const slash = p.lastIndexOf('/');
    if (slash === 0) throw oauthErrors.resourcelessScope(scope);
    named.push(slash < 0 ? { identifier: null, value: p } : { identifier: p.slice(0, slash), value: p.slice(slash + 1) });
  }

  if (named.length === 0) {
    return { raw: scope, oidc, resource: findResource(env, MICROSOFT_GRAPH_APP_ID), values: [], prefix: null };
  }
  // Resolve every identifier (bare values are Microsoft Graph's) and insist on one resource.
  const resolved = named.map((n) => ({ ...n, resource: findResource(env, n.identifier ?? MICROSOFT_GRAPH_APP_ID) }));
  const resource = resolved[0].resource;
  if (resolved.some((r) => r.resource.sp.id !== resource.sp.id)) throw userFlowErrors.multipleResources(scope);
  const prefix = resolved[0].identifier;

  if (resource.sp.appId?.toLowerCase() === client.appId?.toLowerCase() && prefix !== null && prefix.toLowerCase() !== client.appId?.toLowerCase()) {
    throw userFlowErrors.tokenForItself(client.appId!, prefix);
  }
  const wantsDefault = resolved.some((r) => r.value.toLowerCase() === '.default');
  if (wantsDefault) {
    if (resolved.length > 1) throw userFlowErrors.defaultWithOtherScopes(scope);
    return { raw: scope, oidc, resource, values: 'default', prefix };
  }
  const published = (resource.sp.oauth2PermissionScopes ?? []).filter((s: PermissionScope) => s.isEnabled !== false && s.value);
  const values: string[] = [];
  for (const r of resolved) {
    const found = published.find((s) => s.value!.toLowerCase() === r.value.toLowerCase());
    if (!found) throw userFlowErrors.scopeNotOnResource(client.displayName ?? '', r.value, resource.sp.appId!);
    if (!values.includes(found.value!)) values.push(found.value!);
  }
  return { raw: scope, oidc, resource, values, prefix };
}

/** True for Microsoft Graph's service principal. */
export function isMicrosoftGraph(resource: ResolvedResource): boolean {
  return resource.sp.appId?.toLowerCase() === MICROSOFT_GRAPH_APP_ID;
}
