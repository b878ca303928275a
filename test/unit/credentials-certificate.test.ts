/**
 * Certificate material offline: self-signed generation, PEM and PFX reading, the PKCS#12 writer (checked by
 * OpenSSL inside Node's TLS, and by the openssl CLI when it is installed — both ways: it reads our files and
 * we read its), and the certificate store's crash-safe bookkeeping.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { before, describe, test } from 'node:test';
import { generateCertificate, parseSubject, pemBundle, readCertificateFile, type CertificateMaterial } from '../../src/credentials/certificate.js';
import { fileCertificateKeyId } from '../../src/model/credential-ids.js';
import { createPfx } from '../../src/credentials/pfx.js';
import { CertificateStore } from '../../src/credentials/store.js';
import { tempDir } from '../helpers/temp.js';

const DAY = 86_400_000;
let m: CertificateMaterial;
before(async () => {
  m = await generateCertificate({ subject: 'CN=daemon, O=Contoso', lifetimeMs: 90 * DAY });
});

describe('generate and read', () => {
  test('subjects parse as distinguished names', () => {
    assert.deepEqual(parseSubject('CN=todolist-daemon, O=Contoso, OU=IT'), [
      { shortName: 'CN', value: 'todolist-daemon' },
      { shortName: 'O', value: 'Contoso' },
      { shortName: 'OU', value: 'IT' },
    ]);
  });

  test('a generated certificate: RSA key that matches, lifetime, thumbprints', () => {
    const x = new X509Certificate(m.certPem);
    assert.match(x.subject, /CN=daemon/);
    assert.equal(createPublicKey(createPrivateKey(m.keyPem!)).export({ type: 'spki', format: 'pem' }), x.publicKey.export({ type: 'spki', format: 'pem' }));
    const days = (Date.parse(m.notAfter) - Date.now()) / DAY;
    assert.ok(days > 89.9 && days <= 90.01, String(days));
    assert.equal(m.thumbprint, x.fingerprint.replace(/:/g, '').toLowerCase());
    assert.equal(m.thumbprintSha256, x.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  test('PEM files with and without a key; PFX with its password', async () => {
    const dir = tempDir('tf-cert-');
    writeFileSync(join(dir, 'both.pem'), pemBundle(m));
    writeFileSync(join(dir, 'cert.crt.pem'), m.certPem);
    writeFileSync(join(dir, 'c.pfx'), await createPfx({ certPem: m.certPem, keyPem: m.keyPem!, password: 's3cret' }));
    assert.equal(readCertificateFile(join(dir, 'both.pem')).keyPem?.trim(), m.keyPem!.trim());
    assert.equal(readCertificateFile(join(dir, 'cert.crt.pem')).keyPem, undefined);
    const pfx = readCertificateFile(join(dir, 'c.pfx'), 's3cret');
    assert.equal(pfx.thumbprintSha256, m.thumbprintSha256);
    assert.throws(() => readCertificateFile(join(dir, 'c.pfx'), 'wrong'), /Cannot open the PFX file .*passwordEnv/);
    assert.throws(() => readCertificateFile(join(dir, 'missing.pem')), /Cannot read certificate file .*ENOENT/);
  });

  test('file certificates get a keyId derived from their content', () => {
    assert.equal(fileCertificateKeyId(m.thumbprintSha256), fileCertificateKeyId(m.thumbprintSha256.toUpperCase()));
    assert.match(fileCertificateKeyId(m.thumbprintSha256), /^[0-9a-f-]{36}$/);
  });
});

describe('PKCS#12', () => {
  test('OpenSSL (inside Node TLS) opens it, verifies the MAC and finds key + certificate', async () => {
    const pfx = await createPfx({ certPem: m.certPem, keyPem: m.keyPem! });
    assert.doesNotThrow(() => createSecureContext({ pfx, passphrase: '' }));
    assert.throws(() => createSecureContext({ pfx, passphrase: 'not it' }), /mac verify failure/);
  });

  test('the openssl CLI reads it (skipped when openssl is not installed)', async (t) => {
    if (spawnSync('openssl', ['version']).status !== 0) return t.skip('no openssl');
    const dir = tempDir('tf-pfx-');
    writeFileSync(join(dir, 'c.pfx'), await createPfx({ certPem: m.certPem, keyPem: m.keyPem! }));
    const r = spawnSync('openssl', ['pkcs12', '-in', join(dir, 'c.pfx'), '-passin', 'pass:', '-nodes', '-info'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /MAC: sha256/);
    assert.match(r.stdout, /BEGIN PRIVATE KEY/);
  });
});

/** The openssl CLI, a PKCS#12 reader and writer we did not write; the interop tests skip without it. */
const OPENSSL = spawnSync('openssl', ['version'], { encoding: 'utf8' });
const NO_OPENSSL = 'the openssl CLI is not installed, so interoperability with it is not checked';
function openssl(args: string[]) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { ...r, out: `${r.stdout}${r.stderr}` };
}

