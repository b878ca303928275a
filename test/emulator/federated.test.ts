import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { FederatedIdentityCredential } from '@microsoft/microsoft-graph-types';
import { createApp, expectGraphError } from '../helpers/applications.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const fic = (name: string, subject = `repo:org/repo:environment:${name}`) => ({
  name,
  issuer: ISSUER,
  subject,
  description: `${name} deploys`,
  audiences: ['api://AzureADTokenExchange'],
});

describe('federatedIdentityCredentials', () => {
  let client: Client;
  let token: string;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
  });

  it('POST answers 201 with {id, name, issuer, subject, description, audiences}', async () => {
    const app = await createApp(client);
    const res = await rawFetch(emu, `/v1.0/applications/${app.id}/federatedIdentityCredentials`, {
      method: 'POST',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(fic('prod')),
    });
    assert.equal(res.status, 201);
    const created = (await res.json()) as FederatedIdentityCredential & Record<string, unknown>;
    assert.match(String(created.id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { name: created.name, issuer: created.issuer, subject: created.subject, description: created.description, audiences: created.audiences },
      fic('prod'),
    );
    assert.match(String(created['@odata.context']), /federatedIdentityCredentials\/\$entity$/);
  });

  it('lists (with $filter on name), and gets by id and by (name=…), also through (appId=…)', async () => {
    const app = await createApp(client);
    const a = (await client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('a'))) as FederatedIdentityCredential;
    await client.api(`/applications(appId='${app.appId}')/federatedIdentityCredentials`).post(fic('b'));
    const all = (await client.api(`/applications/${app.id}/federatedIdentityCredentials`).get()) as { value: FederatedIdentityCredential[] };
    assert.deepEqual(all.value.map((f) => f.name).sort(), ['a', 'b']);
    const filtered = (await client.api(`/applications/${app.id}/federatedIdentityCredentials`).filter("name eq 'a'").get()) as {
      value: FederatedIdentityCredential[];
    };
    assert.deepEqual(
      filtered.value.map((f) => f.id),
      [a.id],
    );
    const byId = (await client.api(`/applications/${app.id}/federatedIdentityCredentials/${a.id}`).get()) as FederatedIdentityCredential;
    const byName = (await client.api(`/applications(appId='${app.appId}')/federatedIdentityCredentials(name='a')`).get()) as FederatedIdentityCredential;
    assert.equal(byId.subject, fic('a').subject);
    assert.equal(byName.id, a.id);
  });

  it('PATCH answers 204 and updates; name is immutable', async () => {
    const app = await createApp(client);
    const a = (await client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('patch-me'))) as FederatedIdentityCredential;
    const res = await rawFetch(emu, `/v1.0/applications/${app.id}/federatedIdentityCredentials/${a.id}`, {
      method: 'PATCH',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ subject: 'repo:org/repo:ref:refs/heads/main' }),
    });
    assert.equal(res.status, 204);
    const got = (await client.api(`/applications/${app.id}/federatedIdentityCredentials(name='patch-me')`).get()) as FederatedIdentityCredential;
    assert.equal(got.subject, 'repo:org/repo:ref:refs/heads/main');
    assert.equal(got.issuer, ISSUER);
    await expectGraphError(client.api(`/applications/${app.id}/federatedIdentityCredentials/${a.id}`).patch({ name: 'renamed' }), 400, 'Request_BadRequest');
  });

  it('PATCH (name=…) of a credential that does not exist creates it (upsert)', async () => {
    const app = await createApp(client);
    const { name: _name, ...rest } = fic('upserted');
    const created = (await client.api(`/applications/${app.id}/federatedIdentityCredentials(name='upserted')`).patch(rest)) as FederatedIdentityCredential;
    assert.equal(created.name, 'upserted');
  });

  it('DELETE answers 204 and the credential is gone', async () => {
    const app = await createApp(client);
    const a = (await client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('gone'))) as FederatedIdentityCredential;
    const res = await rawFetch(emu, `/v1.0/applications/${app.id}/federatedIdentityCredentials/${a.id}`, { method: 'DELETE', token });
    assert.equal(res.status, 204);
    await expectGraphError(client.api(`/applications/${app.id}/federatedIdentityCredentials/${a.id}`).get(), 404, 'Request_ResourceNotFound');
  });

  it('requires name, issuer, subject and exactly one audience', async () => {
    const app = await createApp(client);
    const base = `/applications/${app.id}/federatedIdentityCredentials`;
    const { subject: _s, ...noSubject } = fic('x');
    await expectGraphError(client.api(base).post(noSubject), 400, 'Request_BadRequest');
    await expectGraphError(client.api(base).post({ ...fic('x'), audiences: [] }), 400, 'Request_BadRequest');
    await expectGraphError(client.api(base).post({ ...fic('x'), audiences: ['a', 'b'] }), 400, 'Request_BadRequest');
    await expectGraphError(client.api(base).post({ ...fic('x'), name: 'has space' }), 400, 'Request_BadRequest');
    await expectGraphError(client.api(base).post({ ...fic('x'), name: 'n'.repeat(121) }), 400, 'Request_BadRequest');
    await expectGraphError(client.api(base).post({ ...fic('x'), colour: 'x' }), 400, 'RequestBodyRead');
  });

  it('a duplicate name answers 409 Request_MultipleObjectsWithSameKeyValue', async () => {
    const app = await createApp(client);
    await client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('dup'));
    const f = await expectGraphError(
      client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('dup', 'another-subject')),
      409,
      'Request_MultipleObjectsWithSameKeyValue',
    );
    assert.match(f.message, /FederatedIdentityCredential with name dup already exists/);
  });

  it('a duplicate issuer+subject answers 400 InvalidFederatedIdentityCredentialValue', async () => {
    const app = await createApp(client);
    await client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('one', 'same-subject'));
    await expectGraphError(
      client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('two', 'same-subject')),
      400,
      'InvalidFederatedIdentityCredentialValue',
    );
  });

  it('an application holds at most 20 credentials', async () => {
    const app = await createApp(client);
    for (let i = 0; i < 20; i++) await client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic(`fic-${i}`));
    await expectGraphError(client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('fic-20')), 400, 'Request_BadRequest');
  });
});

describe('federatedIdentityCredentials: replication lag', () => {
  let client: Client;
  const emu = useEmulator({ replicationLagMs: 300 });
  before(async () => {
    client = graphClient(emu);
  });

  it('a new credential is listed only after it has replicated', async () => {
    const app = await createApp(client);
    emu.clock.advance(301);
    await client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic('late'));
    const before = (await client.api(`/applications/${app.id}/federatedIdentityCredentials`).get()) as { value: unknown[] };
    assert.equal(before.value.length, 0);
    emu.clock.advance(301);
    const after = (await client.api(`/applications/${app.id}/federatedIdentityCredentials`).get()) as { value: unknown[] };
    assert.equal(after.value.length, 1);
  });
});
