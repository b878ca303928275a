import { v5 as uuidv5 } from 'uuid';
import { TENANTFORM_ID_NAMESPACE } from './desired.js';

/**
 * The keyId of a certificate from a file: derived from its SHA-256 thumbprint, so plan, apply, outputs and a
 * re-run after a crash all agree on it without any local state.
 */
export function fileCertificateKeyId(thumbprintSha256: string): string {
  return uuidv5(`certificate/${thumbprintSha256.toLowerCase()}`, TENANTFORM_ID_NAMESPACE);
}
