/**
 * Certificate material: generate a self-signed certificate (selfsigned) or read one the user keeps (PEM,
 * or PFX/P12 through Node's own PKCS#12 parser in TLS). Only the public certificate ever goes to Graph.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, TLSSocket } from 'node:tls';
import { TenantformError } from '../errors.js';

export { fileCertificateKeyId } from '../model/credential-ids.js';

export interface CertificateMaterial {
  certPem: string;
  /** PKCS#8 PEM private key, when known (generated, or a PEM file that holds it unencrypted). */
  keyPem?: string;
  /** SHA-1 / SHA-256 of the DER certificate, lowercase hex. */
  thumbprint: string;
  thumbprintSha256: string;
  notBefore: string;
  notAfter: string;
  subject: string;
  /** Base64 DER: keyCredentials[].key. */
  derBase64: string;
}

const SHORT_NAMES = new Set(['CN', 'O', 'OU', 'C', 'L', 'ST', 'E']);

/** `CN=todolist-daemon, O=Contoso` → selfsigned attributes. */
export function parseSubject(subject: string): Array<{ shortName: string; value: string }> {
  return subject
    .split(/,(?=\s*[A-Za-z.]+=)/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf('=');
      const name = part.slice(0, at).trim().toUpperCase();
      return { shortName: SHORT_NAMES.has(name) ? name : 'CN', value: part.slice(at + 1).trim() };
    });
}

export function describeCertificate(certPem: string, keyPem?: string): CertificateMaterial {
  const x = new X509Certificate(certPem);
  return {
    certPem: x.toString(),
    keyPem,
    thumbprint: createHash('sha1').update(x.raw).digest('hex'),
    thumbprintSha256: createHash('sha256').update(x.raw).digest('hex'),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: new Date(x.validTo).toISOString(),
    subject: x.subject.replace(/\n/g, ', '),
    derBase64: x.raw.toString('base64'),
  };
}

/**
 * A new self-signed RSA-2048/SHA-256 certificate valid from a minute ago (clock skew) for `lifetimeMs`.
 * Client-authentication certificates need no CA chain: Entra trusts the registered public key itself
 * (https://learn.microsoft.com/entra/identity-platform/certificate-credentials).
 */
export async function generateCertificate(opts: { subject: string; lifetimeMs: number; now?: number }): Promise<CertificateMaterial> {
  const now = opts.now ?? Date.now();
  // Loaded here, not at module load: selfsigned brings @peculiar/x509 and pkijs (~0.5 s), which a command
  // that generates nothing must not pay for at start-up. selfsigned is CommonJS: its exports object is the
  // default export, both in Node and in the CLI bundle (esbuild gives a lazily imported CommonJS chunk no
  // named exports).
  const { default: selfsigned } = await import('selfsigned');
  const r = await selfsigned.generate(parseSubject(opts.subject), {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + opts.lifetimeMs),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return describeCertificate(r.cert, r.private);
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/;

/**
 * Read a certificate file: PEM (the first certificate, and an unencrypted private key if present) or
 * PFX/P12 (decrypted by OpenSSL inside Node's TLS with the password from `password`).
 *
 * PFX files are read with OpenSSL rather than pkijs (which writes ours, see pfx.ts): pkijs decrypts only
 * PBES2 (RFC 8018), so it rejects the pbeWithSHAAnd3-KeyTripleDES-CBC files (RFC 7292 appendix C) that
 * Windows exports by default (Export-PfxCertificate without `-CryptoAlgorithmOption AES256_SHA256`), and it
 * requires a MAC; OpenSSL reads both, and synchronously, which the callers rely on.
 */
export function readCertificateFile(path: string, password?: string): CertificateMaterial {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new TenantformError('USAGE', `Cannot read certificate file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { path });
  }
  if (/\.(pfx|p12)$/i.test(path)) return readPfx(bytes, path, password);
  const text = bytes.toString('utf8');
  const cert = PEM_CERT.exec(text)?.[0];
  if (!cert) throw new TenantformError('USAGE', `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`, { path });
  return describeCertificate(cert, PEM_KEY.exec(text)?.[0]);
}

function readPfx(pfx: Buffer, path: string, password?: string): CertificateMaterial {
  let socket: TLSSocket | undefined;
  try {
    socket = new TLSSocket(null as never, { secureContext: createSecureContext({ pfx, passphrase: password ?? '' }) });
    const raw = (socket.getCertificate() as { raw?: Buffer } | null)?.raw;
    if (!raw) throw new Error('no certificate in the file');
    return describeCertificate(new X509Certificate(raw).toString());
  } catch (e) {
    const message = (e as Error).message;
    // RC2-40 and other "legacy" PKCS#12 ciphers (OpenSSL 1.x's default export) need OpenSSL 3's legacy
    // provider, which Node does not load (https://docs.openssl.org/3.0/man7/migration_guide/#legacy-algorithms).
    const hint = /unsupported/i.test(message)
      ? 're-export it with a current cipher, e.g. `openssl pkcs12 -export` (AES-256) from OpenSSL 3, or Export-PfxCertificate -CryptoAlgorithmOption AES256_SHA256'
      : 'is passwordEnv set to the variable that holds its password?';
    throw new TenantformError('USAGE', `Cannot open the PFX file ${path}: ${message} (${hint}).`, { path });
  } finally {
    socket?.destroy();
  }
}

/** Certificate + private key in one PEM: what ClientCertificateCredential's certificatePath expects. */
export function pemBundle(m: CertificateMaterial): string {
  if (!m.keyPem) throw new Error('internal: no private key');
  return `${m.keyPem.trim()}\n${m.certPem.trim()}\n`;
}
