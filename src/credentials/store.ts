/**
 * Where generated certificates live: one directory per tenant, `.tenantform/certificates/<tenantId>/`, with
 * `index.json` and, per certificate, `<stack>/<app>/<name>-<keyId>.pem` (private key + certificate, what
 * ClientCertificateCredential reads) and `.pfx` (for .NET), all 0600 in a 0700 directory. Versioned by
 * keyId, so a rotation never overwrites a file a config still points to: the old files go only when the old
 * certificate is removed from the application.
 *
 * Crash safety: a certificate is stored (files first, then the index entry as `pending`) BEFORE it is
 * uploaded, and apply chooses its keyId, so a run killed at any point leaves either nothing or a stored
 * certificate that the next plan finds — on the application (current) or not (re-uploaded, not regenerated).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';
import type { CertificateCache, KnownCertificate } from '../model/local.js';
import { describeCertificate, pemBundle, type CertificateMaterial } from './certificate.js';
import { createPfx } from './pfx.js';

interface Entry extends KnownCertificate {
  /** The PEM, relative to the store directory. */
  file: string;
}

type Index = Record<string, Record<string, Record<string, Entry[]>>>;

export class CertificateStore {
  private index: Index;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    /** Observes every index write (CommonOptions.onWrite). */
    readonly options: { onWrite?: (what: string) => void } = {},
  ) {
    const file = join(dir, 'index.json');
    this.index = existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as { certificates?: Index }).certificates ?? {}) : {};
  }

  static forTenant(tenantId: string, baseDir = '.tenantform/certificates', options: { onWrite?: (what: string) => void } = {}): CertificateStore {
    return new CertificateStore(join(baseDir, tenantId), options);
  }

  private entries(stack: string, app: string, name: string): Entry[] {
    return this.index[stack]?.[app]?.[name] ?? [];
  }

  /** Plain data for the planner: entries whose private key file still exists. */
  snapshot(): CertificateCache {
    const out: CertificateCache = {};
    for (const [stack, apps] of Object.entries(this.index)) {
      for (const [app, names] of Object.entries(apps)) {
        for (const [name, list] of Object.entries(names)) {
          const known = list.filter((e) => existsSync(join(this.dir, e.file))).map(({ file: _f, ...k }) => k);
          ((out[stack] ??= {})[app] ??= {})[name] = { known };
        }
      }
    }
    return out;
  }

  pemPath(stack: string, app: string, name: string, keyId: string): string {
    return join(this.dir, stack, app, `${name}-${keyId}.pem`);
  }

  pfxPath(stack: string, app: string, name: string, keyId: string): string {
    return this.pemPath(stack, app, name, keyId).replace(/\.pem$/, '.pfx');
  }

  /** The stored certificate with this keyId, or undefined. */
  load(stack: string, app: string, name: string, keyId: string): (CertificateMaterial & { keyId: string; path: string; pfxPath: string }) | undefined {
    const e = this.entries(stack, app, name).find((x) => x.keyId.toLowerCase() === keyId.toLowerCase());
    const path = e && join(this.dir, e.file);
    if (!e || !path || !existsSync(path)) return undefined;
    const text = readFileSync(path, 'utf8');
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)![0];
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(text)?.[0];
    return { ...describeCertificate(cert, key), keyId: e.keyId, path, pfxPath: this.pfxPath(stack, app, name, e.keyId) };
  }

  /**
   * The certificate outputs should name: the newest one confirmed on the application (uploaded) or seen there
   * by the last read (`onApplication`).
   */
  current(stack: string, app: string, name: string, onApplication: ReadonlySet<string> = new Set()) {
    const list = this.entries(stack, app, name).filter((e) => e.state !== 'removing' && (e.state === 'uploaded' || onApplication.has(e.keyId.toLowerCase())));
    const newest = [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    return newest ? this.load(stack, app, name, newest.keyId) : undefined;
  }

  /** Store a new certificate (files, then index entry `pending`) before it is uploaded. */
  async add(stack: string, app: string, name: string, keyId: string, m: CertificateMaterial): Promise<void> {
    const pem = this.pemPath(stack, app, name, keyId);
    mkdirSync(dirname(pem), { recursive: true, mode: 0o700 });
    writeFileAtomic(pem, pemBundle(m), 0o600);
    writeFileAtomic(this.pfxPath(stack, app, name, keyId), await createPfx({ certPem: m.certPem, keyPem: m.keyPem! }), 0o600);
    const entry: Entry = {
      keyId,
      thumbprintSha256: m.thumbprintSha256,
      notAfter: m.notAfter,
      state: 'pending',
      createdAt: new Date().toISOString(),
      file: relative(this.dir, pem),
    };
    (((this.index[stack] ??= {})[app] ??= {})[name] ??= []).push(entry);
    await this.persist();
  }

  async markUploaded(stack: string, app: string, name: string, keyId: string): Promise<void> {
    const e = this.entries(stack, app, name).find((x) => x.keyId.toLowerCase() === keyId.toLowerCase());
    if (!e || e.state === 'uploaded') return;
    e.state = 'uploaded';
    await this.persist();
  }

  /**
   * Write-ahead for a removal: marked before the PATCH that drops the key, so a run killed right after that
   * PATCH leaves an entry the next apply recognises (collectRemoved) instead of a private key nobody tracks.
   */
  async markRemoving(stack: string, app: string, keyId: string): Promise<void> {
    for (const list of Object.values(this.index[stack]?.[app] ?? {})) {
      const e = list.find((x) => x.keyId.toLowerCase() === keyId.toLowerCase());
      if (!e || e.state === 'removing') continue;
      e.state = 'removing';
      await this.persist();
    }
  }

  /** Delete what interrupted removals left: `removing` entries whose key the application no longer lists. */
  async collectRemoved(keysOnApplication: (stack: string, app: string) => ReadonlySet<string> | undefined): Promise<void> {
    for (const [stack, apps] of Object.entries(this.index)) {
      for (const [app, names] of Object.entries(apps)) {
        const on = keysOnApplication(stack, app);
        if (!on) continue;
        for (const list of Object.values(names)) {
          for (const e of list) if (e.state === 'removing' && !on.has(e.keyId.toLowerCase())) await this.remove(stack, app, e.keyId);
        }
      }
    }
  }

  /**
   * Forget a certificate removed from the application: key files first, then the index entry — a crash in
   * between leaves an entry without files (ignored by snapshot(), cleared by the next collectRemoved()),
   * never a private key nobody tracks.
   */
  async remove(stack: string, app: string, keyId: string): Promise<void> {
    const names = this.index[stack]?.[app] ?? {};
    for (const [name, list] of Object.entries(names)) {
      const e = list.find((x) => x.keyId.toLowerCase() === keyId.toLowerCase());
      if (!e) continue;
      rmSync(join(this.dir, e.file), { force: true });
      rmSync(join(this.dir, e.file).replace(/\.pem$/, '.pfx'), { force: true });
      names[name] = list.filter((x) => x !== e);
      await this.persist();
    }
  }

  private persist(): Promise<void> {
    // Serialised: parallel changes must not lose each other's entries.
    this.chain = this.chain.then(() => {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileAtomic(join(this.dir, 'index.json'), `${JSON.stringify({ version: 1, certificates: this.index }, null, 2)}\n`, 0o600);
      this.options.onWrite?.('certificate store');
    });
    return this.chain;
  }
}
