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

/**
 * JSON.stringify(a) === JSON.stringify(b) — key order counts, undefined members do not — without building the two
 * strings: a fleet's no-op plan compares ~50,000 canonical values, and the strings were most of the diff's time.
 * Anything but plain data (a toJSON, a class instance) is left to JSON.stringify itself.
 */
export function same(a: unknown, b: unknown): boolean {
  return jsonEqual(a, b) ?? JSON.stringify(a) === JSON.stringify(b);
}

/** Whether the JSON texts are equal, or undefined when only JSON.stringify can tell. */
function jsonEqual(a: unknown, b: unknown): boolean | undefined {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // Two different primitives can still print alike (NaN and null, undefined and a function).
    return typeof a === 'object' || typeof b === 'object' ? undefined : JSON.stringify(a) === JSON.stringify(b);
  }
  if (!plain(a) || !plain(b)) return undefined;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const r = jsonEqual(inArray(a[i]), inArray(b[i]));
      if (r !== true) return r;
    }
    return true;
  }
  const ka = printedKeys(a as Record<string, unknown>);
  const kb = printedKeys(b as Record<string, unknown>);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    const r = jsonEqual((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]]);
    if (r !== true) return r;
  }
  return true;
}

/** An array, or an object literal / JSON.parse result without toJSON. */
function plain(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** JSON prints undefined, a function or a symbol in an array as null. */
function inArray(v: unknown): unknown {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v;
}

/** The keys JSON prints, in its order: own enumerable string keys whose value is not undefined, a function or a symbol. */
function printedKeys(o: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') keys.push(k);
  }
  return keys;
}

/** Tags the stack manages (its ownership marker and manifest tags) merged into tags it does not. */
export function mergeTags(live: string[] | null | undefined, managed: string[], ownedPrefix = 'tenantform:'): string[] {
  const keep = (live ?? []).filter((t) => !t.startsWith(ownedPrefix) && !managed.includes(t));
  return [...new Set([...keep, ...managed])].sort();
}
