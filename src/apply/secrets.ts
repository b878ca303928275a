import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { Change } from '../plan/types.js';
import { APP_WRITE, call, idsOf, type ApplyContext } from './context.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

/**
 * addPassword returns the secret once (https://learn.microsoft.com/graph/api/application-addpassword);
 * it goes to the 0600 cache at once, before anything else can fail, so it is never lost.
 */
export async function addSecret(ctx: ApplyContext, c: Of<'add-secret'>, stack: string, appKey: string): Promise<void> {
  const id = idsOf(ctx, c.app, 'objectId');
  const endDateTime = new Date(Date.now() + c.lifetimeMs).toISOString();
  const res = await call(ctx, 'add-password', { method: 'POST', path: `/applications/${id}/addPassword`, body: { passwordCredential: { displayName: c.displayName, endDateTime } } }, {
    action: `add client secret "${c.name}" to ${ctx.refs.get(c.app)!.uniqueName}`,
    needs: APP_WRITE,
  });
  const cred = res.body as PasswordCredential;
  await ctx.secrets.set(stack, appKey, c.name, { keyId: String(cred.keyId), value: String(cred.secretText) });
}

export async function removeSecret(ctx: ApplyContext, c: Of<'remove-secret'>): Promise<void> {
  await call(ctx, 'write', { method: 'POST', path: `/applications/${idsOf(ctx, c.app, 'objectId')}/removePassword`, body: { keyId: c.keyId } }, {
    action: `remove old client secret ${c.keyId} of ${ctx.refs.get(c.app)!.uniqueName}`,
    needs: APP_WRITE,
  });
}
