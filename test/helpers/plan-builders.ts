/**
 * Builders of LIVE state (what Graph would return) and planner inputs, for the table-driven planner tests
 * (test/unit/plan-*.test.ts). Desired state comes from builders.ts; this file adds its Graph-side mirror.
 *
 *   const stack = planStack(todolistDaemonStack());
 *   const live = convergedLive(stack);                 // the tenant exactly as the manifest asks
 *   const inputs = planInputs({ stacks: [stack], live: live.state, secrets: live.secrets });
 *   assert.deepEqual(planFromInputs(inputs).changes, []);
 *
 * Ids are deterministic (GUID-shaped, derived from a name) so expectations can be written by hand. The
 * converged builders derive Graph objects from desired data by hand — never through the planner — so a
 * test that plans against them checks the planner rather than repeating it.
 */
import type {
  AppRole,
  AppRoleAssignment,
  OAuth2PermissionGrant,
  PasswordCredential,
  PermissionScope,
  RequiredResourceAccess,
  ServicePrincipal,
} from '@microsoft/microsoft-graph-types';
import { v5 as uuidv5 } from 'uuid';
import type { LiveApplication, LiveState, LiveTenant } from '../../src/model/live.js';
import { identifierUrisFor, secretDisplayName, servicePrincipalTags, type DesiredStack } from '../../src/model/desired.js';
import type { PlanInputs } from '../../src/plan/index.js';
import { toPlanStack, type PlanApplication, type PlanStack } from '../../src/plan/input.js';
import type { SecretCache } from '../../src/model/local.js';
import { desiredApp } from './builders.js';

const NS = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
/** A GUID derived from a name: `fakeId('appId', 'test--api')`. */
export const fakeId = (...parts: string[]) => uuidv5(parts.join('/'), NS);

/** A fixed "now" for plans, so secret expiry is deterministic. */
export const NOW = Date.parse('2025-06-01T00:00:00Z');
const DAY = 86_400_000;

export const TENANT: LiveTenant = {
  id: fakeId('tenant'),
  displayName: 'Test',
  tenantType: 'AAD',
  subdomain: 'contoso',
  verifiedDomains: ['contoso.onmicrosoft.com'],
};
export const PLAN_TENANT: PlanInputs['tenant'] = { id: TENANT.id, kind: 'remote', identity: 'tests (00000000-0000-0000-0000-000000000001)', type: 'AAD' };

/** A planner application (desired app + its stack's name). */
export function planApp(o: Parameters<typeof desiredApp>[0] = {}): PlanApplication {
  return { ...desiredApp(o), stack: o.stack ?? 'test' };
}

export function planStack(s: DesiredStack): PlanStack {
  return toPlanStack(s);
}

/** Ids a converged application has in Graph. */
export function idsFor(uniqueName: string) {
  return { objectId: fakeId('objectId', uniqueName), appId: fakeId('appId', uniqueName), spId: fakeId('spId', uniqueName) };
}

/** A live application; everything not given is absent (as a sparse Graph object). */
export function liveApp(
  o: { app?: LiveApplication['app']; servicePrincipal?: ServicePrincipal; assignments?: AppRoleAssignment[]; grants?: OAuth2PermissionGrant[] } = {},
): LiveApplication {
  return {
    app: o.app ?? { id: fakeId('objectId', 'x'), appId: fakeId('appId', 'x') },
    servicePrincipal: o.servicePrincipal,
    assignments: o.assignments ?? [],
    grants: o.grants ?? [],
    federatedCredentials: [],
  };
}

export function liveState(o: { tenant?: LiveTenant; applications?: Record<string, LiveApplication>; resources?: LiveState['resources'] } = {}): LiveState {
  const applications: Record<string, LiveApplication> = {};
  for (const [k, v] of Object.entries(o.applications ?? {})) applications[k.toLowerCase()] = v;
  return { tenant: o.tenant ?? TENANT, applications, resources: o.resources ?? {} };
}

/** A tenant API (e.g. Microsoft Graph) as its service principal. */
export function tenantSp(o: {
  displayName: string;
  appId?: string;
  roles?: Array<Partial<AppRole> & { value: string }>;
  scopes?: Array<Partial<PermissionScope> & { value: string }>;
}): ServicePrincipal {
  return {
    id: fakeId('spId', o.displayName),
    appId: o.appId ?? fakeId('appId', o.displayName),
    displayName: o.displayName,
    appRoles: (o.roles ?? []).map((r) => ({
      id: fakeId('role', o.displayName, r.value),
      allowedMemberTypes: ['Application'],
      isEnabled: true,
      displayName: r.value,
      description: r.value,
      ...r,
    })),
    oauth2PermissionScopes: (o.scopes ?? []).map((s) => ({ id: fakeId('scope', o.displayName, s.value), type: 'User', isEnabled: true, ...s })),
  };
}

/** The known value of a tool-created secret (its keyId is derived from app and name). */
export function knownSecret(uniqueName: string, name: string) {
  return { keyId: fakeId('keyId', uniqueName, name), value: `value-of-${uniqueName}-${name}` };
}

