/**
 * A minimal PKCS#12 (PFX) writer — one certificate and its private key — for .NET apps: Microsoft.Identity.Web
 * loads client certificates from disk only as PKCS#12 (SourceType "Path",
 * https://learn.microsoft.com/entra/msidweb/authentication/certificates). Node has no PFX writer and the
 * project adds no dependency for one, so this follows RFC 7292 directly, in the shape `openssl pkcs12 -export`
 * produces by default: the key in a pkcs8ShroudedKeyBag (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC), the
 * certificate in a plain data bag, both tagged with the same localKeyId, and an HMAC-SHA256 integrity MAC.
 * The password is empty by default: the file is protected by its 0600 mode, like the PEM beside it.
 */
import { createCipheriv, createHash, createHmac, createPrivateKey, pbkdf2Sync, randomBytes, X509Certificate } from 'node:crypto';

const ITERATIONS = 2048;

const OID = {
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
};

// --- DER ------------------------------------------------------------------------------------------------

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const explicit0 = (...c: Buffer[]) => tlv(0xa0, ...c);
const nul = () => Buffer.from([0x05, 0x00]);

function int(n: number): Buffer {
  const bytes: number[] = [];
  for (let x = n; x > 0 || bytes.length === 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk: number[] = [];
    for (let x = n; ; x = Math.floor(x / 128)) {
      chunk.unshift((x & 0x7f) | (chunk.length ? 0x80 : 0));
      if (x < 128) break;
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

const dataContentInfo = (der: Buffer) => seq(oid(OID.data), explicit0(octets(der)));
const localKeyIdAttr = (id: Buffer) => set(seq(oid(OID.localKeyId), set(octets(id))));

// --- Key derivation (RFC 7292 appendix B.2) -----------------------------------------------------------------

/** The password as PKCS#12 wants it for the MAC: UTF-16BE with a terminating NUL (so "" is 00 00). */
function bmpPassword(password: string): Buffer {
  const b = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) b.writeUInt16BE(password.charCodeAt(i), i * 2);
  return b;
}

function pkcs12Kdf(password: Buffer, salt: Buffer, id: number, iterations: number, size: number): Buffer {
  const u = 32;
  const v = 64;
  const fill = (src: Buffer) => {
    if (!src.length) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length];
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < size; produced += u) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
    out.push(A);
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % u];
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, size);
}

// --- PFX ----------------------------------------------------------------------------------------------------

/** A PKCS#12 file holding `certPem`'s certificate and `keyPem`'s private key. */
export function createPfx(opts: { certPem: string; keyPem: string; password?: string }): Buffer {
  const password = opts.password ?? '';
  const certDer = new X509Certificate(opts.certPem).raw;
  const keyId = createHash('sha1').update(certDer).digest();

  const pkcs8 = createPrivateKey(opts.keyPem).export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  const pbes2 = seq(
    oid(OID.pbes2),
    seq(seq(oid(OID.pbkdf2), seq(octets(salt), int(ITERATIONS), seq(oid(OID.hmacSha256), nul()))), seq(oid(OID.aes256Cbc), octets(iv))),
  );
  const keyBag = seq(oid(OID.shroudedKeyBag), explicit0(seq(pbes2, octets(encrypted))), localKeyIdAttr(keyId));
  const certBag = seq(oid(OID.certBag), explicit0(seq(oid(OID.x509Certificate), explicit0(octets(certDer)))), localKeyIdAttr(keyId));

  const authSafe = seq(dataContentInfo(seq(certBag)), dataContentInfo(seq(keyBag)));
  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf(bmpPassword(password), macSalt, 3, ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const macData = seq(seq(seq(oid(OID.sha256), nul()), octets(mac)), octets(macSalt), int(ITERATIONS));
  return seq(int(3), dataContentInfo(authSafe), macData);
}