describe('PKCS#12 interoperability', () => {
  test('Node TLS loads a password-protected one with that password only', async () => {
    const pfx = await createPfx({ certPem: m.certPem, keyPem: m.keyPem!, password: 's3cret' });
    assert.doesNotThrow(() => createSecureContext({ pfx, passphrase: 's3cret' }));
    assert.throws(() => createSecureContext({ pfx, passphrase: '' }), /mac verify failure/);
  });

  test('openssl pkcs12 finds the same certificate and key, in the shape openssl -export makes', async (t) => {
    if (OPENSSL.status !== 0) return t.skip(NO_OPENSSL);
    const dir = tempDir('tf-pfx-');
    for (const password of ['', 's3cret', 'pä ss wörd']) {
      const file = join(dir, 'c.pfx');
      writeFileSync(file, await createPfx({ certPem: m.certPem, keyPem: m.keyPem!, ...(password ? { password } : {}) }));
      const r = openssl(['pkcs12', '-in', file, '-nodes', '-passin', `pass:${password}`, '-info']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        new X509Certificate(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout)![0]).fingerprint256,
        new X509Certificate(m.certPem).fingerprint256,
      );
      const key = createPrivateKey(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(r.stdout)![0]);
      assert.equal(
        createPublicKey(key).export({ type: 'spki', format: 'pem' }),
        new X509Certificate(m.certPem).publicKey.export({ type: 'spki', format: 'pem' }),
      );
      assert.match(r.out, /MAC: sha256, Iteration 2048/);
      assert.match(r.out, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
      assert.match(r.out, /Certificate bag/);
      const ids = [...r.out.matchAll(/localKeyID: ([0-9A-F ]+)/g)].map((x) => x[1].trim());
      assert.equal(ids.length, 2, r.out);
      assert.equal(ids[0], ids[1], 'the key and the certificate carry the same localKeyId');
      if (password) assert.notEqual(openssl(['pkcs12', '-in', file, '-nodes', '-passin', 'pass:wrong']).status, 0);
    }
  });

  test('reads PFX files openssl made: with a password, without one, 3DES (what Windows exports)', async (t) => {
    if (OPENSSL.status !== 0) return t.skip(NO_OPENSSL);
    const dir = tempDir('tf-pfx-');
    writeFileSync(join(dir, 'key.pem'), m.keyPem!);
    writeFileSync(join(dir, 'cert.pem'), m.certPem);
    const exportPfx = (name: string, password: string, extra: string[] = []) => {
      const file = join(dir, name);
      const r = openssl([
        'pkcs12',
        '-export',
        '-in',
        join(dir, 'cert.pem'),
        '-inkey',
        join(dir, 'key.pem'),
        '-out',
        file,
        '-passout',
        `pass:${password}`,
        ...extra,
      ]);
      assert.equal(r.status, 0, r.stderr);
      return file;
    };
    assert.equal(readCertificateFile(exportPfx('pw.pfx', 'pw'), 'pw').thumbprintSha256, m.thumbprintSha256);
    assert.throws(() => readCertificateFile(join(dir, 'pw.pfx'), 'not it'), /Cannot open the PFX file .*passwordEnv/);
    assert.equal(readCertificateFile(exportPfx('empty.pfx', ''), '').thumbprintSha256, m.thumbprintSha256);
    assert.equal(readCertificateFile(join(dir, 'empty.pfx')).thumbprintSha256, m.thumbprintSha256, 'no passwordEnv: the empty password');
    const tripleDes = exportPfx('3des.pfx', 'pw', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    assert.equal(readCertificateFile(tripleDes, 'pw').thumbprintSha256, m.thumbprintSha256);
  });

  test('a legacy RC2-40 PFX fails with what to do about it (when OpenSSL 3 can still make one)', async (t) => {
    if (OPENSSL.status !== 0) return t.skip(NO_OPENSSL);
    const dir = tempDir('tf-pfx-');
    writeFileSync(join(dir, 'key.pem'), m.keyPem!);
    writeFileSync(join(dir, 'cert.pem'), m.certPem);
    const file = join(dir, 'legacy.pfx');
    const r = openssl(['pkcs12', '-export', '-legacy', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-out', file, '-passout', 'pass:pw']);
    if (r.status !== 0) return t.skip(`this openssl cannot write a legacy PFX: ${r.stderr.trim().split('\n')[0]}`);
    // Node may have been started with the legacy provider (--openssl-legacy-provider): then the file opens.
    try {
      assert.equal(readCertificateFile(file, 'pw').thumbprintSha256, m.thumbprintSha256);
    } catch (e) {
      assert.match((e as Error).message, /Cannot open the PFX file .*re-export it/);
    }
  });
});

describe('certificate store', () => {
  test('files 0600 before the index names them; pending → uploaded → removing → gone', async () => {
    const dir = tempDir('tf-store-');
    const store = new CertificateStore(dir);
    await store.add('s', 'a', 'main', 'k1', m);
    const pem = store.pemPath('s', 'a', 'main', 'k1');
    assert.equal(statSync(pem).mode & 0o777, 0o600);
    assert.equal(statSync(store.pfxPath('s', 'a', 'main', 'k1')).mode & 0o777, 0o600);
    assert.equal(
      readCertificateFile(store.pfxPath('s', 'a', 'main', 'k1')).thumbprintSha256,
      m.thumbprintSha256,
      'the .pfx holds the certificate, empty password',
    );
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(
      new CertificateStore(dir).snapshot().s.a.main.known.map((k) => k.state),
      ['pending'],
    );
    assert.equal(store.current('s', 'a', 'main'), undefined, 'not on the application yet');
    assert.equal(store.current('s', 'a', 'main', new Set(['k1']))?.keyId, 'k1', 'seen on the application');
    await store.markUploaded('s', 'a', 'main', 'k1');
    assert.equal(store.current('s', 'a', 'main')?.path, pem);
    await store.markRemoving('s', 'a', 'k1');
    await store.collectRemoved(() => new Set(['k1']));
    assert.ok(existsSync(pem), 'still on the application: kept');
    await store.collectRemoved(() => new Set());
    assert.ok(!existsSync(pem));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).certificates.s.a.main, []);
  });
});
