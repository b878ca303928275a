import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, KeyCredential } from '@microsoft/microsoft-graph-types';
import { createApp, expectGraphError, testCertificate } from '../helpers/applications.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';

describe('applications: keyCredentials by PATCH', () => {
  let client: Client;
  let cert: Awaited<ReturnType<typeof testCertificate>>;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    cert = await testCertificate();
  });

  const isoSeconds = (d: string) => new Date(d).toISOString().replace(/\.\d+Z$/, 'Z');

  it('stores a certificate with defaults from the certificate and hides `key` unless $select names keyCredentials', async () => {
    const app = await createApp(client);
    await client.api(`/applications/${app.id}`).patch({
      keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.der, displayName: 'CN=test' }],
    });
    const plain = (await client.api(`/applications/${app.id}`).get()) as Application;
    const kc = plain.keyCredentials![0];
    assert.equal(kc.key, null);
    assert.match(String(kc.keyId), /^[0-9a-f-]{36}$/);
    assert.equal(kc.type, 'AsymmetricX509Cert');
    assert.equal(kc.usage, 'Verify');
    assert.equal(kc.displayName, 'CN=test');
    assert.equal(kc.startDateTime, isoSeconds(cert.validFrom));
    assert.equal(kc.endDateTime, isoSeconds(cert.validTo));
    assert.equal(kc.customKeyIdentifier, createHash('sha1').update(Buffer.from(cert.der, 'base64')).digest('base64'));

    const selected = (await client.api(`/applications/${app.id}`).select(['id', 'keyCredentials']).get()) as Application;
    assert.equal(selected.keyCredentials![0].key, cert.der);

    const listed = (await client.api('/applications').filter(`id eq '${app.id}'`).get()) as { value: Application[] };
    assert.equal(listed.value[0].keyCredentials![0].key, null);
  });

  it('a read-modify-write that sends back `key: null` for an existing keyId keeps the certificate', async () => {
    const app = await createApp(client);
    await client.api(`/applications/${app.id}`).patch({ keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.der }] });
    const current = ((await client.api(`/applications/${app.id}`).get()) as Application).keyCredentials as KeyCredential[];
    await client.api(`/applications/${app.id}`).patch({ keyCredentials: current });
    const selected = (await client.api(`/applications/${app.id}`).select(['keyCredentials']).get()) as Application;
    assert.equal(selected.keyCredentials!.length, 1);
    assert.equal(selected.keyCredentials![0].key, cert.der);
    assert.equal(selected.keyCredentials![0].keyId, current[0].keyId);
  });

  it('PATCH with an empty list removes every certificate', async () => {
    const app = await createApp(client, { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.der }] });
    await client.api(`/applications/${app.id}`).patch({ keyCredentials: [] });
    assert.deepEqual(((await client.api(`/applications/${app.id}`).get()) as Application).keyCredentials, []);
  });

  it('a key that is not a certificate answers 400', async () => {
    const app = await createApp(client);
    await expectGraphError(
      client
        .api(`/applications/${app.id}`)
        .patch({ keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from('nope').toString('base64') }] }),
      400,
      'Request_BadRequest',
    );
    await expectGraphError(
      client.api(`/applications/${app.id}`).patch({ keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: 'not base64!' }] }),
      400,
      'RequestBodyRead',
    );
  });
});
