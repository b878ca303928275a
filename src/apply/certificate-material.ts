import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { fileCertificateKeyId, generateCertificate, readCertificateFile, type CertificateMaterial } from '../credentials/certificate.js';
import type { CertificateStore } from '../credentials/store.js';
import { TenantformError } from '../errors.js';
import type { Change } from '../plan/types.js';
import type { ApplyContext } from './context.js';

type AddCertificate = Extract<Change, { action: 'add-certificate' }>;

export interface Material {
  keyId: string;
  material: CertificateMaterial;
}

/**
 * A generated certificate: the one a crashed run stored but never registered (the plan names its keyId), or
 * a new one with a keyId chosen here — created and stored (private key 0600) BEFORE its upload, so a crash
 * at any point is recovered by the next plan (see credentials/store.ts).
 */
export async function generatedMaterial(
  store: CertificateStore,
  c: AddCertificate,
  at: { stack: string; appKey: string; uniqueName: string },
): Promise<Material> {
  const pending = c.keyId ? store.load(at.stack, at.appKey, c.name, c.keyId) : undefined;
  if (pending) return { keyId: pending.keyId, material: pending };
  const keyId = randomUUID();
  const material = await generateCertificate({ subject: c.subject ?? `CN=${at.uniqueName}`, lifetimeMs: c.lifetimeMs ?? 365 * 86_400_000 });
  await store.add(at.stack, at.appKey, c.name, keyId, material);
  return { keyId, material };
}

/** A certificate file the user keeps, read again at apply time; it must still be the one the plan saw. */
export function fileMaterial(ctx: Pick<ApplyContext, 'cwd' | 'env'>, c: AddCertificate): Material {
  const material = readCertificateFile(resolve(ctx.cwd ?? '.', c.file!), c.passwordEnv ? ctx.env?.[c.passwordEnv] : undefined);
  if (material.thumbprintSha256 !== c.thumbprintSha256) {
    throw new TenantformError(
      'CONFLICT',
      `The certificate file ${c.file} changed since the plan was made (SHA-256 ${material.thumbprintSha256}, planned ${c.thumbprintSha256}). Run apply again.`,
    );
  }
  return { keyId: fileCertificateKeyId(material.thumbprintSha256), material };
}
