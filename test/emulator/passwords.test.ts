import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential } from '@microsoft/microsoft-graph-types';
import { createApp, expectGraphError } from '../helpers/applications.js';
import { graphClient, graphToken, rawFetch, secretCredential, useEmulator } from '../helpers/emulator.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('passwords: addPassword / removePassword', () => {
  let client: Client;
  let token: string;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
  });

  const action = (path: string, body: unknown) =>
    rawFetch(emu, `/v1.0${path}`, { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('addPassword answers 200 with the secretText, a hint and a two-year default lifetime', async () => {
    const app = await createApp(client);
    const res = await action(`/applications/${app.id}/addPassword`, { passwordCredential: { displayName: 'ci' } });
    assert.equal(res.status, 200);
    const pc = (await res.json()) as PasswordCredential;
    assert.equal(pc.displayName, 'ci');
    assert.equal(pc.customKeyIdentifier, null);
    assert.match(String(pc.keyId), GUID);
    assert.ok(pc.secretText && pc.secretText.length >= 16 && pc.secretText.length <= 64);
    assert.equal(pc.hint, pc.secretText.slice(0, 3));
    const lifetimeDays = (Date.parse(pc.endDateTime!) - Date.parse(pc.startDateTime!)) / 86_400_000;
    assert.ok(lifetimeDays >= 729 && lifetimeDays <= 732, `lifetime ${lifetimeDays} days`);
  });

  it('secretText is returned only once: GET lists the credential with secretText null', async () => {
    const app = await createApp(client);
    const pc = (await client.api(`/applications/${app.id}/addPassword`).post({})) as PasswordCredential;
    const got = (await client.api(`/applications/${app.id}`).get()) as Application;
    assert.equal(got.passwordCredentials?.length, 1);
    const listed = got.passwordCredentials![0];
    assert.equal(listed.keyId, pc.keyId);
    assert.equal(listed.secretText, null);
    assert.equal(listed.hint, pc.hint);
    const selected = (await client.api(`/applications/${app.id}`).select(['passwordCredentials']).get()) as Application;
    assert.equal(selected.passwordCredentials![0].secretText, null);
  });

  it('addPassword works through (appId=…) and honours the requested dates', async () => {
    const app = await createApp(client);
    const start = '2030-01-01T00:00:00Z';
    const end = '2030-06-01T00:00:00Z';
    const pc = (await client
      .api(`/applications(appId='${app.appId}')/addPassword`)
      .post({ passwordCredential: { startDateTime: start, endDateTime: end } })) as PasswordCredential;
    assert.equal(pc.startDateTime, start);
    assert.equal(pc.endDateTime, end);
  });

  it('the new secret gets a token for the app', async () => {
    const app = await createApp(client);
    await client.api('/servicePrincipals').post({ appId: app.appId });
    const pc = (await client.api(`/applications/${app.id}/addPassword`).post({})) as PasswordCredential;
    const t = await secretCredential(emu, app.appId!, pc.secretText!).getToken('https://graph.microsoft.com/.default');
    assert.ok(t?.token);
  });

  it('addPassword rejects an end before the start, unknown parameters, and unknown apps', async () => {
    const app = await createApp(client);
    await expectGraphError(
      client
        .api(`/applications/${app.id}/addPassword`)
        .post({ passwordCredential: { startDateTime: '2030-01-02T00:00:00Z', endDateTime: '2030-01-01T00:00:00Z' } }),
      400,
      'Request_BadRequest',
    );
    await expectGraphError(client.api(`/applications/${app.id}/addPassword`).post({ secret: 'x' }), 400, 'RequestBodyRead');
    await expectGraphError(client.api('/applications/00000000-0000-0000-0000-000000000001/addPassword').post({}), 404, 'Request_ResourceNotFound');
  });

  it('removePassword answers 204 and the credential disappears', async () => {
    const app = await createApp(client);
    const keep = (await client.api(`/applications/${app.id}/addPassword`).post({})) as PasswordCredential;
    const drop = (await client.api(`/applications/${app.id}/addPassword`).post({})) as PasswordCredential;
    const res = await action(`/applications/${app.id}/removePassword`, { keyId: drop.keyId });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    const got = (await client.api(`/applications/${app.id}`).get()) as Application;
    assert.deepEqual(
      got.passwordCredentials?.map((p) => p.keyId),
      [keep.keyId],
    );
    assert.deepEqual(
      emu.tenant.applications.storedSecrets(app.id!).map((s) => s.keyId),
      [keep.keyId],
    );
  });

  it('removePassword with an unknown keyId answers 400', async () => {
    const app = await createApp(client);
    await expectGraphError(
      client.api(`/applications/${app.id}/removePassword`).post({ keyId: '00000000-0000-0000-0000-000000000000' }),
      400,
      'Request_BadRequest',
    );
  });
});

describe('passwords: replication lag', () => {
  let client: Client;
  const emu = useEmulator({ replicationLagMs: 300 });
  before(async () => {
    client = graphClient(emu);
  });

  it('addPassword right after create answers 404; the new keyId shows on GET only after replication', async () => {
    const app = await createApp(client);
    await expectGraphError(client.api(`/applications/${app.id}/addPassword`).post({}), 404, 'Request_ResourceNotFound');
    emu.clock.advance(301);
    const pc = (await client.api(`/applications/${app.id}/addPassword`).post({})) as PasswordCredential;
    assert.deepEqual(((await client.api(`/applications/${app.id}`).get()) as Application).passwordCredentials, []);
    emu.clock.advance(301);
    const got = (await client.api(`/applications/${app.id}`).get()) as Application;
    assert.deepEqual(
      got.passwordCredentials?.map((p) => p.keyId),
      [pc.keyId],
    );
  });
});
