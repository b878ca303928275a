import type { OAuth2PermissionGrant, RequiredResourceAccess } from '@microsoft/microsoft-graph-types';
import { formatLocation, TenantformError, type SourceLocation } from '../errors.js';
import type { Problem, ProblemCode } from '../manifest/problems.js';
import { closestN } from '../model/closest.js';
import type { LiveApplication, LiveState } from '../model/live.js';
import { CA_USER_KEYWORDS } from '../model/policies.js';
import { GUID } from '../model/guid.js';
import type { PlanApplication, PlanPermission, PlanStack } from './input.js';
import { appRef, type AppRef, type Change, type GrantUser, type ResourceRef } from './types.js';

/** A permission's API with its role/scope ids resolved (manifest apps statically, tenant APIs from Graph). */
export interface ResolvedApi {
  ref: ResourceRef;
  /** The API's appId, or the placeholder `{appId:<ref>}` when it is created by this apply. */
  appId: string;
  /** Object id of its service principal, when it exists. */
  servicePrincipalId?: string;
  roles: Map<string, string>;
  scopes: Map<string, string>;
  /** Planned change ids that must land before roles/scopes of this API can be granted. */
  deps: string[];
}

export function resolveApi(p: PlanPermission, stack: PlanStack, live: LiveState, planned: Set<string>): ResolvedApi {
  if (p.api.kind === 'stack') {
    const key = p.api.key;
    const target = stack.applications.find((a) => a.key === key);
    if (!target) throw new TenantformError('RESOLVE_FAILED', `Permission names application "${key}", which stack ${stack.name} does not define.`);
    const l = live.applications[target.uniqueName.toLowerCase()];
    const ref = appRef(stack.name, key);
    return {
      ref: { kind: 'stack', app: ref, display: target.displayName },
      appId: l?.app.appId ?? `{appId:${ref}}`,
      servicePrincipalId: l?.servicePrincipal?.id ?? undefined,
      roles: new Map(target.appRoles.map((r) => [String(r.value), String(r.id)])),
      scopes: new Map(target.oauth2PermissionScopes.map((s) => [String(s.value), String(s.id)])),
      deps: [ref, `${ref}#configure`, `sp:${stack.name}/${key}`].filter((id) => planned.has(id)),
    };
  }
  const name = p.api.name;
  const found = live.resources[name];
  if (!found) {
    throw new TenantformError(
      'RESOLVE_FAILED',
      `No API named "${name}" in the tenant (looked for a service principal with that display name or appId). Check the name, or create the API's service principal first.`,
      { name },
    );
  }
  const sp = found.servicePrincipal;
  return {
    ref: { kind: 'tenant', servicePrincipalId: String(sp.id), display: String(sp.displayName ?? name) },
    appId: String(sp.appId),
    servicePrincipalId: String(sp.id),
    roles: new Map((sp.appRoles ?? []).filter((r) => r.allowedMemberTypes?.includes('Application')).map((r) => [String(r.value), String(r.id)])),
    scopes: new Map((sp.oauth2PermissionScopes ?? []).map((s) => [String(s.value), String(s.id)])),
    deps: [],
  };
}

/**
 * Every name of the stacks the tenant does not resolve — APIs, role and scope values, clients named by appId —
 * at once, each at its place in the manifest with the closest names the API does publish, so one plan run lists
 * them all instead of one per run. The planner calls this first and refuses with RESOLVE_FAILED (meta.problems).
 */
