import { waitUntil } from '../graph/retry.js';
import { paths } from '../graph/paths.js';
import type { Change } from '../plan/types.js';
import { APP_WRITE, asApp, asSp, call, fillPlaceholders, idsOf, timeout, waitOptions, type ApplyContext } from './context.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

/**
 * Upsert by uniqueName (https://learn.microsoft.com/graph/api/application-upsert): 201 returns the new
 * app; 204 means it already existed (e.g. a previous run crashed after creating it), so read its ids.
 */
export async function createApplication(ctx: ApplyContext, c: Of<'create-application'>): Promise<void> {
  const { uniqueName: _u, ...body } = c.after;
  const path = paths.applicationByUniqueName(c.uniqueName);
  const res = await call(
    ctx,
    'upsert',
    { method: 'PATCH', path, body, headers: { Prefer: 'create-if-missing' } },
    { action: `create application ${c.uniqueName}`, needs: APP_WRITE },
  );
  const ids = ctx.refs.get(c.app)!;
  if (res.status === 201) {
    const app = asApp(res);
    Object.assign(ids, { objectId: app.id, appId: app.appId });
    return;
  }
  const read = await call(
    ctx,
    'read-after-write',
    { method: 'GET', path: paths.applicationByUniqueName(c.uniqueName, 'id,appId') },
    { action: `read application ${c.uniqueName}` },
  );
  Object.assign(ids, { objectId: asApp(read).id, appId: asApp(read).appId });
}

export async function updateApplication(ctx: ApplyContext, c: Of<'update-application'> | Of<'configure-application'>): Promise<void> {
  const body = fillPlaceholders(ctx, c.app, c.after);
  await call(
    ctx,
    'write',
    { method: 'PATCH', path: paths.application(idsOf(ctx, c.app, 'objectId')), body },
    { action: `update application ${c.uniqueName}`, needs: APP_WRITE },
  );
}

/** The pre-authorization write: retried while the scopes it names have not replicated (graph/retry.ts). */
export async function preAuthorizeApplications(ctx: ApplyContext, c: Of<'pre-authorize-applications'>): Promise<void> {
  const body = fillPlaceholders(ctx, c.app, c.after);
  await call(
    ctx,
    'write-pre-authorization',
    { method: 'PATCH', path: paths.application(idsOf(ctx, c.app, 'objectId')), body },
    { action: `pre-authorize clients of ${c.uniqueName}`, needs: APP_WRITE },
  );
}

/**
 * Disable the roles/scopes about to change, then wait until a read shows them disabled: the final
 * write is refused with CannotDeleteOrUpdateEnabledEntitlement until the disable has replicated.
 */
export async function disableEntitlements(ctx: ApplyContext, c: Of<'disable-entitlements'>): Promise<void> {
  const id = idsOf(ctx, c.app, 'objectId');
  await call(
    ctx,
    'write',
    { method: 'PATCH', path: paths.application(id), body: c.after },
    { action: `disable app roles/scopes of ${c.uniqueName}`, needs: APP_WRITE },
  );
  await waitUntil<void>(
    'entitlements-read-back',
    async () => {
      const res = await call(
        ctx,
        'read-after-write',
        { method: 'GET', path: paths.application(id, 'appRoles,api') },
        { action: `read application ${c.uniqueName}` },
      );
      const app = asApp(res);
      const enabled = new Set([
        ...(app.appRoles ?? []).filter((r) => r.isEnabled).map((r) => r.value),
        ...(app.api?.oauth2PermissionScopes ?? []).filter((s) => s.isEnabled).map((s) => s.value),
      ]);
      if (![...c.roles, ...c.scopes].some((v) => enabled.has(v))) return { done: undefined };
      return {
        again: {
          why: `the disabled roles/scopes of ${c.uniqueName} have not replicated yet`,
          pastDeadline: () => {
            throw timeout(`the disabled roles/scopes of ${c.uniqueName}`);
          },
        },
      };
    },
    waitOptions(ctx, `disable app roles/scopes of ${c.uniqueName}`),
  );
}

/** Upsert the service principal by appId (https://learn.microsoft.com/graph/api/serviceprincipal-upsert). */
export async function createServicePrincipal(ctx: ApplyContext, c: Of<'create-service-principal'>): Promise<void> {
  const appId = idsOf(ctx, c.app, 'appId');
  const path = paths.servicePrincipalByAppId(appId);
  const res = await call(
    ctx,
    'create-service-principal',
    { method: 'PATCH', path, body: c.after, headers: { Prefer: 'create-if-missing' } },
    {
      action: `create the service principal of ${ctx.refs.get(c.app)!.uniqueName}`,
      needs: APP_WRITE,
    },
  );
  const ids = ctx.refs.get(c.app)!;
  if (res.status === 201) {
    ids.servicePrincipalId = asSp(res).id ?? undefined;
    return;
  }
  const read = await call(
    ctx,
    'read-after-write',
    { method: 'GET', path: paths.servicePrincipalByAppId(appId, 'id') },
    { action: `read the service principal of ${ids.uniqueName}` },
  );
  ids.servicePrincipalId = asSp(read).id ?? undefined;
}

export async function updateServicePrincipal(ctx: ApplyContext, c: Of<'update-service-principal'>): Promise<void> {
  await call(
    ctx,
    'write',
    { method: 'PATCH', path: paths.servicePrincipal(idsOf(ctx, c.app, 'servicePrincipalId')), body: c.after },
    {
      action: `update the service principal of ${ctx.refs.get(c.app)!.uniqueName}`,
      needs: APP_WRITE,
    },
  );
}
