import type { FederatedIdentityCredential } from '@microsoft/microsoft-graph-types';
import type { Change } from '../plan/types.js';
import { paths } from '../graph/paths.js';
import { APP_WRITE, call, idsOf, type ApplyContext, lookUp } from './context.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

/**
 * POST …/federatedIdentityCredentials → 201 (https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials).
 * Not idempotent, so before any retry we look it up by name (its alternate key): a first attempt that did
 * reach Graph must not turn into a 409 "already exists".
 */
export async function createFederatedCredential(ctx: ApplyContext, c: Of<'create-federated-credential'>): Promise<void> {
  const objectId = idsOf(ctx, c.app, 'objectId');
  const reconcile = async () => {
    const res = await lookUp(ctx, paths.federatedCredentialNamed(objectId, c.name), `add federated credential "${c.name}"`);
    const found = res.status === 200 && ((res.body as { value?: FederatedIdentityCredential[] }).value ?? [])[0];
    return found ? { status: 201, headers: {}, body: found } : undefined;
  };
  await call(
    ctx,
    'create-federated-credential',
    { method: 'POST', path: paths.federatedCredentials(objectId), body: c.after },
    {
      action: `add federated credential "${c.name}" to ${ctx.refs.get(c.app)!.uniqueName}`,
      needs: APP_WRITE,
      reconcile,
    },
  );
}

/** PATCH by id → 204; the name is immutable and not sent (https://learn.microsoft.com/graph/api/federatedidentitycredential-update). */
export async function updateFederatedCredential(ctx: ApplyContext, c: Of<'update-federated-credential'>): Promise<void> {
  const { name: _immutable, ...body } = c.after;
  await call(
    ctx,
    'write',
    { method: 'PATCH', path: paths.federatedCredential(idsOf(ctx, c.app, 'objectId'), c.ficId), body },
    {
      action: `update federated credential "${c.name}" of ${ctx.refs.get(c.app)!.uniqueName}`,
      needs: APP_WRITE,
    },
  );
}

export async function deleteFederatedCredential(ctx: ApplyContext, c: Of<'delete-federated-credential'>): Promise<void> {
  await call(
    ctx,
    'write',
    { method: 'DELETE', path: paths.federatedCredential(idsOf(ctx, c.app, 'objectId'), c.ficId) },
    {
      action: `delete federated credential "${c.name}" of ${ctx.refs.get(c.app)!.uniqueName}`,
      needs: APP_WRITE,
      ok: (r) => r.status === 404, // already gone
    },
  );
}
