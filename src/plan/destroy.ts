/**
 * The destroy plan: a pure function of what the stacks own. It is the apply order reversed — consent
 * (grants, app role assignments) and credentials first, then service principals, then applications,
 * then (with purge) the recycle bin — expressed as deletion dependencies and ordered into waves by the
 * same orderChanges() as apply, so each wave only waits for what must be gone before it.
 */
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { DeletedObject, OwnedApp, OwnedState } from '../model/owned.js';
import { deletePolicy } from './diff-policies.js';
import { orderChanges } from './order.js';
import { PLAN_FORMAT_VERSION, type Change, type Plan } from './types.js';

export interface DestroyPlanInput {
  state: OwnedState;
  /** Also delete permanently from directory/deletedItems. */
  purge: boolean;
  tenant: Plan['tenant'];
  now: number;
}

export function createDestroyPlan(input: DestroyPlanInput): Plan {
  const { apps, deleted } = input.state;
  // Conditional access policies go first: nothing depends on them, and a policy must not outlive the apps it names.
  const changes: Change[] = (input.state.policies ?? []).map((p) =>
    deletePolicy(p.stack, p.key, p.policy, `stack "${p.stack}" owns it (marker in its description)`),
  );
  const policyDeletes = (stack: string) =>
    changes.filter((c) => c.action === 'delete-conditional-access-policy' && c.policy.startsWith(`policy:${stack}/`)).map((c) => c.id);
  const bySpId = new Map(apps.filter((a) => a.servicePrincipal).map((a) => [String(a.servicePrincipal!.id), a]));
  /** Deletions that must be done before the service principal with this id can go. */
  const beforeSp = new Map<string, string[]>();
  const blocks = (spId: string | null | undefined, id: string) =>
    spId && bySpId.has(spId) && (beforeSp.get(spId) ?? beforeSp.set(spId, []).get(spId)!).push(id);

  for (const a of apps) {
    const name = a.app.displayName ?? a.ref;
    const key = a.ref.slice(`app:${a.stack}/`.length);
    for (const g of a.grants) {
      const id = `grant-remove:${a.stack}/${key}/${g.id}`;
      changes.push({
        id,
        action: 'delete-delegated-grant',
        app: a.ref,
        grantId: String(g.id),
        before: String(g.scope ?? ''),
        wave: 0,
        dependsOn: [],
        reason: `consent given to "${name}" goes with it`,
      });
      blocks(g.clientId, id);
      blocks(g.resourceId, id);
    }
    for (const r of a.assignments) {
      const id = `assignment-remove:${a.stack}/${key}/${r.id}`;
      const resource = bySpId.get(String(r.resourceId));
      const role = resource?.app.appRoles?.find((x) => x.id === r.appRoleId)?.value ?? String(r.appRoleId);
      changes.push({
        id,
        action: 'delete-app-role-assignment',
        app: a.ref,
        assignmentId: String(r.id),
        resourceId: String(r.resourceId),
        ...(r.resourceDisplayName ? { resourceDisplayName: r.resourceDisplayName } : {}),
        appRoleId: String(r.appRoleId),
        role,
        wave: 0,
        dependsOn: [],
        reason: `"${name}" holds it on ${r.resourceDisplayName ?? r.resourceId}`,
      });
      blocks(r.principalId, id);
      blocks(r.resourceId, id);
    }
  }
  for (const a of apps) {
    const key = a.ref.slice(`app:${a.stack}/`.length);
    const secretIds = (a.app.passwordCredentials ?? []).map((p) => {
      const id = `secret-remove:${a.stack}/${key}/${p.keyId}`;
      changes.push({
        id,
        action: 'remove-secret',
        app: a.ref,
        keyId: String(p.keyId),
        displayName: String(p.displayName ?? ''),
        wave: 0,
        dependsOn: [],
        reason: 'no credential survives the application (a restore would bring it back)',
      });
      return id;
    });
    const appDelete = `app-delete:${a.stack}/${key}`;
    const deps = [...secretIds, ...policyDeletes(a.stack)];
    if (a.servicePrincipal) {
      const sp = a.servicePrincipal;
      const spDelete = `sp-delete:${a.stack}/${key}`;
      changes.push({
        id: spDelete,
        action: 'delete-service-principal',
        app: a.ref,
        servicePrincipalId: String(sp.id),
        displayName: String(sp.displayName ?? a.app.displayName ?? ''),
        wave: 0,
        dependsOn: [...(beforeSp.get(String(sp.id)) ?? []), ...policyDeletes(a.stack)],
        reason: `stack "${a.stack}" owns it`,
      });
      deps.push(spDelete);
      if (input.purge) changes.push(purge(a.ref, 'servicePrincipal', sp, [spDelete], 'deleted service principals stay in the recycle bin for 30 days'));
    }
    changes.push({
      id: appDelete,
      action: 'delete-application',
      app: a.ref,
      uniqueName: a.app.uniqueName ?? null,
      objectId: String(a.app.id),
      appId: String(a.app.appId),
      displayName: String(a.app.displayName ?? ''),
      wave: 0,
      dependsOn: deps,
      reason: `stack "${a.stack}" owns it (tag tenantform:stack=${a.stack})`,
    });
    if (input.purge) changes.push(purge(a.ref, 'application', a.app, [appDelete], 'frees its uniqueName and identifier URIs at once'));
  }
  if (input.purge) {
    for (const d of deleted) changes.push(purgeDeleted(d));
  }
  const stacks = [...new Set([...apps.map((a) => a.stack), ...deleted.map((d) => d.stack), ...(input.state.policies ?? []).map((p) => p.stack)])].sort();
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    operation: 'destroy',
    createdAt: new Date(input.now).toISOString(),
    tenant: input.tenant,
    stacks,
    changes: orderChanges(changes),
    warnings: [...input.state.warnings],
  };
}

