/**
 * Local state: what this machine knows that the tenant does not show — secret values tenantform created
 * (the 0600 cache) and the certificates it generated (the 0600 store). Plain data; the stores that read and
 * write it live in outputs/secret-cache.ts and credentials/store.ts.
 */
/** A known client secret from the local 0600 cache (value never leaves memory except into outputs). */
export interface KnownSecret {
  keyId: string;
  value: string;
}

/** Secrets we know, by stack → app key → secret name. */
export type SecretCache = Record<string, Record<string, Record<string, KnownSecret>>>;

/**
 * A certificate tenantform generated, from the 0600 store (src/credentials/store.ts). Only entries whose
 * private key file still exists are listed. `pending`: stored before its upload, which no run has confirmed.
 */
export interface KnownCertificate {
  keyId: string;
  thumbprintSha256: string;
  notAfter: string;
  /** `removing`: its removal from the application has started; its files go once Graph no longer lists it. */
  state: 'pending' | 'uploaded' | 'removing';
  createdAt: string;
}

/** A certificate file the manifest names, as read at plan time (public facts only). */
export type FileCertificate = { thumbprintSha256: string; notAfter: string; subject: string } | { error: string };

/** What is known locally about one certificate of the manifest. */
export interface CertificateInputs {
  known: KnownCertificate[];
  file?: FileCertificate;
}

/** By stack → app key → certificate name. */
export type CertificateCache = Record<string, Record<string, Record<string, CertificateInputs>>>;
