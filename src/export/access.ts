/**
 * Permissions: configured permissions (requiredResourceAccess) and admin consent (app role assignments of
 * this app's service principal, tenant-wide delegated grants where it is the client), as manifest
 * `permissions:`. The planner owns all three together (plan/diff-access.ts): a role or scope is configured
 * for every permission, and with `adminConsent: true` every one of them is granted while every other
 * assignment and tenant-wide grant is removed. So a permission lists what is configured OR consented, and
 * says `adminConsent: true` when anything of it is consented; whatever the next apply would still add or
 * take away (partial consent, consent without configuration) is reported — consent is never silently lost.
 */
import type { AppRole, PermissionScope, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { lower, type ExportContext, type Notes } from './context.js';
import type { ExportedApplication } from '../model/export.js';

/** The resource API of a permission, as the manifest can name it. */
interface Resource {
  /** What `api:` says: a manifest key, a unique display name, or an appId. */
  name: string;
  /** Its service principal's object id (consent is recorded against it), when it has one. */
  spId?: string;
  /** Grantable app roles (Application member type, enabled) and scopes (enabled), id → value. */
  roles: Map<string, string>;
  scopes: Map<string, string>;
  /** Every role/scope id it publishes, to tell a disabled or user-only one from a deleted one. */
  known: Map<string, string>;
}

interface Wanted {
  resource: Resource;
  roles: string[];
  scopes: string[];
  adminConsent: boolean;
  /** userPrincipalNames of per-user grants, in the order read. */
  userConsent: string[];
}

export function exportPermissions(ctx: ExportContext, a: ExportedApplication, notes: Notes): Array<Record<string, unknown>> {
  const wanted = new Map<string, Wanted>();
  const add = (resource: Resource, kind: 'roles' | 'scopes', value: string) => {
    const w = wanted.get(resource.name) ?? { resource, roles: [], scopes: [], adminConsent: false, userConsent: [] };
    if (!w[kind].includes(value)) w[kind].push(value);
    wanted.set(resource.name, w);
  };
  // 1. What is configured.
  const configured = new Map<string, { roles: Set<string>; scopes: Set<string> }>();
  for (const rra of a.app.requiredResourceAccess ?? []) {
    const resource = resourceOf(ctx, lower(rra.resourceAppId));
    if (!resource) {
      notes.warn(
        `has a configured permission on ${rra.resourceAppId}, which has no service principal in this tenant: a manifest cannot name it, so the next apply removes it`,
      );
      continue;
    }
    const seen = configured.get(resource.name) ?? { roles: new Set(), scopes: new Set() };
    configured.set(resource.name, seen);
    for (const access of rra.resourceAccess ?? []) {
      const kind = access.type === 'Role' ? 'roles' : 'scopes';
      const value = resource[kind].get(lower(access.id));
      if (!value) {
        notes.warn(`${unusable(resource, kind, lower(access.id))}: the next apply removes it from the configured permissions`);
        continue;
      }
      seen[kind].add(value);
      add(resource, kind, value);
    }
  }
  // 2. What is consented: roles by assignment, scopes by the tenant-wide grant.
  for (const as of a.assignments) {
    const resource = resourceBySp(ctx, lower(as.resourceId));
    const value = resource?.roles.get(lower(as.appRoleId));
    if (!resource || !value) {
      const what = resource ? unusable(resource, 'roles', lower(as.appRoleId)) : `an app role ${as.appRoleId} on ${as.resourceDisplayName ?? as.resourceId}`;
      notes.warn(`is granted ${what}, which a manifest cannot name: the next apply removes that app role assignment`);
      continue;
    }
    if (!configured.get(resource.name)?.roles.has(value)) {
      notes.warn(`is granted ${value} on ${resource.name} without it being a configured permission: the next apply adds it to the configured permissions`);
    }
    add(resource, 'roles', value);
    wanted.get(resource.name)!.adminConsent = true;
  }
  const tenantWide = a.grants.filter((g) => g.consentType === 'AllPrincipals');
  for (const g of tenantWide) {
    const resource = resourceBySp(ctx, lower(g.resourceId));
    const values = String(g.scope ?? '')
      .split(/\s+/)
      .filter(Boolean);
    if (!resource) {
      notes.warn(`has tenant-wide consent for "${values.join(' ')}" on ${g.resourceId}, which a manifest cannot name: the next apply removes that grant`);
      continue;
    }
    for (const value of values) {
      if (![...resource.scopes.values()].includes(value)) {
        notes.warn(
          `has tenant-wide consent for "${value}" on ${resource.name}, which it does not publish as an enabled scope: the next apply removes it from the grant`,
        );
        continue;
      }
      if (!configured.get(resource.name)?.scopes.has(value)) {
        notes.warn(
          `has tenant-wide consent for ${value} on ${resource.name} without it being a configured permission: the next apply adds it to the configured permissions`,
        );
      }
      add(resource, 'scopes', value);
    }
    const w = wanted.get(resource.name);
    if (w) w.adminConsent = true;
  }
  // 3. Partial consent: with adminConsent the next apply grants the rest (what "Grant admin consent" does).
  for (const w of wanted.values()) {
    if (!w.adminConsent) continue;
    const assigned = new Set(a.assignments.filter((x) => lower(x.resourceId) === w.resource.spId).map((x) => w.resource.roles.get(lower(x.appRoleId))));
    const grant = tenantWide.find((g) => lower(g.resourceId) === w.resource.spId);
    const granted = new Set(String(grant?.scope ?? '').split(/\s+/));
    const missing = [...w.roles.filter((r) => !assigned.has(r)), ...w.scopes.filter((s) => !granted.has(s))];
    if (missing.length) {
      notes.warn(
        `has admin consent for only part of its permissions on ${w.resource.name} (not for ${missing.join(', ')}): the manifest says adminConsent: true, so the next apply grants those too — set it to false to revoke the consent instead`,
      );
    }
  }
  // 4. Per-user consent (consentType Principal): `userConsent: [<upn>]` on the permission, when the user resolves.
  const userScopes = exportUserGrants(ctx, a, notes, wanted, configured, add);
  // The planner gives each listed user a grant of exactly the permission's scopes (plan/diff-access.ts diffUserGrants).
  for (const w of wanted.values()) {
    for (const upn of w.userConsent) {
      const had = userScopes.get(`${w.resource.name}\n${upn}`) ?? [];
      if (had.length !== w.scopes.length || !w.scopes.every((s) => had.includes(s))) {
        notes.warn(
          `${upn} consented to "${had.join(' ')}" on ${w.resource.name}, the permission lists ${w.scopes.join(', ')}: userConsent gives every listed user exactly those, so the next apply sets ${upn}'s consent to them`,
        );
      }
    }
  }
  return [...wanted.values()].map((w) => ({
    api: w.resource.name,
    ...(w.roles.length ? { roles: w.roles } : {}),
    ...(w.scopes.length ? { scopes: w.scopes } : {}),
    ...(w.adminConsent ? { adminConsent: true } : {}),
    ...(w.userConsent.length ? { userConsent: w.userConsent } : {}),
  }));
}

/**
 * Per-user grants (https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant: consentType Principal,
 * principalId the user) as `userConsent`. What a manifest cannot say stays a note and the grant stays as it is
 * (apply manages only the users a manifest lists): a user the reader could not resolve to a userPrincipalName, an
 * API a manifest cannot name, and consent beside adminConsent (tenant-wide consent already covers every user; the
 * validator refuses both on one permission). Returns each listed user's granted scopes by `api\nupn`.
 */
function exportUserGrants(
  ctx: ExportContext,
  a: ExportedApplication,
  notes: Notes,
  wanted: Map<string, Wanted>,
  configured: Map<string, { roles: Set<string>; scopes: Set<string> }>,
  add: (resource: Resource, kind: 'roles' | 'scopes', value: string) => void,
): Map<string, string[]> {
  const granted = new Map<string, string[]>();
  for (const g of a.grants.filter((x) => x.consentType === 'Principal')) {
    const resource = resourceBySp(ctx, lower(g.resourceId));
    const scope = g.scope ?? '';
    const upn = ctx.users.get(lower(g.principalId));
    const stays = `that consent stays as it is (to manage it, list the user in the permission's userConsent)`;
    if (!resource) {
      notes.warn(`a user (${upn ?? g.principalId}) consented to "${scope}" on ${g.resourceId}, which a manifest cannot name: ${stays}`);
      continue;
    }
    if (!upn) {
      notes.warn(`a user (${g.principalId}) consented to "${scope}" on ${resource.name}, and that user could not be resolved to a userPrincipalName: ${stays}`);
      continue;
    }
    if (wanted.get(resource.name)?.adminConsent) {
      notes.warn(`${upn} consented to "${scope}" on ${resource.name}, which also has admin consent (for every user): ${upn}'s own consent stays as it is`);
      continue;
    }
    const values = scope.split(/\s+/).filter(Boolean);
    const usable = values.filter((v) => [...resource.scopes.values()].includes(v));
    for (const v of values.filter((x) => !usable.includes(x))) {
      notes.warn(`${upn} consented to "${v}" on ${resource.name}, which it does not publish as an enabled scope: the next apply removes it from that consent`);
    }
    if (!usable.length) continue;
    for (const v of usable) {
      if (!configured.get(resource.name)?.scopes.has(v) && !wanted.get(resource.name)?.scopes.includes(v)) {
        notes.warn(
          `${upn} consented to ${v} on ${resource.name} without it being a configured permission: the next apply adds it to the configured permissions`,
        );
      }
      add(resource, 'scopes', v);
    }
    const w = wanted.get(resource.name)!;
    if (!w.userConsent.some((u) => u.toLowerCase() === upn.toLowerCase())) w.userConsent.push(upn);
    granted.set(`${resource.name}\n${upn}`, [...new Set([...(granted.get(`${resource.name}\n${upn}`) ?? []), ...usable])]);
  }
  return granted;
}

function unusable(resource: Resource, kind: 'roles' | 'scopes', id: string): string {
  const noun = kind === 'roles' ? 'app role' : 'scope';
  const value = resource.known.get(id);
  if (!value) return `${kind === 'roles' ? 'an' : 'a'} ${noun} ${id} that ${resource.name} does not publish (any more)`;
  return kind === 'roles'
    ? `the app role ${value} of ${resource.name}, which is disabled or not for applications`
    : `the scope ${value} of ${resource.name}, which is disabled`;
}

/** The API with this appId: an exported application (by key) or a service principal of the tenant. */
function resourceOf(ctx: ExportContext, appId: string): Resource | undefined {
  const key = ctx.keys.get(appId);
  const exported = ctx.apps.get(appId);
  const sp = ctx.spByAppId.get(appId);
  if (key && exported) return build(key, exported.servicePrincipal?.id, exported.app.appRoles, exported.app.api?.oauth2PermissionScopes);
  if (!sp) return undefined;
  return build(tenantName(ctx, sp), sp.id, sp.appRoles, sp.oauth2PermissionScopes);
}

function resourceBySp(ctx: ExportContext, spId: string): Resource | undefined {
  const sp = ctx.spById.get(spId);
  return sp ? resourceOf(ctx, lower(sp.appId)) : undefined;
}

/** A tenant API by display name when that is unambiguous (and not an exported app's name, which the validator refuses), else by appId. */
function tenantName(ctx: ExportContext, sp: ServicePrincipal): string {
  const name = sp.displayName ?? '';
  return name && ctx.read.displayNameCounts[name] === 1 && !ctx.exportedNames.has(name) ? name : lower(sp.appId);
}

function build(name: string, spId: string | null | undefined, roles: AppRole[] | null | undefined, scopes: PermissionScope[] | null | undefined): Resource {
  const grantableRoles = (roles ?? []).filter((r) => r.value && r.isEnabled !== false && r.allowedMemberTypes?.includes('Application'));
  const enabledScopes = (scopes ?? []).filter((s) => s.value && s.isEnabled !== false);
  return {
    name,
    spId: spId ? lower(spId) : undefined,
    roles: new Map(grantableRoles.map((r) => [lower(r.id), String(r.value)])),
    scopes: new Map(enabledScopes.map((s) => [lower(s.id), String(s.value)])),
    known: new Map([...(roles ?? []), ...(scopes ?? [])].map((x) => [lower(x.id), String(x.value ?? x.id)])),
  };
}