/** Delete an object from the recycle bin for good (destroy --purge, apply --purge-deleted). */
export function purge(
  ref: string,
  objectType: 'application' | 'servicePrincipal',
  o: Application | ServicePrincipal,
  dependsOn: string[],
  reason: string,
): Change {
  return {
    id: `purge:${o.id}`,
    action: 'purge-deleted-object',
    app: ref,
    objectType,
    objectId: String(o.id),
    displayName: String(o.displayName ?? ''),
    wave: 0,
    dependsOn,
    reason,
  };
}

function purgeDeleted(d: DeletedObject): Change {
  const when = (d.value as { deletedDateTime?: string | null }).deletedDateTime;
  return purge(d.ref, d.type, d.value, [], `already in the recycle bin${when ? ` since ${when}` : ''}`);
}

/** Only for a sweep: the stacks whose applications (live and deleted) were all created before the cutoff. */
export function staleStacks(state: OwnedState, cutoff: number): Set<string> {
  const created = new Map<string, number>();
  const note = (stack: string, app: Application) => {
    const t = Date.parse(app.createdDateTime ?? '');
    created.set(stack, Math.max(created.get(stack) ?? -Infinity, Number.isFinite(t) ? t : Infinity));
  };
  for (const a of state.apps) note(a.stack, a.app);
  for (const d of state.deleted) if (d.type === 'application') note(d.stack, d.value as Application);
  for (const d of state.deleted) if (!created.has(d.stack)) created.set(d.stack, -Infinity);
  return new Set([...created].filter(([, newest]) => newest <= cutoff).map(([stack]) => stack));
}

/** The state restricted to some stacks (others are left alone). */
export function onlyStacks(state: OwnedState, keep: (stack: string) => boolean): OwnedState {
  return {
    ...state,
    apps: state.apps.filter((a) => keep(a.stack)),
    deleted: state.deleted.filter((d) => keep(d.stack)),
    policies: (state.policies ?? []).filter((p) => keep(p.stack)),
  };
}

export type { OwnedApp };
