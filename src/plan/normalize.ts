import type { AppRole, OptionalClaim, OptionalClaims, PermissionScope, RequiredResourceAccess } from '@microsoft/microsoft-graph-types';

/**
 * Canonical forms of Graph values for comparison: Graph fills defaults, reorders collections and uses
 * null and [] interchangeably, none of which is a change.
 */
const s = (v: unknown) => (v === undefined || v === null || v === '' ? null : v);
const sorted = <T>(xs: T[] | null | undefined, key: (x: T) => string) => [...(xs ?? [])].sort((a, b) => key(a).localeCompare(key(b)));

export function canonRole(r: AppRole) {
  return {
    id: String(r.id).toLowerCase(),
    value: s(r.value),
    displayName: s(r.displayName),
    description: s(r.description),
    allowedMemberTypes: [...(r.allowedMemberTypes ?? [])].sort(),
    isEnabled: r.isEnabled !== false,
  };
}

export function canonScope(p: PermissionScope) {
  return {
    id: String(p.id).toLowerCase(),
    value: s(p.value),
    type: s(p.type),
    adminConsentDisplayName: s(p.adminConsentDisplayName),
    adminConsentDescription: s(p.adminConsentDescription),
    userConsentDisplayName: s(p.userConsentDisplayName),
    userConsentDescription: s(p.userConsentDescription),
    isEnabled: p.isEnabled !== false,
  };
}

export const canonRoles = (rs: AppRole[] | null | undefined) => sorted(rs, (r) => String(r.id).toLowerCase()).map(canonRole);
export const canonScopes = (ps: PermissionScope[] | null | undefined) => sorted(ps, (p) => String(p.id).toLowerCase()).map(canonScope);

function canonClaimList(list: OptionalClaim[] | null | undefined) {
  return sorted(list, (c) => c.name ?? '').map((c) => ({
    name: c.name,
    source: s(c.source),
    essential: !!c.essential,
    additionalProperties: [...(c.additionalProperties ?? [])].sort(),
  }));
}

export function canonOptionalClaims(oc: OptionalClaims | null | undefined) {
  const out = { accessToken: canonClaimList(oc?.accessToken), idToken: canonClaimList(oc?.idToken), saml2Token: canonClaimList(oc?.saml2Token) };
  return out.accessToken.length + out.idToken.length + out.saml2Token.length === 0 ? null : out;
}

export function canonRequiredResourceAccess(rra: RequiredResourceAccess[] | null | undefined) {
  return sorted(rra, (r) => r.resourceAppId ?? '').map((r) => ({
    resourceAppId: String(r.resourceAppId).toLowerCase(),
    resourceAccess: sorted(r.resourceAccess, (a) => `${a.type}:${a.id}`).map((a) => ({ id: String(a.id).toLowerCase(), type: a.type })),
  }));
}

export const canonStrings = (xs: string[] | null | undefined) => [...(xs ?? [])].sort();

export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Tags the stack manages (its ownership marker and manifest tags) merged into tags it does not. */
export function mergeTags(live: string[] | null | undefined, managed: string[], ownedPrefix = 'tenantform:'): string[] {
  const keep = (live ?? []).filter((t) => !t.startsWith(ownedPrefix) && !managed.includes(t));
  return [...new Set([...keep, ...managed])].sort();
}