export function resolutionProblems(stacks: readonly PlanStack[], live: LiveState): Problem[] {
  const problems: Problem[] = [];
  const add = (code: ProblemCode, location: SourceLocation, message: string, hint?: string) =>
    problems.push({ code, severity: 'error', message, location, ...(hint ? { hint } : {}) });
  // Names an API could have been meant as: the stack's keys and the tenant APIs that did resolve.
  const foundApis = Object.values(live.resources).flatMap((r) => (r?.servicePrincipal.displayName ? [r.servicePrincipal.displayName] : []));
  for (const stack of stacks) {
    const ours = new Set(stack.applications.flatMap((a) => live.applications[a.uniqueName.toLowerCase()]?.app.appId?.toLowerCase() ?? []));
    for (const app of stack.applications) {
      app.permissions.forEach((p) => {
        const at = p.sources;
        if (p.api.kind === 'tenant' && !live.resources[p.api.name]) {
          const near = closestN(p.api.name, [...stack.applications.map((a) => a.key), ...foundApis, 'Microsoft Graph'], 3);
          add(
            'unresolved-api',
            at?.api ?? p.location,
            `Application "${app.key}" asks for permissions on "${p.api.name}", but the tenant has no API (service principal) with that ${p.api.match === 'appId' ? 'appId' : 'display name'}`,
            near.length
              ? `did you mean ${orList(near)}?`
              : p.api.match === 'appId'
                ? 'an API registered in another tenant needs its service principal here first: admin consent to it creates one'
                : "give the exact display name of the API's service principal, or its appId",
          );
          return;
        }
        if (p.api.kind === 'stack' && !stack.applications.some((a) => a.key === (p.api as { key: string }).key)) return; // validation reports it
        const api = resolveApi(p, stack, live, new Set());
        const check = (kind: 'role' | 'scope', values: readonly string[], where: readonly SourceLocation[] | undefined) => {
          const own = kind === 'role' ? api.roles : api.scopes;
          const other = kind === 'role' ? api.scopes : api.roles;
          values.forEach((value, j) => {
            if (own.has(value)) return;
            const near = closestN(value, own.keys(), 3);
            const what = kind === 'role' ? 'an application permission (app role)' : 'a delegated permission (scope)';
            // The right value under the wrong key first: that is the fix, whatever is spelled alike.
            const hint = other.has(value)
              ? `"${value}" is ${kind === 'role' ? 'a delegated permission (scope)' : 'an application permission (app role)'} of ${api.ref.display}: list it under ${kind === 'role' ? 'scopes' : 'roles'}:`
              : near.length
                ? `did you mean ${orList(near)}?`
                : own.size
                  ? `${api.ref.display} publishes ${own.size} ${kind}${own.size === 1 ? '' : 's'}: ${preview([...own.keys()])}`
                  : `${api.ref.display} publishes no ${kind}s`;
            add(
              'unresolved-permission',
              where?.[j] ?? p.location,
              `"${value}" is not ${what} of ${api.ref.display} (asked for by application "${app.key}")`,
              hint,
            );
          });
        };
        check('role', p.roles, at?.roles);
        check('scope', p.scopes, at?.scopes);
      });
      for (const u of app.permissions.flatMap((p) => p.userConsent ?? [])) {
        if (live.users?.[u.user.toLowerCase()]) continue;
        add('unresolved-user', u.location, `application "${app.key}" consents for the user "${u.user}", whom the tenant does not have`, userHint(u.user));
      }
      for (const c of [...app.knownClientApplications, ...app.preAuthorizedApplications.map((x) => x.client)]) {
        if (c.kind !== 'appId' || ours.has(c.appId) || live.resources[c.appId]) continue;
        add(
          'unresolved-client',
          c.location,
          `application "${app.key}" names the client ${c.appId}, which is not in the tenant (no service principal with that appId)`,
          'known and pre-authorized clients are applications of the same tenant: check the appId, or name the application by its manifest key',
        );
      }
    }
    for (const p of stack.policies) {
      for (const u of [...p.users.includeUsers, ...p.users.excludeUsers]) {
        if (CA_USER_KEYWORDS.some((k) => k.toLowerCase() === u.toLowerCase()) || live.users?.[u.toLowerCase()]) continue;
        add('unresolved-user', p.location, `policy "${p.key}" names the user "${u}", whom the tenant does not have`, userHint(u));
      }
    }
  }
  return problems;
}

function userHint(user: string): string {
  return GUID.test(user) ? 'check the object id (az ad user show --id <upn> --query id)' : 'check the userPrincipalName (alias@domain, as the user signs in)';
}

/** The one refusal for unresolved names: every problem in meta.problems (the CLI lists them like validate). */
export function resolveFailed(problems: readonly Problem[]): TenantformError {
  const first = problems[0];
  const one = `${formatLocation(first.location)}: ${first.message}${first.hint ? ` (${first.hint})` : ''}`;
  const message =
    problems.length === 1 ? one : `${problems.length} names in the manifests do not resolve in the tenant; the first: ${one}. Fix them all and re-run.`;
  const summary = `${problems.length === 1 ? 'A name' : `${problems.length} names`} in the manifests ${problems.length === 1 ? 'does' : 'do'} not resolve in the tenant (above, with file:line:column); nothing was changed.`;
  return new TenantformError('RESOLVE_FAILED', message, { problems: [...problems], summary, location: first.location });
}

