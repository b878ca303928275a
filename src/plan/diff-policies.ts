/**
 * Conditional access policies of a stack: desired (the manifest) against the live policies carrying the stack's
 * marker (model/policies.ts). Only marked policies are ever changed or deleted. A policy waits for the
 * applications and service principals it names: conditional access refuses an app it cannot see yet.
 * https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy
 */
import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import { formatLocation, TenantformError } from '../errors.js';
import type { LiveState } from '../model/live.js';
import { parsePolicyMarker, policyDescription, policyRef, type DesiredPolicy, type PolicyAppRef } from '../model/policies.js';
import type { PlanStack } from './input.js';
import { appRef, type Change, type FieldChange } from './types.js';
import { GUID } from '../model/guid.js';

/** The request body tenantform writes: the whole of `conditions` and `grantControls` (PATCH replaces each as a whole). */
export function policyBody(
  stack: string,
  p: DesiredPolicy,
  appIdOf: (r: PolicyAppRef) => string,
  userIdOf: (u: string) => string = (u) => u,
): Record<string, unknown> {
  return {
    displayName: p.displayName,
    description: policyDescription(stack, p),
    state: p.state,
    conditions: {
      clientAppTypes: [...p.clientAppTypes],
      applications: { includeApplications: p.applications.include.map(appIdOf), excludeApplications: p.applications.exclude.map(appIdOf) },
      // Graph takes user object ids; a userPrincipalName of the manifest was looked up at gather time.
      users: { ...p.users, includeUsers: p.users.includeUsers.map(userIdOf), excludeUsers: p.users.excludeUsers.map(userIdOf) },
    },
    grantControls: { operator: p.grant.operator, builtInControls: [...p.grant.builtInControls] },
  };
}

const set = (xs: readonly unknown[] | null | undefined) => [...(xs ?? [])].map((x) => String(x).toLowerCase()).sort();

/** The parts tenantform manages, canonical for comparison (Graph reorders lists; ids and keywords compare case-insensitively). */
function canonical(p: ConditionalAccessPolicy | Record<string, unknown>) {
  const c = p as ConditionalAccessPolicy;
  const users = c.conditions?.users;
  const apps = c.conditions?.applications;
  return {
    displayName: c.displayName ?? null,
    description: c.description ?? null,
    state: c.state ?? null,
    users: {
      includeUsers: set(users?.includeUsers),
      excludeUsers: set(users?.excludeUsers),
      includeGroups: set(users?.includeGroups),
      excludeGroups: set(users?.excludeGroups),
      includeRoles: set(users?.includeRoles),
      excludeRoles: set(users?.excludeRoles),
    },
    applications: { include: set(apps?.includeApplications), exclude: set(apps?.excludeApplications) },
    clientAppTypes: set(c.conditions?.clientAppTypes),
    grant: { operator: String(c.grantControls?.operator ?? 'OR').toUpperCase(), controls: set(c.grantControls?.builtInControls) },
  };
}

const present = (v: unknown) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);

/** Settings a live policy has that the manifest cannot express (set in the admin center); the next write clears them. */
function outsideSettings(p: ConditionalAccessPolicy): string[] {
  const out: string[] = [];
  const c = (p.conditions ?? {}) as Record<string, unknown>;
  for (const k of [
    'userRiskLevels',
    'signInRiskLevels',
    'servicePrincipalRiskLevels',
    'insiderRiskLevels',
    'platforms',
    'locations',
    'devices',
    'clientApplications',
    'authenticationFlows',
  ]) {
    if (present(c[k])) out.push(`conditions.${k}`);
  }
  const apps = (p.conditions?.applications ?? {}) as Record<string, unknown>;
  for (const k of ['includeUserActions', 'includeAuthenticationContextClassReferences', 'applicationFilter'])
    if (present(apps[k])) out.push(`conditions.applications.${k}`);
  const users = (p.conditions?.users ?? {}) as Record<string, unknown>;
  for (const k of ['includeGuestsOrExternalUsers', 'excludeGuestsOrExternalUsers']) if (present(users[k])) out.push(`conditions.users.${k}`);
  const grant = (p.grantControls ?? {}) as Record<string, unknown>;
  for (const k of ['customAuthenticationFactors', 'termsOfUse', 'authenticationStrength']) if (present(grant[k])) out.push(`grantControls.${k}`);
  if (present(p.sessionControls)) out.push('sessionControls');
  return out;
}

