/**
 * PKCS#12 (PFX) files — one certificate and its private key — for .NET apps: Microsoft.Identity.Web loads
 * client certificates from disk only as PKCS#12 (SourceType "Path",
 * https://learn.microsoft.com/entra/msidweb/authentication/certificates).
 *
 * Writing uses pkijs (https://pkijs.org, RFC 7292 on WebCrypto): Node has no PFX writer. The shape is what
 * `openssl pkcs12 -export` produces by default (OpenSSL 3): the key in a pkcs8ShroudedKeyBag (PBES2:
 * PBKDF2-HMAC-SHA256 + AES-256-CBC, RFC 8018), the certificate in a cert bag, both tagged with the same
 * localKeyId (RFC 2985 §5.5.2, which is how readers pair the key with its certificate), and an HMAC-SHA256
 * integrity MAC (RFC 7292 §5 and appendix B). The password is empty by default: the file is protected by its
 * 0600 mode, like the PEM beside it.
 *
 * pkijs is imported only when a file is written (CLI start-up must not pay for it), and every call gets an
 * explicit CryptoEngine over Node's WebCrypto instead of relying on the engine pkijs registers globally.
 */
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';

/** OpenSSL's default (PKCS12_DEFAULT_ITER); the MAC uses the same count. */
const ITERATIONS = 2048;

/** RFC 2985 §5.5.2 localKeyId. */
const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';

/** A PKCS#12 file holding `certPem`'s certificate and `keyPem`'s private key. */
export async function createPfx(opts: { certPem: string; keyPem: string; password?: string }): Promise<Buffer> {
  const [pkijs, asn1js] = await Promise.all([import('pkijs'), import('asn1js')]);
  const crypto = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto });
  const password = new TextEncoder().encode(opts.password ?? '').buffer as ArrayBuffer;

  const certDer = new X509Certificate(opts.certPem).raw;
  // What openssl uses as localKeyId: the SHA-1 of the certificate.
  const keyId = createHash('sha1').update(certDer).digest();
  const bagAttributes = () => [new pkijs.Attribute({ type: LOCAL_KEY_ID, values: [new asn1js.OctetString({ valueHex: keyId })] })];

  const pkcs8 = createPrivateKey(opts.keyPem).export({ type: 'pkcs8', format: 'der' });
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(pkcs8) });
  await keyBag.makeInternalValues(
    { password, contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 }, hmacHashAlgorithm: 'SHA-256', iterationCount: ITERATIONS },
    crypto,
  );
  // The certificate goes in as its own bytes (certValue), not re-encoded from a parsed pkijs Certificate.
  const certBag = new pkijs.CertBag({ certId: pkijs.id_CertBag_X509Certificate, certValue: new asn1js.OctetString({ valueHex: certDer }) });

  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        {
          privacyMode: 0,
          value: new pkijs.SafeContents({
            safeBags: [new pkijs.SafeBag({ bagId: '1.2.840.113549.1.12.10.1.3', bagValue: certBag, bagAttributes: bagAttributes() })],
          }),
        },
        {
          privacyMode: 0,
          value: new pkijs.SafeContents({
            safeBags: [new pkijs.SafeBag({ bagId: '1.2.840.113549.1.12.10.1.2', bagValue: keyBag, bagAttributes: bagAttributes() })],
          }),
        },
      ],
    },
  });
  await authenticatedSafe.makeInternalValues({ safeContents: [{}, {}] }, crypto);
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues({ password, iterations: ITERATIONS, pbkdf2HashAlgorithm: 'SHA-256', hmacHashAlgorithm: 'SHA-256' }, crypto);
  return Buffer.from(pfx.toSchema().toBER(false));
}
