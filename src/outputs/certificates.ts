import { resolve } from 'node:path';
import { fileCertificateKeyId, pemBundle, readCertificateFile, type CertificateMaterial } from '../credentials/certificate.js';
import type { CertificateStore } from '../credentials/store.js';
import type { LiveState } from '../model/live.js';
import { certificateDisplayName, type CertificateField, type DesiredStack } from '../model/desired.js';
import type { CertificateCache } from '../model/local.js';

export interface CertificateEnv {
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
  certificates?: CertificateStore;
}

/**
 * Fields of a stack's certificates for output templates. Generated: the newest stored certificate that is on
 * the application (confirmed by this or an earlier run); `path` is the manifest's keyFile when it names one.
 * File: the file itself. Thumbprints are upper-case hex, as the Entra admin center shows them.
 */
export function certificateResolver(stack: DesiredStack, live: LiveState, env: CertificateEnv): (app: string, name: string, field: CertificateField) => string | undefined {
  const files = new Map<string, CertificateMaterial & { path: string; password: string }>();
  return (appKey, name, field) => {
    const app = stack.applications.find((a) => a.key === appKey);
    const cert = app?.certificates.find((c) => c.name === name);
    if (!app || !cert) return undefined;
    if (cert.source.kind === 'file') {
      const path = resolve(env.cwd, cert.source.path);
      const password = cert.source.passwordEnv ? (env.env?.[cert.source.passwordEnv] ?? '') : '';
      let m = files.get(path);
      if (!m) files.set(path, (m = { ...readCertificateFile(path, password), path, password }));
      const pfx = /\.(pfx|p12)$/i.test(path);
      return fieldOf(m, field, { path, pfxPath: pfx ? path : undefined, pfxPassword: pfx ? password : undefined, keyId: fileCertificateKeyId(m.thumbprintSha256) });
    }
    const onApp = new Set(
      (live.applications[app.uniqueName.toLowerCase()]?.app.keyCredentials ?? [])
        .filter((k) => k.displayName === certificateDisplayName(cert))
        .map((k) => String(k.keyId).toLowerCase()),
    );
    const cur = env.certificates?.current(stack.name, appKey, name, onApp);
    if (!cur) return undefined;
    return fieldOf(cur, field, { path: cert.keyFile ? resolve(env.cwd, cert.keyFile) : cur.path, pfxPath: cur.pfxPath, pfxPassword: '', keyId: cur.keyId });
  };
}

function fieldOf(m: CertificateMaterial, field: CertificateField, o: { path: string; pfxPath?: string; pfxPassword?: string; keyId: string }): string | undefined {
  switch (field) {
    case 'path':
      return o.path;
    case 'pfxPath':
      return o.pfxPath;
    case 'pfxPassword':
      return o.pfxPassword;
    case 'thumbprint':
      return m.thumbprint.toUpperCase();
    case 'thumbprintSha256':
      return m.thumbprintSha256.toUpperCase();
    case 'keyId':
      return o.keyId;
    case 'privateKey':
      return m.keyPem;
    case 'pem':
      return m.keyPem ? pemBundle(m) : undefined;
  }
}

/** Planner input: the stored generated certificates, plus each certificate file the manifests name (public facts). */
export function certificateInputs(stacks: DesiredStack[], env: CertificateEnv): CertificateCache {
  const out: CertificateCache = env.certificates?.snapshot() ?? {};
  for (const stack of stacks) {
    for (const app of stack.applications) {
      for (const c of app.certificates) {
        const slot = (((out[stack.name] ??= {})[app.key] ??= {})[c.name] ??= { known: [] });
        if (c.source.kind !== 'file') continue;
        try {
          const m = readCertificateFile(resolve(env.cwd, c.source.path), c.source.passwordEnv ? env.env?.[c.source.passwordEnv] : undefined);
          slot.file = { thumbprintSha256: m.thumbprintSha256, notAfter: m.notAfter, subject: m.subject };
        } catch (e) {
          slot.file = { error: (e as Error).message };
        }
      }
    }
  }
  return out;
}
