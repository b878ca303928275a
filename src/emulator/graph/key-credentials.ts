import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { KeyCredential } from '@microsoft/microsoft-graph-types';
import { graphErrors } from '../errors.js';

/**
 * Certificates set by PATCH keyCredentials (the whole collection is replaced; resend existing items):
 * https://learn.microsoft.com/graph/api/application-update, https://learn.microsoft.com/graph/api/resources/keycredential.
 * Only public X.509 certificates (`AsymmetricX509Cert` + `Verify`) are modelled.
 */

const invalidKey = (detail: string) =>
  // Message and code UNCONFIRMED; the directory reports bad key material as a 400 on keyCredentials.
  graphErrors.badRequest(`Key credential is invalid: ${detail}. Key value is an invalid certificate.`);

function iso(date: string | Date): string {
  return new Date(date).toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Turn the keyCredentials of a request into what Graph stores: keyId generated when absent, dates default
 * to the certificate's validity, customKeyIdentifier defaults to the SHA-1 thumbprint (base64 of its bytes).
 * An item that omits `key` but names the keyId of a credential the app already has keeps that key:
 * GET hides `key` unless $select names keyCredentials, so read-modify-write clients send null
 * (the real service's handling of that case is UNCONFIRMED).
 */
export function normalizeKeyCredentials(items: KeyCredential[], current: KeyCredential[]): KeyCredential[] {
  const seen = new Set<string>();
  return items.map((item) => {
    const keyId = item.keyId ?? randomUUID();
    if (seen.has(keyId.toLowerCase())) throw graphErrors.duplicateValue('keyCredentials');
    seen.add(keyId.toLowerCase());
    const previous = current.find((c) => c.keyId?.toLowerCase() === keyId.toLowerCase());
    const key = item.key ?? previous?.key;
    if (!key) throw invalidKey(`keyCredential '${keyId}' has no key`);
    const type = item.type ?? 'AsymmetricX509Cert';
    const usage = item.usage ?? 'Verify';
    if (type !== 'AsymmetricX509Cert' || usage !== 'Verify') {
      throw graphErrors.notImplemented(`keyCredentials of type '${type}' with usage '${usage}' (only AsymmetricX509Cert/Verify)`);
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(key, 'base64'));
    } catch {
      throw invalidKey(`keyCredential '${keyId}' does not hold a base64 DER X.509 certificate`);
    }
    if (cert.publicKey.asymmetricKeyType !== 'rsa' && cert.publicKey.asymmetricKeyType !== 'ec') {
      throw invalidKey(`keyCredential '${keyId}' uses an unsupported key type`);
    }
    const startDateTime = item.startDateTime ? iso(item.startDateTime) : iso(cert.validFrom);
    const endDateTime = item.endDateTime ? iso(item.endDateTime) : iso(cert.validTo);
    if (Date.parse(endDateTime) <= Date.parse(startDateTime)) throw invalidKey(`keyCredential '${keyId}' ends before it starts`);
    // A credential can't outlive its certificate (portal and Graph reject such dates; code UNCONFIRMED).
    if (Date.parse(endDateTime) > Date.parse(cert.validTo) + 1000) throw invalidKey(`keyCredential '${keyId}' ends after its certificate expires`);
    return {
      customKeyIdentifier: item.customKeyIdentifier ?? createHash('sha1').update(cert.raw).digest('base64'),
      displayName:
        item.displayName ??
        `CN=${
          cert.subject
            .split('\n')
            .find((l) => l.startsWith('CN='))
            ?.slice(3) ?? ''
        }`,
      endDateTime,
      key: cert.raw.toString('base64'),
      keyId,
      startDateTime,
      type,
      usage,
    };
  });
}