function fieldChanges(live: ConditionalAccessPolicy, after: Record<string, unknown>): FieldChange[] {
  const before = canonical(live);
  const want = canonical(after);
  const fields: FieldChange[] = [];
  for (const k of Object.keys(want) as Array<keyof typeof want>) {
    if (JSON.stringify(before[k]) !== JSON.stringify(want[k])) fields.push({ field: k, before: before[k], after: want[k] });
  }
  const outside = outsideSettings(live);
  if (outside.length) fields.push({ field: 'settings outside the manifest', before: outside, after: [] });
  return fields;
}

/** The live policies of this stack, by key; a second policy with the same marker (made by hand) is an extra to delete. */
function livePolicies(stack: string, live: LiveState): { byKey: Map<string, ConditionalAccessPolicy>; extras: ConditionalAccessPolicy[] } {
  const all = live.conditionalAccess && 'policies' in live.conditionalAccess ? live.conditionalAccess.policies : [];
  const byKey = new Map<string, ConditionalAccessPolicy>();
  const extras: ConditionalAccessPolicy[] = [];
  const oldestFirst = [...all].sort(
    (a, b) => String(a.createdDateTime ?? '').localeCompare(String(b.createdDateTime ?? '')) || String(a.id).localeCompare(String(b.id)),
  );
  for (const p of oldestFirst) {
    const mark = parsePolicyMarker(p.description);
    if (mark?.stack !== stack) continue;
    if (byKey.has(mark.key)) extras.push(p);
    else byKey.set(mark.key, p);
  }
  return { byKey, extras };
}

export function diffPolicies(stack: PlanStack, live: LiveState): Change[] {
  const changes: Change[] = [];
  const ours = new Set(stack.applications.flatMap((a) => live.applications[a.uniqueName.toLowerCase()]?.app.appId?.toLowerCase() ?? []));
  // An appId the gatherer looked up (gather/types.ts tenantResources): null when no service principal has it.
  const inTenant = (appId: string) => ours.has(appId) || !!live.resources[appId];
  const { byKey, extras } = livePolicies(stack.name, live);
  for (const p of stack.policies) {
    const deps = new Set<string>();
    const appIdOf = (r: PolicyAppRef): string => {
      if (r.kind === 'value') {
        if (GUID.test(r.value) && !inTenant(r.value)) {
          throw new TenantformError(
            'RESOLVE_FAILED',
            `${formatLocation(p.location)}: policy "${p.key}" names the application ${r.value}, which is not in the tenant (no service principal with that appId). Check the appId, or name the application by its manifest key.`,
            { location: p.location },
          );
        }
        return r.value;
      }
      const ref = appRef(stack.name, r.key);
      // Created by this plan or not: the policy waits for the app and its service principal when they are written now.
      deps.add(ref).add(`sp:${stack.name}/${r.key}`);
      const d = stack.applications.find((a) => a.key === r.key)!;
      const appId = live.applications[d.uniqueName.toLowerCase()]?.app.appId;
      return appId ? appId.toLowerCase() : `{appId:${ref}}`;
    };
    const userIdOf = (u: string) => live.users?.[u.toLowerCase()]?.id ?? u;
    const after = policyBody(stack.name, p, appIdOf, userIdOf);
    const ref = policyRef(stack.name, p.key);
    const current = byKey.get(p.key);
    byKey.delete(p.key);
    if (!current) {
      changes.push({
        id: ref,
        action: 'create-conditional-access-policy',
        policy: ref,
        displayName: p.displayName,
        after,
        wave: 0,
        dependsOn: [...deps],
        reason: `the stack has no policy "${p.key}" yet (state ${p.state})`,
      });
      continue;
    }
    const fields = fieldChanges(current, after);
    if (!fields.length) continue;
    // Settings made outside the manifest can only be cleared by sending sessionControls: null explicitly.
    const body = current.sessionControls ? { ...after, sessionControls: null } : after;
    changes.push({
      id: ref,
      action: 'update-conditional-access-policy',
      policy: ref,
      policyId: String(current.id),
      displayName: p.displayName,
      fields,
      after: body,
      wave: 0,
      dependsOn: [...deps],
      reason: `${fields.map((f) => f.field).join(', ')} differ from the manifest`,
    });
  }
  for (const [key, p] of byKey) changes.push(deletePolicy(stack.name, key, p, 'it is no longer in the manifest'));
  for (const p of extras) changes.push(deletePolicy(stack.name, parsePolicyMarker(p.description)!.key, p, 'a second policy carries the same marker'));
  return changes;
}

export function deletePolicy(stack: string, key: string, p: ConditionalAccessPolicy, reason: string): Change {
  return {
    id: `policy-delete:${stack}/${key}/${p.id}`,
    action: 'delete-conditional-access-policy',
    policy: policyRef(stack, key),
    policyId: String(p.id),
    displayName: String(p.displayName ?? ''),
    wave: 0,
    dependsOn: [],
    reason,
  };
}
