import { resolve } from 'node:path';
import { fileCertificateKeyId, pemBundle, readCertificateFile, type CertificateMaterial } from '../credentials/certificate.js';
import type { CertificateStore } from '../credentials/store.js';
import { certificateDisplayName, type CertificateField, type DesiredStack } from '../model/desired.js';
import type { LiveState } from '../model/live.js';
import type { CertificateCache } from '../model/local.js';
import type { CertificateFields, CertificateFieldTable } from '../model/snapshot.js';

export interface CertificateEnv {
  cwd: string;
  /** How certificate files are read (default readCertificateFile); gather passes one reader that reads each file once. */
  read?: (path: string, password?: string) => CertificateMaterial;
  env?: Readonly<Record<string, string | undefined>>;
  certificates?: CertificateStore;
}

/**
 * Template fields of every certificate of the stacks, read now (I/O: the store and the files the manifests
 * name). Generated: the newest stored certificate that is on the application (confirmed by this or an earlier
 * run); `path` is the manifest's keyFile when it names one. File: the file itself. Thumbprints are upper-case
 * hex, as the Entra admin center shows them. Gather reads it for the plan; apply reads it again before writing
 * an output, once the certificates it uploaded are in the store.
 */
export function readCertificateFields(stacks: DesiredStack[], live: LiveState, env: CertificateEnv): CertificateFieldTable {
  const out: CertificateFieldTable = {};
  const files = new Map<string, CertificateFields>();
  for (const stack of stacks) {
    for (const app of stack.applications) {
      for (const cert of app.certificates) {
        const slot = ((out[stack.name] ??= {})[app.key] ??= {});
        if (cert.source.kind === 'file') {
          const path = resolve(env.cwd, cert.source.path);
          const password = cert.source.passwordEnv ? (env.env?.[cert.source.passwordEnv] ?? '') : '';
          let f = files.get(path);
          if (!f) files.set(path, (f = fileFields(path, password, env.read ?? readCertificateFile)));
          slot[cert.name] = f;
          continue;
        }
        const onApp = new Set(
          (live.applications[app.uniqueName.toLowerCase()]?.app.keyCredentials ?? [])
            .filter((k) => k.displayName === certificateDisplayName(cert))
            .map((k) => String(k.keyId).toLowerCase()),
        );
        const cur = env.certificates?.current(stack.name, app.key, cert.name, onApp);
        if (cur)
          slot[cert.name] = fieldsOf(cur, {
            path: cert.keyFile ? resolve(env.cwd, cert.keyFile) : cur.path,
            pfxPath: cur.pfxPath,
            pfxPassword: '',
            keyId: cur.keyId,
          });
      }
    }
  }
  return out;
}

function fileFields(path: string, password: string, read: NonNullable<CertificateEnv['read']>): CertificateFields {
  try {
    const m = read(path, password);
    const pfx = /\.(pfx|p12)$/i.test(path);
    return fieldsOf(m, { path, pfxPath: pfx ? path : undefined, pfxPassword: pfx ? password : undefined, keyId: fileCertificateKeyId(m.thumbprintSha256) });
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function fieldsOf(m: CertificateMaterial, o: { path: string; pfxPath?: string; pfxPassword?: string; keyId: string }): CertificateFields {
  const f: Partial<Record<CertificateField, string>> = {
    path: o.path,
    pfxPath: o.pfxPath,
    pfxPassword: o.pfxPassword,
    thumbprint: m.thumbprint.toUpperCase(),
    thumbprintSha256: m.thumbprintSha256.toUpperCase(),
    keyId: o.keyId,
    privateKey: m.keyPem,
    pem: m.keyPem ? pemBundle(m) : undefined,
  };
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
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
          const m = (env.read ?? readCertificateFile)(resolve(env.cwd, c.source.path), c.source.passwordEnv ? env.env?.[c.source.passwordEnv] : undefined);
          slot.file = { thumbprintSha256: m.thumbprintSha256, notAfter: m.notAfter, subject: m.subject };
        } catch (e) {
          slot.file = { error: (e as Error).message };
        }
      }
    }
  }
  return out;
}

/** readCertificateFile, once per file and password: the planner's facts and the output fields come from one read. */
export function onceReader(): NonNullable<CertificateEnv['read']> {
  const seen = new Map<string, { m?: CertificateMaterial; e?: unknown }>();
  return (path, password) => {
    const key = JSON.stringify([path, password ?? null]);
    let r = seen.get(key);
    if (!r) {
      try {
        r = { m: readCertificateFile(path, password) };
      } catch (e) {
        r = { e };
      }
      seen.set(key, r);
    }
    if (r.m) return r.m;
    throw r.e;
  };
}
