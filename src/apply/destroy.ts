/**
 * Executors of the teardown and recycle-bin changes. Each is safe to re-run: a delete that finds the
 * object gone is done, a restore that finds the service principal already back is done.
 */
import { APP_WRITE, call, type ApplyContext } from './context.js';
import type { Change } from '../plan/types.js';
import { paths } from '../graph/paths.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

const gone = (res: { status: number }) => res.status === 404;

/** DELETE /servicePrincipals/{id} → 204; the SP goes to the recycle bin with its assignments and grants. */
export async function deleteServicePrincipal(ctx: ApplyContext, c: Of<'delete-service-principal'>): Promise<void> {
  await call(
    ctx,
    'delete',
    { method: 'DELETE', path: paths.servicePrincipal(c.servicePrincipalId) },
    { action: `delete service principal "${c.displayName}"`, needs: APP_WRITE, ok: gone },
  );
}

/**
 * DELETE /applications/{id} → 204 (https://learn.microsoft.com/graph/api/application-delete): a soft
 * delete; the app keeps its uniqueName reserved in directory/deletedItems for 30 days unless purged.
 */
export async function deleteApplication(ctx: ApplyContext, c: Of<'delete-application'>): Promise<void> {
  await call(
    ctx,
    'delete',
    { method: 'DELETE', path: paths.application(c.objectId) },
    { action: `delete application "${c.displayName}"`, needs: APP_WRITE, ok: gone },
  );
}

/**
 * DELETE /directory/deletedItems/{id} → 204 (https://learn.microsoft.com/graph/api/directory-deleteditems-delete).
 * The object was read in (or just sent to) the recycle bin, so a 404 means "not replicated yet" and is
 * retried as such. Purging an application does not purge its deleted service principal, which is why
 * the plan purges both (reference/graph-api.md §2).
 */
export async function purgeDeletedObject(ctx: ApplyContext, c: Of<'purge-deleted-object'>): Promise<void> {
  const what = c.objectType === 'application' ? 'application' : 'service principal';
  await call(ctx, 'write', { method: 'DELETE', path: paths.deletedItem(c.objectId) }, { action: `purge deleted ${what} "${c.displayName}"`, needs: APP_WRITE });
}

/**
 * POST /directory/deletedItems/{id}/restore → 200 (https://learn.microsoft.com/graph/api/directory-deleteditems-restore).
 * Restoring an app also restores its home service principal in the current service
 * (https://learn.microsoft.com/entra/identity/enterprise-apps/restore-application); older documentation said it
 * did not, so the SP is restored too when it is still in the recycle bin: 404 (already back with the
 * app) and 409 (an SP for the appId is live) both mean there is nothing left to do.
 */
export async function restoreDeletedApplication(ctx: ApplyContext, c: Of<'restore-deleted-application'>): Promise<void> {
  await call(
    ctx,
    'write',
    { method: 'POST', path: paths.restoreDeletedItem(c.objectId), body: {} },
    { action: `restore deleted application ${c.uniqueName}`, needs: APP_WRITE },
  );
  if (c.servicePrincipalId) {
    await call(
      ctx,
      'delete',
      { method: 'POST', path: paths.restoreDeletedItem(c.servicePrincipalId), body: {} },
      {
        action: `restore the deleted service principal of ${c.uniqueName}`,
        needs: APP_WRITE,
        ok: (res) => res.status === 404 || res.status === 409,
      },
    );
  }
  // The restored objects are the stack's again: the changes after this one address them by these ids.
  const known = ctx.refs.get(c.app);
  ctx.refs.set(c.app, {
    uniqueName: c.uniqueName,
    objectId: c.objectId,
    appId: c.appId,
    servicePrincipalId: c.servicePrincipalId ?? known?.servicePrincipalId,
  });
}
