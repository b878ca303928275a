import type { AppRoleAssignment, OAuth2PermissionGrant } from '@microsoft/microsoft-graph-types';
import type { Change, ResourceRef } from '../plan/types.js';
import { paths } from '../graph/paths.js';
import { ASSIGN_WRITE, call, GRANT_WRITE, idsOf, type ApplyContext, lookUp } from './context.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

function resourceSpId(ctx: ApplyContext, r: ResourceRef): string {
  return r.kind === 'tenant' ? r.servicePrincipalId : idsOf(ctx, r.app, 'servicePrincipalId');
}

/**
 * Admin consent for an application permission = an app role assignment on the resource's SP
 * (https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto). Not idempotent:
 * before any retry we look it up, since a "not replicated" 400 and a duplicate 400 share a code.
 */
export async function createAssignment(ctx: ApplyContext, c: Of<'create-app-role-assignment'>): Promise<void> {
  const principalId = idsOf(ctx, c.app, 'servicePrincipalId');
  const resourceId = resourceSpId(ctx, c.resource);
  const action = `grant ${c.role} on ${c.resource.display} to ${ctx.refs.get(c.app)!.uniqueName}`;
  const reconcile = async () => {
    const res = await lookUp(ctx, paths.assignmentsOf(principalId), action);
    const found =
      res.status === 200 && ((res.body as { value?: AppRoleAssignment[] }).value ?? []).find((a) => a.resourceId === resourceId && a.appRoleId === c.appRoleId);
    return found ? { status: 201, headers: {}, body: found } : undefined;
  };
  await call(
    ctx,
    'create-assignment',
    { method: 'POST', path: paths.assignedTo(resourceId), body: { principalId, resourceId, appRoleId: c.appRoleId } },
    { action, needs: ASSIGN_WRITE, reconcile },
  );
}

export async function deleteAssignment(ctx: ApplyContext, c: Of<'delete-app-role-assignment'>): Promise<void> {
  await call(
    ctx,
    'write',
    { method: 'DELETE', path: paths.assignment(c.resourceId, c.assignmentId) },
    {
      action: `revoke ${c.role} from ${ctx.refs.get(c.app)!.uniqueName}`,
      needs: ASSIGN_WRITE,
      ok: (res) => res.status === 404, // already gone
    },
  );
}

/**
 * Consent for delegated permissions: one tenant-wide (AllPrincipals) grant per client and API, or — with `user` — one
 * per-user (Principal) grant for that user (https://learn.microsoft.com/graph/api/oauth2permissiongrant-post).
 */
export async function createGrant(ctx: ApplyContext, c: Of<'create-delegated-grant'>): Promise<void> {
  const clientId = idsOf(ctx, c.app, 'servicePrincipalId');
  const resourceId = resourceSpId(ctx, c.resource);
  const mine = (g: OAuth2PermissionGrant) =>
    c.user ? g.consentType === 'Principal' && g.principalId?.toLowerCase() === c.user.id : g.consentType === 'AllPrincipals';
  const reconcile = async () => {
    const res = await lookUp(ctx, paths.grantsBetween(clientId, resourceId), `grant ${c.scope}`);
    const found = res.status === 200 && ((res.body as { value?: OAuth2PermissionGrant[] }).value ?? []).find(mine);
    return found ? { status: 201, headers: {}, body: found } : undefined;
  };
  const consent = c.user ? { consentType: 'Principal', principalId: c.user.id } : { consentType: 'AllPrincipals' };
  await call(
    ctx,
    'create-grant',
    { method: 'POST', path: paths.grants, body: { clientId, ...consent, resourceId, scope: c.scope } },
    {
      action: `grant ${c.scope} on ${c.resource.display} to ${ctx.refs.get(c.app)!.uniqueName}${c.user ? ` for ${c.user.userPrincipalName}` : ''}`,
      needs: GRANT_WRITE,
      reconcile,
    },
  );
}

export async function updateGrant(ctx: ApplyContext, c: Of<'update-delegated-grant'>): Promise<void> {
  await call(
    ctx,
    'write',
    { method: 'PATCH', path: paths.grant(c.grantId), body: { scope: c.scope } },
    { action: `update delegated grant ${c.grantId}`, needs: GRANT_WRITE },
  );
}

export async function deleteGrant(ctx: ApplyContext, c: Of<'delete-delegated-grant'>): Promise<void> {
  await call(
    ctx,
    'write',
    { method: 'DELETE', path: paths.grant(c.grantId) },
    { action: `revoke delegated grant ${c.grantId}`, needs: GRANT_WRITE, ok: (r) => r.status === 404 },
  );
}