function orList(names: string[]): string {
  const q = names.map((n) => `"${n}"`);
  return q.length === 1 ? q[0] : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

function preview(values: string[], n = 8): string {
  const sorted = [...values].sort();
  return sorted.length > n ? `${sorted.slice(0, n).join(', ')}, … (${sorted.length - n} more)` : sorted.join(', ');
}

function idOf(api: ResolvedApi, kind: 'role' | 'scope', value: string, client: PlanApplication): string {
  const id = (kind === 'role' ? api.roles : api.scopes).get(value);
  if (id) return id;
  const known = [...(kind === 'role' ? api.roles : api.scopes).keys()].sort();
  throw new TenantformError(
    'RESOLVE_FAILED',
    `Application "${client.key}" asks for ${kind} "${value}" on "${api.ref.display}", which does not publish it. Known ${kind}s: ${known.join(', ') || '(none)'}.`,
    { app: client.key, api: api.ref.display, value },
  );
}

/** The client's requiredResourceAccess ("configured permissions"), one entry per API. */
export function requiredResourceAccess(client: PlanApplication, apis: ResolvedApi[]): RequiredResourceAccess[] {
  return client.permissions.map((p, i) => ({
    resourceAppId: apis[i].appId,
    resourceAccess: [
      ...p.roles.map((r) => ({ id: idOf(apis[i], 'role', r, client), type: 'Role' })),
      ...p.scopes.map((s) => ({ id: idOf(apis[i], 'scope', s, client), type: 'Scope' })),
    ],
  }));
}

/**
 * Admin consent: app role assignments for roles, one AllPrincipals delegated grant per API for scopes.
 * The stack owns every app role assignment and tenant-wide grant of its own service principals, so
 * what the manifest no longer asks for is removed (drift made in the portal is reported and undone).
 */
export function diffAccess(
  client: PlanApplication,
  apis: ResolvedApi[],
  live: LiveApplication | undefined,
  planned: Set<string>,
  users: LiveState['users'] = {},
): Change[] {
  const ref = appRef(client.stack, client.key);
  const spDep = planned.has(`sp:${client.stack}/${client.key}`) ? [`sp:${client.stack}/${client.key}`] : [];
  const changes: Change[] = [];
  const liveAssignments = live?.assignments ?? [];
  const keep = new Set<string>();
  client.permissions.forEach((p, i) => {
    if (!p.adminConsent) return;
    const api = apis[i];
    for (const role of p.roles) {
      const appRoleId = idOf(api, 'role', role, client);
      const existing = api.servicePrincipalId && liveAssignments.find((a) => a.resourceId === api.servicePrincipalId && a.appRoleId === appRoleId);
      if (existing) {
        keep.add(String(existing.id));
        continue;
      }
      changes.push({
        id: `assignment:${client.stack}/${client.key}/${api.ref.display}/${role}`,
        action: 'create-app-role-assignment',
        app: ref,
        resource: api.ref,
        appRoleId,
        role,
        wave: 0,
        dependsOn: [...spDep, ...api.deps],
        reason: `admin consent for ${role} on ${api.ref.display}`,
      });
    }
  });
  for (const a of liveAssignments) {
    if (keep.has(String(a.id))) continue;
    changes.push({
      id: `assignment-remove:${client.stack}/${client.key}/${a.id}`,
      action: 'delete-app-role-assignment',
      app: ref,
      assignmentId: String(a.id),
      resourceId: String(a.resourceId),
      ...(a.resourceDisplayName ? { resourceDisplayName: a.resourceDisplayName } : {}),
      appRoleId: String(a.appRoleId),
      role: roleName(a.appRoleId, a.resourceId, apis),
      wave: 0,
      dependsOn: [],
      reason: 'the manifest does not grant this app role',
    });
  }
  changes.push(...diffGrants(client, apis, live, spDep));
  changes.push(...diffUserGrants(client, apis, live, spDep, users));
  return changes;
}

/**
 * Per-user consent (`userConsent`): one Principal grant per client, API and named user, its scopes those of the
 * permission (https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant). Only the named users' grants are
 * managed: other users consented for themselves when they signed in, and that consent is theirs — so a user dropped
 * from the manifest keeps a grant apply cannot tell from their own (README "Consent for some users only" says how to revoke it).
 */
function diffUserGrants(client: PlanApplication, apis: ResolvedApi[], live: LiveApplication | undefined, spDep: string[], users: LiveState['users']): Change[] {
  const ref = appRef(client.stack, client.key);
  const out: Change[] = [];
  const perUser = (live?.grants ?? []).filter((g) => g.consentType === 'Principal');
  client.permissions.forEach((p, i) => {
    if (p.scopes.length === 0) return;
    const api = apis[i];
    const scope = [...p.scopes].sort().join(' ');
    for (const { user: name } of p.userConsent ?? []) {
      const user = users?.[name.toLowerCase()];
      if (!user) continue; // reported by resolutionProblems before any change is planned
      const who = { id: user.id, userPrincipalName: user.userPrincipalName };
      const id = `grant:${client.stack}/${client.key}/${api.ref.display}/${user.userPrincipalName}`;
      const existing = api.servicePrincipalId
        ? perUser.find((g) => g.resourceId === api.servicePrincipalId && g.principalId?.toLowerCase() === user.id)
        : undefined;
      if (!existing) {
        out.push(grantCreate({ id, ref, api, scope, deps: [...spDep, ...api.deps], user: who }));
        continue;
      }
      const update = grantUpdate({ id, ref, existing, scope, deps: api.deps, user: who });
      if (update) out.push(update);
    }
  });
  return out;
}

function diffGrants(client: PlanApplication, apis: ResolvedApi[], live: LiveApplication | undefined, spDep: string[]): Change[] {
  const ref = appRef(client.stack, client.key);
  const out: Change[] = [];
  const tenantWide = (live?.grants ?? []).filter((g) => g.consentType === 'AllPrincipals');
  const seen = new Set<string>();
  client.permissions.forEach((p, i) => {
    if (!p.adminConsent || p.scopes.length === 0) return;
    const api = apis[i];
    p.scopes.forEach((s) => idOf(api, 'scope', s, client));
    const scope = [...p.scopes].sort().join(' ');
    const existing = api.servicePrincipalId ? tenantWide.find((g) => g.resourceId === api.servicePrincipalId) : undefined;
    const id = `grant:${client.stack}/${client.key}/${api.ref.display}`;
    if (!existing) {
      out.push(grantCreate({ id, ref, api, scope, deps: [...spDep, ...api.deps] }));
      return;
    }
    seen.add(String(existing.id));
    const update = grantUpdate({ id, ref, existing, scope, deps: api.deps });
    if (update) out.push(update);
  });
  for (const g of tenantWide) {
    if (seen.has(String(g.id))) continue;
    out.push({
      id: `grant-remove:${client.stack}/${client.key}/${g.id}`,
      action: 'delete-delegated-grant',
      app: ref,
      grantId: String(g.id),
      before: String(g.scope ?? ''),
      wave: 0,
      dependsOn: [],
      reason: 'the manifest does not grant these scopes',
    });
  }
  return out;
}

/** A new delegated grant: tenant-wide, or — with `user` — that user's. */
function grantCreate(o: { id: string; ref: AppRef; api: ResolvedApi; scope: string; deps: string[]; user?: GrantUser }): Change {
  return {
    id: o.id,
    action: 'create-delegated-grant',
    app: o.ref,
    resource: o.api.ref,
    scope: o.scope,
    ...(o.user ? { user: o.user } : {}),
    wave: 0,
    dependsOn: o.deps,
    reason: `${o.user ? 'consent' : 'admin consent'} for ${o.scope} on ${o.api.ref.display}${o.user ? ` for ${o.user.userPrincipalName}` : ''}`,
  };
}

/** The change of a grant whose scopes (compared as a set) differ from the manifest's; undefined when they do not. */
function grantUpdate(o: { id: string; ref: AppRef; existing: OAuth2PermissionGrant; scope: string; deps: string[]; user?: GrantUser }): Change | undefined {
  const before = (o.existing.scope ?? '').trim().split(/\s+/).filter(Boolean).sort().join(' ');
  if (before === o.scope) return undefined;
  return {
    id: o.id,
    action: 'update-delegated-grant',
    app: o.ref,
    grantId: String(o.existing.id),
    before,
    scope: o.scope,
    ...(o.user ? { user: o.user } : {}),
    wave: 0,
    dependsOn: o.deps,
    reason: o.user ? `${o.user.userPrincipalName}'s consented scopes differ from the manifest` : 'granted scopes differ from the manifest',
  };
}

function roleName(appRoleId: string | undefined, resourceId: string | null | undefined, apis: ResolvedApi[]): string {
  for (const api of apis) {
    if (api.servicePrincipalId !== resourceId) continue;
    for (const [value, id] of api.roles) if (id === appRoleId) return value;
  }
  return String(appRoleId);
}
