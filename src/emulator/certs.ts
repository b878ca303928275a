import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { generate } from 'selfsigned';
import { writeFileAtomic } from '../lib/atomic-write.js';
import type { SigningKey } from './store/index.js';

export interface TlsMaterial {
  key: string;
  cert: string;
}

/**
 * The HTTPS certificate for 127.0.0.1. It is a CA certificate (basicConstraints CA:TRUE) so clients can
 * trust it directly via NODE_EXTRA_CA_CERTS or a `ca` option. Kept beside the state file so config
 * files and trust settings written for the local tenant stay valid across restarts.
 */
export async function loadOrCreateTls(certFile?: string, keyFile?: string): Promise<TlsMaterial> {
  if (certFile && keyFile && existsSync(certFile) && existsSync(keyFile)) {
    const tls = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    if (new X509Certificate(tls.cert).validTo && Date.parse(new X509Certificate(tls.cert).validTo) > Date.now() + 86_400_000) return tls;
  }
  const r = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 5 * 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const tls = { key: r.private, cert: r.cert };
  if (certFile && keyFile) {
    writeFileAtomic(keyFile, tls.key, 0o600);
    writeFileAtomic(certFile, tls.cert, 0o644);
  }
  return tls;
}

let sharedTls: Promise<TlsMaterial> | undefined;

/**
 * In-memory tenants of one process share one HTTPS certificate: nothing persists it, and generating an
 * RSA key per emulator costs about half a second, which adds up in a test suite that starts dozens.
 * (Each tenant still gets its own token-signing key unless `EmulatorOptions.signingKey` names one.)
 */
export function sharedInMemoryTls(): Promise<TlsMaterial> {
  sharedTls ??= loadOrCreateTls();
  return sharedTls;
}

/**
 * The tenant's token-signing key: an RSA key with a self-signed certificate, published in the JWKS
 * with `x5c`, and `kid` = `x5t` = base64url SHA-1 thumbprint of the certificate, as Entra does
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-signature).
 */
export async function createSigningKey(): Promise<SigningKey> {
  const r = await generate([{ name: 'commonName', value: 'tenantform emulator token signing' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 5 * 365 * 86_400_000),
  });
  return { kid: thumbprint(r.cert, 'sha1'), privatePem: r.private, certPem: r.cert };
}

/** base64url thumbprint of a PEM certificate's DER (x5t for sha1, x5t#S256 for sha256). */
export function thumbprint(certPem: string, alg: 'sha1' | 'sha256'): string {
  return createHash(alg).update(new X509Certificate(certPem).raw).digest('base64url');
}

/** Base64 DER of a PEM certificate (the x5c / keyCredentials.key form). */
export function certDerBase64(certPem: string): string {
  return new X509Certificate(certPem).raw.toString('base64');
}
