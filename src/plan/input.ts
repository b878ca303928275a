import type { DesiredApplication, DesiredPermission, DesiredStack } from '../model/desired.js';

/** The planner's view of one desired application: the model's, plus the name of its stack. */
export type PlanApplication = DesiredApplication & { stack: string };
export type PlanPermission = DesiredPermission;

export interface PlanStack {
  name: string;
  applications: PlanApplication[];
}

export function toPlanStack(s: DesiredStack): PlanStack {
  return { name: s.name, applications: s.applications.map((a) => ({ ...a, stack: s.name })) };
}

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
