import type { ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { EmulatorEnv } from '../context.js';
import { oauthErrors } from './oauth-errors.js';

const DEFAULT_SUFFIX = '/.default';

/**
 * The resource named by a client-credentials `scope`: exactly one `{resource}/.default`
 * (https://learn.microsoft.com/entra/identity-platform/scopes-oidc#client-credentials-grant-flow-and-default).
 * Only the last `/.default` is cut, so `https://x.example//.default` names the resource `https://x.example/`
 * (the documented double-slash rule for identifiers that end in `/`).
 */
export function resourceFromScope(scope: string): string {
  const parts = scope.split(/\s+/).filter(Boolean);
  if (parts.length === 0) throw oauthErrors.missingParameter('scope');
  const resources: string[] = [];
  for (const p of parts) {
    if (p === '.default' || p === DEFAULT_SUFFIX) throw oauthErrors.resourcelessScope(scope);
    if (!p.toLowerCase().endsWith(DEFAULT_SUFFIX)) throw oauthErrors.notDefaultScope(p);
    const resource = p.slice(0, -DEFAULT_SUFFIX.length);
    if (!resources.some((r) => r.toLowerCase() === resource.toLowerCase())) resources.push(resource);
  }
  if (resources.length > 1) throw oauthErrors.multipleResources(scope);
  return resources[0];
}

export interface ResolvedResource {
  sp: ServicePrincipal;
  /** The service principal name that matched, as stored (its casing), or the appId. */
  matchedName: string;
}

/**
 * The resource's service principal, found by one of its servicePrincipalNames (appId and identifier URIs),
 * case-insensitively, exactly as the token service reads a replica: a just-created SP or URI may not be
 * visible yet (https://learn.microsoft.com/entra/identity-platform/reference-error-codes, AADSTS500011).
 */
export function findResource(env: EmulatorEnv, resource: string): ResolvedResource {
  const lower = resource.toLowerCase();
  for (const sp of env.tenant.servicePrincipals.list()) {
    if (sp.appId?.toLowerCase() === lower) return { sp, matchedName: sp.appId };
    const name = sp.servicePrincipalNames?.find((n) => n.toLowerCase() === lower);
    if (name) return { sp, matchedName: name };
  }
  throw oauthErrors.resourceNotFound(resource, env.tenant.tenantId);
}
