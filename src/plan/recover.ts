/**
 * Applying a stack whose applications are in the recycle bin. Graph keeps a deleted application's
 * uniqueName reserved for 30 days, so an upsert by that name answers "…uniqueName already exists" (and
 * the retry table would wait for a replica that never comes). The first read round finds such holders
 * (graph/reader.ts); gather reads their deleted service principals (graph/deleted.ts); this decides, before any write:
 *   - restore: POST /directory/deletedItems/{id}/restore, then plan against the restored object;
 *   - purge:   DELETE /directory/deletedItems/{id} (and its deleted service principal), then create anew.
 * Without a choice it stops with SOFT_DELETED and says how to choose. Holders the stack does not own
 * are never touched (CONFLICT).
 */
import type { ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import type { DeletedHolder, LiveState } from '../model/live.js';
import { ownerOf, type DesiredStack } from '../model/desired.js';
import { purge } from './destroy.js';
import { orderChanges } from './order.js';

const HOLDER_PURGE = 'it holds the uniqueName in the recycle bin and --purge-deleted was given';
import { appRef, type Change, type Plan } from './types.js';

export type { DeletedHolder };

/** Desired applications that do not exist but whose uniqueName a deleted application holds. */
export function deletedHolders(stacks: DesiredStack[], live: LiveState): DeletedHolder[] {
  return stacks.flatMap((s) =>
    s.applications.flatMap((a) => {
      const u = a.uniqueName.toLowerCase();
      const app = live.applications[u] ? undefined : live.deletedApplications?.[u];
      return app ? [{ stack: s.name, key: a.key, uniqueName: a.uniqueName, app }] : [];
    }),
  );
}

/** Refuse holders we may not touch, and ask for a decision on ours. Throws; returns nothing to do otherwise. */
export function checkHolders(holders: DeletedHolder[], mode: 'restore' | 'purge' | undefined): void {
  for (const h of holders) {
    const owner = ownerOf(h.app.tags);
    const meta = { uniqueName: h.uniqueName, deletedId: h.app.id, appId: h.app.appId, deletedDateTime: h.app.deletedDateTime, owner };
    if (owner !== h.stack) {
      throw new TenantformError(
        'CONFLICT',
        `A deleted application "${h.app.displayName}" (appId ${h.app.appId}, deleted ${h.app.deletedDateTime ?? 'recently'}) holds uniqueName ${h.uniqueName}, and ${owner ? `it belongs to stack "${owner}"` : 'tenantform does not own it'}. Graph keeps the name reserved until the object is purged (30 days, or DELETE /directory/deletedItems/${h.app.id} by an administrator). Choose another stack name or --stack-suffix.`,
        meta,
      );
    }
  }
  if (holders.length && !mode) {
    const list = holders.map((h) => `${h.uniqueName} (appId ${h.app.appId}, deleted ${h.app.deletedDateTime ?? 'recently'})`).join(', ');
    throw new TenantformError(
      'SOFT_DELETED',
      `The stack's application${holders.length === 1 ? ' is' : 's are'} in the recycle bin (directory/deletedItems): ${list}. Graph keeps ${holders.length === 1 ? 'its uniqueName' : 'their uniqueNames'} reserved. Re-run with --restore-deleted to restore and reuse ${holders.length === 1 ? 'it' : 'them'}, or with --purge-deleted to delete ${holders.length === 1 ? 'it' : 'them'} permanently and create ${holders.length === 1 ? 'it' : 'them'} anew (tenantform destroy --purge does the same).`,
      { holders: holders.map((h) => ({ uniqueName: h.uniqueName, deletedId: h.app.id, appId: h.app.appId, deletedDateTime: h.app.deletedDateTime })) },
    );
  }
}

/**
 * The recovery changes and the live state to plan against: after a restore the application (and its
 * service principal) exist again as they were deleted, without assignments or grants (destroy removed
 * them; if Graph brings some back, creating them again reconciles with what exists).
 */
export function recoveryPlan(
  holders: DeletedHolder[],
  sps: Record<string, ServicePrincipal>,
  live: LiveState,
  mode: 'restore' | 'purge',
): { live: LiveState; changes: Change[] } {
  const applications = { ...live.applications };
  const changes: Change[] = [];
  for (const h of holders) {
    const ref = appRef(h.stack, h.key);
    const sp = sps[String(h.app.appId)];
    if (mode === 'restore') {
      const { deletedDateTime, ...app } = h.app;
      changes.push({
        id: `restore:${ref}`,
        action: 'restore-deleted-application',
        app: ref,
        uniqueName: h.uniqueName,
        objectId: String(h.app.id),
        appId: String(h.app.appId),
        servicePrincipalId: sp ? String(sp.id) : null,
        deletedDateTime: deletedDateTime ?? null,
        wave: 0,
        dependsOn: [],
        reason: 'it is in the recycle bin and --restore-deleted was given',
      });
      const { deletedDateTime: _spDeleted, ...liveSp } = sp ?? {};
      applications[h.uniqueName.toLowerCase()] = {
        app,
        servicePrincipal: sp ? (liveSp as ServicePrincipal) : undefined,
        assignments: [],
        grants: [],
        federatedCredentials: [],
      };
    } else {
      changes.push(purge(ref, 'application', h.app, [], HOLDER_PURGE));
      if (sp) changes.push(purge(ref, 'servicePrincipal', sp, [], HOLDER_PURGE));
    }
  }
  return { live: { ...live, applications }, changes };
}

/** The plan with the recovery changes first: every other change waits for them. Inputs are not mutated. */
export function withRecovery(plan: Plan, recovery: Change[]): Plan {
  if (!recovery.length) return plan;
  const ids = recovery.map((c) => c.id);
  return { ...plan, changes: orderChanges([...recovery, ...plan.changes.map((c) => ({ ...c, dependsOn: [...c.dependsOn, ...ids] }) as Change)]) };
}
