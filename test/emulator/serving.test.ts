import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { graphToken, rawFetch, startEmulator, useEmulator } from '../helpers/emulator.js';
import { tempDir } from '../helpers/temp.js';

describe('serving: HTTPS on 127.0.0.1 with its own certificate', () => {
  let dir: string;
  before(() => {
    dir = tempDir('tenantform-serving-');
  });

  it('serves https://127.0.0.1 with a CA certificate for IP 127.0.0.1 that clients can trust directly', async () => {
    const emu = await startEmulator();
    try {
      assert.match(emu.graphUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      const cert = new X509Certificate(emu.ca);
      assert.equal(cert.ca, true, 'basicConstraints CA:TRUE, so NODE_EXTRA_CA_CERTS / a ca option can trust it');
      assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
      assert.ok(cert.checkIP('127.0.0.1'));
      assert.equal(readFileSync(emu.caFile, 'utf8'), emu.ca);
      const res = await rawFetch(emu, `/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    } finally {
      await emu.close();
    }
    assert.equal(existsSync(emu.caFile), false, 'an in-memory tenant leaves no files behind');
  });

  it('generates the certificate once, beside the state file, and reuses it (and the tenant) on restart', async () => {
    const stateFile = join(dir, 'local-tenant.json');
    const first = await startEmulator({ stateFile });
    const certFile = join(dir, 'local-tenant.tls-cert.pem');
    const keyFile = join(dir, 'local-tenant.tls-key.pem');
    let firstIds: string[];
    try {
      assert.equal(first.caFile, certFile);
      assert.ok(existsSync(stateFile) && existsSync(certFile) && existsSync(keyFile));
      firstIds = [first.tenantId, first.adminClientId, first.adminClientSecret];
    } finally {
      await first.close();
    }
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');

    const second = await startEmulator({ stateFile });
    try {
      assert.deepEqual([second.tenantId, second.adminClientId, second.adminClientSecret], firstIds);
      assert.equal(second.ca, cert);
      assert.equal(readFileSync(keyFile, 'utf8'), key);
      // The persisted admin secret still gets a token, over the reused certificate.
      assert.ok(await graphToken(second));
    } finally {
      await second.close();
    }
  });
});

describe('serving: what is not emulated says so', () => {
  let token: string;
  const emu = useEmulator();
  before(async () => {
    token = await graphToken(emu);
  });

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await rawFetch(emu, path, { token, ...init });
    return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
  };

  it('answers 501 NotImplemented for unknown Graph routes and for the beta endpoint, never a guess', async () => {
    const unknown = await call('/v1.0/groups');
    assert.equal(unknown.status, 501);
    assert.equal(unknown.body.error.code, 'NotImplemented');
    assert.match(unknown.body.error.message, /does not implement GET \/groups/);
    const beta = await call('/beta/applications');
    assert.equal(beta.status, 501);
    assert.equal(beta.body.error.code, 'NotImplemented');
  });

  it('answers 405 for a known path with another method, and 400 for a body that is not JSON', async () => {
    const put = await call('/v1.0/organization', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.body.error.code, 'Request_BadRequest');
    const bad = await call('/v1.0/$batch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{not json' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'BadRequest');
  });

  it('accepts the /myorganization prefix that some clients send (reference/sdk-against-local-endpoints.md Q5)', async () => {
    const res = await rawFetch(emu, '/v1.0/myorganization/organization', { token });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { value: Array<{ id: string }> };
    assert.equal(body.value[0].id, emu.tenantId);
  });
});
