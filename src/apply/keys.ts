import type { LiveState } from '../model/live.js';
import type { Change } from '../plan/types.js';
import { fileMaterial, generatedMaterial } from './certificate-material.js';
import { idsOf, type ApplyContext } from './context.js';
import { writeCredential } from './credential-write.js';
import { addKeyCredential, removeKeyCredential, type KeyTarget } from './key-credentials.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

const targetOf = (ctx: ApplyContext, c: { app: string }): KeyTarget => ({
  objectId: idsOf(ctx, c.app, 'objectId'),
  uniqueName: ctx.refs.get(c.app)!.uniqueName,
});

/**
 * Register a certificate: its material first (a generated one is stored before the upload, with a keyId
 * chosen here), then the keyCredentials PATCH (key-credentials.ts), then the store records the upload.
 */
export async function addCertificate(ctx: ApplyContext, c: Of<'add-certificate'>, stack: string, appKey: string): Promise<void> {
  const app = targetOf(ctx, c);
  const store = ctx.certificates;
  await writeCredential({
    before: async () => {
      if (c.source !== 'generate') return fileMaterial(ctx, c);
      if (!store) throw new Error('internal: no certificate store in the apply context');
      return generatedMaterial(store, c, { stack, appKey, uniqueName: app.uniqueName });
    },
    graph: ({ keyId, material }) => addKeyCredential(ctx, app, { keyId, displayName: c.displayName, material, what: `add certificate "${c.name}"` }),
    after: async (_, { keyId }) => {
      if (c.source === 'generate') await store!.markUploaded(stack, appKey, c.name, keyId);
    },
  });
}

/** Remove a certificate from keyCredentials (read-modify-write), then its stored private key, if we made it. */
export async function removeCertificate(ctx: ApplyContext, c: Of<'remove-certificate'>, stack: string, appKey: string): Promise<void> {
  const app = targetOf(ctx, c);
  await writeCredential({
    before: async () => ctx.certificates?.markRemoving(stack, appKey, c.keyId),
    graph: () => removeKeyCredential(ctx, app, c.keyId),
    after: async () => ctx.certificates?.remove(stack, appKey, c.keyId),
  });
}

/**
 * Before apply: delete the stored private keys of certificates whose removal a previous run started (marked
 * `removing`) and Graph no longer lists — a run killed right after its removal PATCH leaves exactly that.
 */
export async function collectRemovedCertificates(
  ctx: ApplyContext,
  live: LiveState,
  stacks: ReadonlyArray<{ name: string; applications: ReadonlyArray<{ key: string; uniqueName: string }> }>,
): Promise<void> {
  await ctx.certificates?.collectRemoved((stack, app) => {
    const uniqueName = stacks.find((s) => s.name === stack)?.applications.find((a) => a.key === app)?.uniqueName;
    const l = uniqueName ? live.applications[uniqueName.toLowerCase()] : undefined;
    return l ? new Set((l.app.keyCredentials ?? []).map((k) => String(k.keyId).toLowerCase())) : undefined;
  });
}
