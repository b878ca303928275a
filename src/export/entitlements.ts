/**
 * App roles, scopes and optional claims of one application, in the manifest's form. Ids are the live ids
 * (a role or scope with a new id is a new permission to Graph: clients' consent would be lost), written out
 * only when they differ from the id tenantform would derive for the same stack, key and value.
 */
import type { AppRole, OptionalClaim, OptionalClaims, PermissionScope } from '@microsoft/microsoft-graph-types';
import { stableId } from '../model/desired.js';
import { permissionValueProblem } from '../manifest/rules.js';
import { lower, type Notes } from './context.js';

type Out = Record<string, unknown>;

export function exportAppRoles(roles: AppRole[] | null | undefined, o: { stack: string; key: string; notes: Notes }): Out[] {
  const out: Out[] = [];
  for (const r of roles ?? []) {
    const what = `app role ${r.value ? `"${r.value}"` : `with id ${r.id}`}`;
    const problem = !r.value ? 'has no value' : permissionValueProblem(r.value);
    if (problem || !r.displayName || !r.description || !r.allowedMemberTypes?.length) {
      o.notes.warn(
        `${what} ${problem ?? (!r.allowedMemberTypes?.length ? 'has no allowed member types' : 'lacks a display name or description')}, which a manifest cannot express: the next apply removes it unless you add it by hand`,
      );
      continue;
    }
    out.push({
      value: r.value,
      ...idUnlessDerived(r.id, { ...o, kind: 'appRole', value: r.value! }),
      displayName: r.displayName,
      description: r.description,
      allowedMemberTypes: [...r.allowedMemberTypes].sort(),
      ...(r.isEnabled === false ? { enabled: false } : {}),
    });
  }
  return out;
}

export function exportScopes(scopes: PermissionScope[] | null | undefined, o: { stack: string; key: string; notes: Notes }): Out[] {
  const out: Out[] = [];
  for (const s of scopes ?? []) {
    const what = `scope ${s.value ? `"${s.value}"` : `with id ${s.id}`}`;
    const problem = !s.value ? 'has no value' : permissionValueProblem(s.value);
    if (problem || !s.adminConsentDisplayName || !s.adminConsentDescription) {
      o.notes.warn(
        `${what} ${problem ?? 'lacks an admin consent display name or description'}, which a manifest cannot express: the next apply removes it unless you add it by hand`,
      );
      continue;
    }
    if (s.type !== 'Admin' && s.type !== 'User') o.notes.warn(`${what} has the consent type ${JSON.stringify(s.type)}; the manifest says Admin`);
    out.push({
      value: s.value,
      ...idUnlessDerived(s.id, { ...o, kind: 'scope', value: s.value! }),
      ...(s.type === 'User' ? { type: 'User' } : {}),
      adminConsentDisplayName: s.adminConsentDisplayName,
      adminConsentDescription: s.adminConsentDescription,
      ...(s.userConsentDisplayName ? { userConsentDisplayName: s.userConsentDisplayName } : {}),
      ...(s.userConsentDescription ? { userConsentDescription: s.userConsentDescription } : {}),
      ...(s.isEnabled === false ? { enabled: false } : {}),
    });
  }
  return out;
}

function idUnlessDerived(id: string | null | undefined, o: { stack: string; key: string; kind: 'appRole' | 'scope'; value: string }): Out {
  return lower(id) === stableId({ stack: o.stack, app: o.key, kind: o.kind, value: o.value }) ? {} : { id: lower(id) };
}

/** Optional claims: a bare name when Graph holds nothing else for it, else the object form. */
export function exportOptionalClaims(oc: OptionalClaims | null | undefined): Out | undefined {
  const out: Out = {};
  for (const token of ['accessToken', 'idToken', 'saml2Token'] as const) {
    const claims = (oc?.[token] ?? []).filter((c) => c.name).map(claim);
    if (claims.length) out[token] = claims;
  }
  return Object.keys(out).length ? out : undefined;
}

function claim(c: OptionalClaim): unknown {
  const extra = c.additionalProperties ?? [];
  if (!c.source && !c.essential && extra.length === 0) return c.name;
  return {
    name: c.name,
    ...(c.source ? { source: c.source } : {}),
    ...(c.essential ? { essential: true } : {}),
    ...(extra.length ? { additionalProperties: [...extra] } : {}),
  };
}
