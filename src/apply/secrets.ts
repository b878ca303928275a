import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import { paths } from '../graph/paths.js';
import type { Change } from '../plan/types.js';
import { APP_WRITE, call, idsOf, type ApplyContext, lookUp } from './context.js';
import { writeCredential } from './credential-write.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

/** Graph stamps startDateTime with its own clock: allow for ours being ahead. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * addPassword returns the secret once (https://learn.microsoft.com/graph/api/application-addpassword);
 * it goes to the 0600 cache at once, before anything else can fail, so it is never lost. (A crash inside
 * that window leaves a secret the cache does not know: the next plan removes it, see plan/rotation.ts.)
 * `onSecretValue` runs first: in GitHub Actions it masks the value before anything could print it.
 */
export async function addSecret(ctx: ApplyContext, c: Of<'add-secret'>, stack: string, appKey: string): Promise<void> {
  const id = idsOf(ctx, c.app, 'objectId');
  const started = Date.now();
  const endDateTime = new Date(started + c.lifetimeMs).toISOString();
  const current = ctx.secrets.get(stack, appKey, c.name)?.keyId;
  /**
   * addPassword is not idempotent and its secret is returned once: when an answer is lost (a 503, a reset) Graph
   * may have committed a secret whose value nobody holds. Before sending again, remove every secret of this name
   * that this attempt created (started since it began, not the one the cache holds), then add afresh.
   */
  const reconcile = async () => {
    const res = await lookUp(ctx, paths.application(id, 'passwordCredentials'), `add client secret "${c.name}"`);
    if (res.status !== 200) return undefined;
    const lost = ((res.body as { passwordCredentials?: PasswordCredential[] }).passwordCredentials ?? []).filter(
      (p) => p.displayName === c.displayName && p.keyId !== current && Date.parse(String(p.startDateTime)) >= started - CLOCK_SKEW_MS,
    );
    for (const p of lost) await removePassword(ctx, id, String(p.keyId), `remove the client secret "${c.name}" whose answer was lost`);
    return undefined;
  };
  await writeCredential({
    graph: async () => {
      const res = await call(
        ctx,
        'add-password',
        { method: 'POST', path: paths.addPassword(id), body: { passwordCredential: { displayName: c.displayName, endDateTime } } },
        {
          action: `add client secret "${c.name}" to ${ctx.refs.get(c.app)!.uniqueName}`,
          needs: APP_WRITE,
          reconcile,
        },
      );
      const cred = res.body as PasswordCredential;
      if (typeof cred.secretText !== 'string' || !cred.keyId) throw new Error('internal: addPassword answered without secretText/keyId');
      return { keyId: String(cred.keyId), value: cred.secretText };
    },
    after: async (secret) => {
      ctx.onSecretValue?.(secret.value);
      await ctx.secrets.set(stack, appKey, c.name, secret);
    },
  });
}

export async function removeSecret(ctx: ApplyContext, c: Of<'remove-secret'>): Promise<void> {
  const id = idsOf(ctx, c.app, 'objectId');
  await removePassword(ctx, id, c.keyId, `remove old client secret ${c.keyId} of ${ctx.refs.get(c.app)!.uniqueName}`);
}

/**
 * removePassword, and "already gone" counts as done. A 404 says so. An unknown keyId — what the retry of a
 * removePassword that Graph applied but whose answer was lost meets — has an UNCONFIRMED status
 * (reference/graph-api.md §1.6; the emulator answers 400), so on a 400 the application is read: when the keyId is
 * not on it, the secret is gone. A replica that has not seen the removal yet still lists it: then the error
 * stands, and a re-run plans from a fresh read and converges.
 */
async function removePassword(ctx: ApplyContext, objectId: string, keyId: string, action: string): Promise<void> {
  try {
    await call(
      ctx,
      'write',
      { method: 'POST', path: paths.removePassword(objectId), body: { keyId } },
      { action, needs: APP_WRITE, ok: (r) => r.status === 404 },
    );
  } catch (e) {
    if (!(e instanceof TenantformError) || e.meta.status !== 400) throw e;
    // Under the retry table too: a reset here must not end the run that the removal itself survived.
    const res = await call(ctx, 'read', { method: 'GET', path: paths.application(objectId, 'passwordCredentials') }, { action, ok: () => true });
    const listed = ((res.body as { passwordCredentials?: PasswordCredential[] } | undefined)?.passwordCredentials ?? []).some(
      (p) => p.keyId?.toLowerCase() === keyId.toLowerCase(),
    );
    if (res.status !== 200 || listed) throw e;
  }
}
