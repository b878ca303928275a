/**
 * decide: `createPlan(snapshot)` is the one entry to the planner — a pure function of a Snapshot (gathered by
 * gather/), called once per command. It never mutates its input and does no I/O; the plan it returns is plain
 * data that apply/ executes.
 */
import { TenantformError } from '../errors.js';
import { ownerOf, type DesiredStack } from '../model/desired.js';
import type { LiveState } from '../model/live.js';
import type { ApplySnapshot, Snapshot, TenantFacts } from '../model/snapshot.js';
import { createDestroyPlan } from './destroy.js';
import { diffStacks, planFromInputs, type PlanInputs } from './diff.js';
import { createImportPlan } from './import.js';
import { credentialsInUse } from './in-use.js';
import { toPlanStack } from './input.js';
import { orderChanges } from './order.js';
import { plannedOutputs } from './outputs.js';
import { checkHolders, deletedHolders, recoveryPlan, withRecovery } from './recover.js';
import type { Change, Plan } from './types.js';

export function createPlan(s: Snapshot): Plan {
  switch (s.operation) {
    case 'apply': {
      const plan = s.customer ? planCustomer(s, s.customer.homeTenantId) : planApply(s);
      return { ...plan, warnings: [...s.manifestWarnings, ...plan.warnings] };
    }
    case 'destroy':
      return createDestroyPlan({ state: s.owned, purge: s.purge, tenant: planTenant(s.tenant), now: s.now });
    case 'import':
      return createImportPlan(s);
  }
}

/** The tenant as a plan shows it (the authority host is an output detail, not part of the plan). */
export function planTenant(t: TenantFacts): Plan['tenant'] {
  return { id: t.id, kind: t.kind, identity: t.identity, type: t.type };
}

function planApply(s: ApplySnapshot): Plan {
  // Soft-deleted holders of our uniqueNames: refuse, or plan against their restore or purge (plan/recover.ts).
  const holders = deletedHolders(s.stacks, s.live);
  checkHolders(holders, s.flags.deletedApps);
  const recovery =
    holders.length && s.flags.deletedApps
      ? recoveryPlan(holders, s.deletedServicePrincipals ?? {}, s.live, s.flags.deletedApps)
      : { live: s.live, changes: [] };
  const live = recovery.live;
  checkOwnership(s.stacks, live);
  const inputs: PlanInputs = {
    ...inputsOf(s, live),
    // Credentials (docs/credentials.md): local knowledge, and which credentials the output files hold now.
    certificates: s.local.certificates,
    inUse: credentialsInUse(s.stacks, live, s.local.outputs),
  };
  const diff = diffStacks(inputs);
  const outputs = plannedOutputs({ ...s, live }, diff.changes);
  return withRecovery(planFromInputs({ ...inputs, outputs }, diff), recovery.changes);
}

/** What a customer tenant gets (`--home-tenant`): service principals and consent; never applications, credentials or files. */
const CUSTOMER_ACTIONS = new Set<Change['action']>([
  'create-service-principal',
  'update-service-principal',
  'create-app-role-assignment',
  'delete-app-role-assignment',
  'create-delegated-grant',
  'update-delegated-grant',
  'delete-delegated-grant',
]);

function planCustomer(s: ApplySnapshot, homeTenantId: string): Plan {
  const full = planFromInputs(inputsOf(s, s.live));
  return {
    ...full,
    changes: orderChanges(full.changes.filter((c) => CUSTOMER_ACTIONS.has(c.action))),
    warnings: [...full.warnings, `customer tenant of ${homeTenantId}: only service principals and admin consent are managed here`],
  };
}

function inputsOf(s: ApplySnapshot, live: LiveState): PlanInputs {
  return {
    stacks: s.stacks.map(toPlanStack),
    live,
    secrets: s.local.secrets,
    tenant: planTenant(s.tenant),
    permissions: s.tenant.permissions,
    now: s.now,
    rotateSecrets: s.flags.rotateSecrets,
    rotateCertificates: s.flags.rotateCertificates,
  };
}

/** An application we would manage must carry our stack's ownership marker; anything else is not ours. */
function checkOwnership(stacks: DesiredStack[], live: LiveState): void {
  for (const s of stacks) {
    for (const a of s.applications) {
      const l = live.applications[a.uniqueName.toLowerCase()];
      if (!l) continue;
      const owner = ownerOf(l.app.tags);
      if (owner !== s.name) {
        throw new TenantformError(
          'CONFLICT',
          `Application "${l.app.displayName}" (uniqueName ${a.uniqueName}, appId ${l.app.appId}) exists but ${owner ? `belongs to stack "${owner}"` : 'is not owned by tenantform'}. Choose another stack name, or adopt it with tenantform import.`,
          { uniqueName: a.uniqueName, appId: l.app.appId, owner },
        );
      }
    }
  }
}

export { appRef } from './types.js';
export { planFromInputs, type PlanInputs } from './diff.js';
export type { Plan, Change } from './types.js';
