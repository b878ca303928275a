/**
 * Certificate material offline: self-signed generation, PEM and PFX reading, the PKCS#12 writer (checked by
 * OpenSSL inside Node's TLS, and by the openssl CLI when it is installed), and the certificate store's
 * crash-safe bookkeeping.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { before, describe, test } from 'node:test';
import { generateCertificate, parseSubject, pemBundle, readCertificateFile, type CertificateMaterial } from '../../src/credentials/certificate.js';
import { fileCertificateKeyId } from '../../src/credentials/ids.js';
import { createPfx } from '../../src/credentials/pkcs12.js';
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

  test('PEM files with and without a key; PFX with its password', () => {
    const dir = tempDir('tf-cert-');
    writeFileSync(join(dir, 'both.pem'), pemBundle(m));
    writeFileSync(join(dir, 'cert.crt.pem'), m.certPem);
    writeFileSync(join(dir, 'c.pfx'), createPfx({ certPem: m.certPem, keyPem: m.keyPem!, password: 's3cret' }));
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
  test('OpenSSL (inside Node TLS) opens it, verifies the MAC and finds key + certificate', () => {
    const pfx = createPfx({ certPem: m.certPem, keyPem: m.keyPem! });
    assert.doesNotThrow(() => createSecureContext({ pfx, passphrase: '' }));
    assert.throws(() => createSecureContext({ pfx, passphrase: 'not it' }), /mac verify failure/);
  });

  test('the openssl CLI reads it (skipped when openssl is not installed)', (t) => {
    if (spawnSync('openssl', ['version']).status !== 0) return t.skip('no openssl');
    const dir = tempDir('tf-pfx-');
    writeFileSync(join(dir, 'c.pfx'), createPfx({ certPem: m.certPem, keyPem: m.keyPem! }));
    const r = spawnSync('openssl', ['pkcs12', '-in', join(dir, 'c.pfx'), '-passin', 'pass:', '-nodes', '-info'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /MAC: sha256/);
    assert.match(r.stdout, /BEGIN PRIVATE KEY/);
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
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(new CertificateStore(dir).snapshot().s.a.main.known.map((k) => k.state), ['pending']);
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