/** A passwordCredential as Graph lists it (no secretText). */
export function passwordCredential(o: { keyId?: string; displayName: string; endDateTime?: string }): PasswordCredential {
  return {
    keyId: o.keyId ?? fakeId('keyId', o.displayName),
    displayName: o.displayName,
    endDateTime: o.endDateTime ?? new Date(NOW + 90 * DAY).toISOString(),
    hint: 'abc',
  };
}

/**
 * The tenant exactly as the stacks ask: every app, SP, permission, consent and secret in place, with the
 * secret values in the cache. `resources` are tenant APIs the permissions may name.
 */
export function convergedLive(stacks: PlanStack[], resources: Record<string, ServicePrincipal> = {}): { state: LiveState; secrets: SecretCache } {
  const applications: Record<string, LiveApplication> = {};
  const secrets: SecretCache = {};
  const resourceOf = (stack: PlanStack, p: PlanApplication['permissions'][number]) => {
    if (p.api.kind === 'tenant') {
      const sp = resources[p.api.name];
      return { appId: String(sp.appId), spId: String(sp.id), roles: sp.appRoles ?? [], scopes: sp.oauth2PermissionScopes ?? [] };
    }
    const key = p.api.key;
    const target = stack.applications.find((a) => a.key === key)!;
    const ids = idsFor(target.uniqueName);
    return { appId: ids.appId, spId: ids.spId, roles: target.appRoles as AppRole[], scopes: target.oauth2PermissionScopes as PermissionScope[] };
  };
  for (const stack of stacks) {
    for (const d of stack.applications) {
      const ids = idsFor(d.uniqueName);
      const rra: RequiredResourceAccess[] = d.permissions.map((p) => {
        const r = resourceOf(stack, p);
        return {
          resourceAppId: r.appId,
          resourceAccess: [
            ...p.roles.map((v) => ({ id: r.roles.find((x) => x.value === v)!.id, type: 'Role' })),
            ...p.scopes.map((v) => ({ id: r.scopes.find((x) => x.value === v)!.id, type: 'Scope' })),
          ],
        };
      });
      const assignments: AppRoleAssignment[] = d.permissions.flatMap((p) => {
        if (!p.adminConsent) return [];
        const r = resourceOf(stack, p);
        return p.roles.map((v) => ({
          id: fakeId('assignment', d.uniqueName, r.spId, v),
          principalId: ids.spId,
          resourceId: r.spId,
          appRoleId: r.roles.find((x) => x.value === v)!.id,
        }));
      });
      const grants: OAuth2PermissionGrant[] = d.permissions.flatMap((p) => {
        if (!p.adminConsent || !p.scopes.length) return [];
        const r = resourceOf(stack, p);
        return [{ id: fakeId('grant', d.uniqueName, r.spId), clientId: ids.spId, consentType: 'AllPrincipals', resourceId: r.spId, scope: p.scopes.join(' ') }];
      });
      for (const s of d.secrets) ((secrets[stack.name] ??= {})[d.key] ??= {})[s.name] = knownSecret(d.uniqueName, s.name);
      applications[d.uniqueName.toLowerCase()] = {
        app: {
          id: ids.objectId,
          appId: ids.appId,
          uniqueName: d.uniqueName,
          displayName: d.displayName,
          description: d.description,
          signInAudience: d.signInAudience,
          identifierUris: identifierUrisFor(d, ids.appId),
          api: { requestedAccessTokenVersion: d.requestedAccessTokenVersion, oauth2PermissionScopes: d.oauth2PermissionScopes as PermissionScope[] },
          appRoles: d.appRoles as AppRole[],
          optionalClaims: d.optionalClaims,
          tags: [d.ownershipTag],
          passwordCredentials: d.secrets.map((s) => passwordCredential({ keyId: knownSecret(d.uniqueName, s.name).keyId, displayName: secretDisplayName(s) })),
          requiredResourceAccess: rra,
        },
        servicePrincipal: {
          id: ids.spId,
          appId: ids.appId,
          displayName: d.displayName,
          appRoleAssignmentRequired: d.servicePrincipal.appRoleAssignmentRequired,
          tags: servicePrincipalTags(d),
          appRoles: d.appRoles as AppRole[],
          oauth2PermissionScopes: d.oauth2PermissionScopes as PermissionScope[],
        },
        assignments,
        grants,
        federatedCredentials: [],
      };
    }
  }
  return {
    state: liveState({ applications, resources: Object.fromEntries(Object.entries(resources).map(([k, sp]) => [k, { servicePrincipal: sp }])) }),
    secrets,
  };
}

/** Complete planFromInputs inputs with defaults (fixed tenant and time, no outputs). */
export function planInputs(o: Partial<PlanInputs> & { stacks: PlanStack[] }): PlanInputs {
  return { live: liveState(), secrets: {}, tenant: PLAN_TENANT, now: NOW, ...o };
}

/** Freeze an object graph, so any mutation by the code under test throws (ES modules are strict). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** Apply a function to a structured clone, for "same as converged, except…" live states. */
export function edit<T>(value: T, change: (draft: T) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}
