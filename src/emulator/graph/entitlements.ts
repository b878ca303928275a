import type { Application, AppRole, PermissionScope, PreAuthorizedApplication } from '@microsoft/microsoft-graph-types';
import { GraphFault, graphErrors } from '../errors.js';

/**
 * Rules for an application's entitlements: app roles (`appRoles`) and delegated scopes
 * (`api.oauth2PermissionScopes`). https://learn.microsoft.com/graph/api/resources/approle,
 * https://learn.microsoft.com/graph/api/resources/permissionscope, reference/graph-api.md §3.1 and §3.3.
 */

/** Allowed characters of a role/scope `value` (docs list A-Z a-z 0-9 and these symbols; no spaces). */
const VALUE_CHARS = /^[A-Za-z0-9!#$%&'()*+,\-./:;<=>?@[\]^_`{|}~]+$/;
/** Docs say 120; terraform-provider-azuread allows 249. The server's limit is UNCONFIRMED: we take the looser one. */
const MAX_VALUE_LENGTH = 249;
const MEMBER_TYPES = ['User', 'Application'];

const invalid = (property: string, resource: string) => graphErrors.badRequest(`Invalid value specified for property '${property}' of resource '${resource}'.`);

/**
 * Fill the defaults Graph stores for a role. `origin` is read-only (docs), so whatever the client sent is
 * replaced by 'Application' — the value Graph returns for roles defined on an application.
 */
export function normalizeAppRoles(roles: AppRole[]): AppRole[] {
  return roles.map((r) => ({
    allowedMemberTypes: r.allowedMemberTypes ?? [],
    description: r.description ?? null,
    displayName: r.displayName ?? null,
    id: r.id,
    isEnabled: r.isEnabled ?? true,
    origin: 'Application',
    value: r.value ?? null,
  }));
}

export function normalizeScopes(scopes: PermissionScope[]): PermissionScope[] {
  return scopes.map((s) => ({
    adminConsentDescription: s.adminConsentDescription ?? null,
    adminConsentDisplayName: s.adminConsentDisplayName ?? null,
    id: s.id,
    isEnabled: s.isEnabled ?? true,
    origin: 'Application',
    type: s.type ?? 'User',
    userConsentDescription: s.userConsentDescription ?? null,
    userConsentDisplayName: s.userConsentDisplayName ?? null,
    value: s.value ?? null,
  }));
}

function checkValue(value: string | null | undefined, resource: string, maxLength: number): void {
  if (value === null || value === undefined) return;
  if (value.length === 0 || value.length > maxLength || !VALUE_CHARS.test(value) || value.startsWith('.')) throw invalid('value', resource);
}

/** DuplicateValue with `details[].target`, as in microsoft-graph-docs#21667. */
function checkDuplicates(items: Array<{ id?: string | null; value?: string | null }>, target: string): void {
  const ids = new Set<string>();
  const values = new Set<string>();
  for (const item of items) {
    const id = String(item.id).toLowerCase();
    if (ids.has(id)) throw graphErrors.duplicateValue(target);
    ids.add(id);
    if (item.value) {
      const v = item.value.toLowerCase();
      if (values.has(v)) throw graphErrors.duplicateValue(target);
      values.add(v);
    }
  }
}

/** Static rules on the roles and scopes an application is about to hold. */
export function validateEntitlements(app: Application, opts: { personalAccounts: boolean }): void {
  const roles = app.appRoles ?? [];
  const scopes = app.api?.oauth2PermissionScopes ?? [];
  for (const r of roles) {
    if (!r.id) throw invalid('id', 'AppRole');
    const types = r.allowedMemberTypes ?? [];
    if (types.length === 0 || !types.every((t) => MEMBER_TYPES.includes(t))) throw invalid('allowedMemberTypes', 'AppRole');
    checkValue(r.value, 'AppRole', MAX_VALUE_LENGTH);
  }
  // Personal-account audiences: at most 100 scopes, scope value ≤ 40 chars
  // (https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation).
  if (opts.personalAccounts && scopes.length > 100) throw invalid('oauth2PermissionScopes', 'Application');
  for (const s of scopes) {
    if (!s.id) throw invalid('id', 'PermissionScope');
    if (s.type !== 'User' && s.type !== 'Admin') throw invalid('type', 'PermissionScope');
    checkValue(s.value, 'PermissionScope', opts.personalAccounts ? 40 : MAX_VALUE_LENGTH);
  }
  checkDuplicates(roles, 'appRoles');
  checkDuplicates(scopes, 'oauth2PermissionScopes');
  // A role and a scope may share an id only when they describe the same permission (reference §3.3).
  // The message is the one terraform-provider-azuread mirrors; the Graph error code is UNCONFIRMED.
  for (const r of roles) {
    const s = scopes.find((x) => x.id?.toLowerCase() === r.id?.toLowerCase());
    if (!s) continue;
    const same =
      r.value === s.value && r.isEnabled === s.isEnabled && r.description === s.adminConsentDescription && r.displayName === s.adminConsentDisplayName;
    if (!same) {
      throw graphErrors.badRequest(
        `The following values must match for the 'oauth2Permissions' and 'appRoles' properties with identifier '${r.id}': (description, adminConsentDescription), (displayName, adminConsentDisplayName), (isEnabled), (origin), (value). Either make the values match, or use different identifiers.`,
      );
    }
  }
}

const sameSet = (a: string[] | null | undefined, b: string[] | null | undefined) => {
  const x = [...(a ?? [])].sort().join('\n');
  const y = [...(b ?? [])].sort().join('\n');
  return x === y;
};

function roleChanged(before: AppRole, after: AppRole): boolean {
  return (
    !sameSet(before.allowedMemberTypes, after.allowedMemberTypes) ||
    (before.description ?? null) !== (after.description ?? null) ||
    (before.displayName ?? null) !== (after.displayName ?? null) ||
    (before.value ?? null) !== (after.value ?? null)
  );
}

function scopeChanged(before: PermissionScope, after: PermissionScope): boolean {
  const keys = ['adminConsentDescription', 'adminConsentDisplayName', 'userConsentDescription', 'userConsentDisplayName', 'type', 'value'] as const;
  return keys.some((k) => (before[k] ?? null) !== (after[k] ?? null));
}

/**
 * 400 CannotDeleteOrUpdateEnabledEntitlement when an ENABLED role/scope is removed or changed
 * (anything but isEnabled true→false). `visible` is what a replica holds now — so the final PATCH right
 * after a disable PATCH fails until the disable has replicated, exactly as TF/hamilton/M365AT experience
 * it and retry (reference/graph-api.md §3.1, §5.1). Which fields count as a change follows TFAD; whether
 * the real service also rejects a pure description edit is UNCONFIRMED.
 */
export function checkEnabledEntitlementChanges(visible: Application | undefined, next: Application, touched: { appRoles: boolean; scopes: boolean }): void {
  if (!visible) return;
  if (touched.appRoles) {
    for (const before of visible.appRoles ?? []) {
      if (!before.isEnabled) continue;
      const after = (next.appRoles ?? []).find((r) => r.id?.toLowerCase() === before.id?.toLowerCase());
      if (!after || roleChanged(before, after)) throw graphErrors.enabledEntitlement();
    }
  }
  if (touched.scopes) {
    for (const before of visible.api?.oauth2PermissionScopes ?? []) {
      if (!before.isEnabled) continue;
      const after = (next.api?.oauth2PermissionScopes ?? []).find((s) => s.id?.toLowerCase() === before.id?.toLowerCase());
      if (!after || scopeChanged(before, after)) throw graphErrors.enabledEntitlement();
    }
  }
}

/**
 * `api.preAuthorizedApplications[].delegatedPermissionIds` must name scopes the application already has —
 * scopes added in the same request don't count, and neither do scopes that have not replicated yet
 * (microsoft-graph-docs-contrib#1395; M365AT retries this 400 "OAuth permission not found").
 * The exact code and message are UNCONFIRMED.
 */
export function checkPreAuthorizedApplications(visible: Application | undefined, preAuthorized: PreAuthorizedApplication[]): void {
  const known = new Set((visible?.api?.oauth2PermissionScopes ?? []).map((s) => String(s.id).toLowerCase()));
  for (const pre of preAuthorized) {
    if (!pre.appId) throw invalid('appId', 'PreAuthorizedApplication');
    for (const id of pre.delegatedPermissionIds ?? []) {
      if (!known.has(id.toLowerCase())) {
        throw new GraphFault(400, 'Request_BadRequest', `OAuth permission with id '${id}' was not found on the application; it cannot be pre-authorized.`);
      }
    }
  }
}
