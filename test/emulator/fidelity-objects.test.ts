import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { clientWithRoles, createAppWithSp, expectGraphError, settle } from '../helpers/directory.js';
import { graphClient, graphToken, rawFetch, secretCredential, useEmulator } from '../helpers/emulator.js';
import { postToken, type OAuthErrorBody } from '../helpers/tokens.js';

type Listed = { '@odata.context': string; value: Array<Record<string, unknown>> };

/**
 * Directory objects (https://learn.microsoft.com/graph/api/directoryobject-get, directoryobject-getbyids) through the
 * Graph JS client, and raw HTTPS for exact statuses and codes.
 */
describe('emulator fidelity: directory objects', () => {
  const emu = useEmulator({ users: [{ userPrincipalName: 'dora', displayName: 'Dora', password: 'dora-pass' }] });
  let admin: Client;
  let reader: Client;
  let app: Application;
  let sp: ServicePrincipal;

  before(async () => {
    admin = graphClient(emu);
    ({ app, sp } = await createAppWithSp(emu, admin));
    ({ client: reader } = await clientWithRoles(emu, admin, ['Directory.Read.All']));
  });

  it('GET /directoryObjects/{id} answers an application, a service principal and a user typed by @odata.type', async () => {
    const a = (await reader.api(`/directoryObjects/${app.id}`).get()) as Record<string, unknown>;
    assert.match(String(a['@odata.context']), /\$metadata#directoryObjects\/\$entity$/);
    assert.equal(a['@odata.type'], '#microsoft.graph.application');
    assert.equal(a.appId, app.appId);
    const s = (await reader.api(`/directoryObjects/${sp.id}`).get()) as Record<string, unknown>;
    assert.equal(s['@odata.type'], '#microsoft.graph.servicePrincipal');
    assert.equal(s.appId, app.appId);
    const user = emu.seededUsers[0];
    const u = (await reader.api(`/directoryObjects/${user.id}`).get()) as Record<string, unknown>;
    assert.equal(u['@odata.type'], '#microsoft.graph.user');
    assert.equal(u.userPrincipalName, user.userPrincipalName);
    // v1.0 returns a user's default subset only.
    assert.equal(u.accountEnabled, undefined);
  });

  it('GET /directoryObjects/{id}: 404 for an unknown id, 400 for a malformed one, 403 without Directory.Read.All', async () => {
    await expectGraphError(reader.api('/directoryObjects/00000000-0000-0000-0000-00000000beef').get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(reader.api('/directoryObjects/not-a-guid').get(), 400, 'Request_BadRequest', "Invalid object identifier 'not-a-guid'.");
    // The admin client holds Application.ReadWrite.All, not Directory.Read.All (the only permission the page lists).
    const res = await rawFetch(emu, `/v1.0/directoryObjects/${app.id}`, { token: await graphToken(emu) });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'Authorization_RequestDenied');
  });

  it('POST /directoryObjects/getByIds answers the objects in the order asked, leaving unknown ids out', async () => {
    const user = emu.seededUsers[0];
    const unknown = '00000000-0000-0000-0000-00000000beef';
    const res = (await reader.api('/directoryObjects/getByIds').post({ ids: [user.id, unknown, sp.id, app.id] })) as Listed;
    assert.match(res['@odata.context'], /\$metadata#directoryObjects$/);
    assert.deepEqual(
      res.value.map((o) => [o['@odata.type'], o.id]),
      [
        ['#microsoft.graph.user', user.id],
        ['#microsoft.graph.servicePrincipal', sp.id],
        ['#microsoft.graph.application', app.id],
      ],
    );
  });

  it('getByIds: types (any case) narrow the search; directoryObject and types of objects the tenant has none of are fine', async () => {
    const ids = [app.id!, sp.id!, emu.seededUsers[0].id];
    const typed = async (types: string[]) =>
      ((await reader.api('/directoryObjects/getByIds').post({ ids, types })) as Listed).value.map((o) => o['@odata.type']);
    assert.deepEqual(await typed(['ServicePrincipal', 'user']), ['#microsoft.graph.servicePrincipal', '#microsoft.graph.user']);
    assert.deepEqual(await typed(['application']), ['#microsoft.graph.application']);
    assert.deepEqual(await typed(['directoryObject']), ['#microsoft.graph.application', '#microsoft.graph.servicePrincipal', '#microsoft.graph.user']);
    assert.deepEqual(await typed(['group', 'device']), []);
  });

  it('getByIds: 400 for an id that is not a GUID and for an unknown type; 403 without Directory.Read.All', async () => {
    const token = await graphToken(emu, undefined);
    const post = (body: unknown, t = token) =>
      rawFetch(emu, '/v1.0/directoryObjects/getByIds', {
        method: 'POST',
        token: t,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const denied = await post({ ids: [app.id] });
    assert.equal(denied.status, 403);
    await expectGraphError(reader.api('/directoryObjects/getByIds').post({ ids: ['nope'] }), 400, 'Request_BadRequest', 'Invalid GUID specified.');
    await expectGraphError(reader.api('/directoryObjects/getByIds').post({ ids: [app.id], types: ['spaceship'] }), 400, 'Request_BadRequest');
    await expectGraphError(reader.api('/directoryObjects/getByIds').post({ ids: [app.id], colour: 'red' }), 400, 'RequestBodyRead');
  });

  it('getByIds sees a replica: an object created a moment ago is left out until it has replicated', async () => {
    emu.faults.options.replicationLagMs = 5_000;
    try {
      const fresh = (await admin.api('/applications').post({ displayName: 'fresh directory object' })) as Application;
      const before = (await reader.api('/directoryObjects/getByIds').post({ ids: [fresh.id] })) as Listed;
      assert.deepEqual(before.value, []);
      settle(emu);
      const after = (await reader.api('/directoryObjects/getByIds').post({ ids: [fresh.id] })) as Listed;
      assert.deepEqual(
        after.value.map((o) => o.id),
        [fresh.id],
      );
    } finally {
      emu.faults.options.replicationLagMs = 0;
    }
  });
});

/**
 * Secrets on a service principal (https://learn.microsoft.com/graph/api/serviceprincipal-addpassword,
 * serviceprincipal-removepassword): Graph's answer, and client credentials signing in with them.
 */
describe('emulator fidelity: service principal secrets', () => {
  const emu = useEmulator();
  let admin: Client;
  let app: Application;
  let sp: ServicePrincipal;

  before(async () => {
    admin = graphClient(emu);
    ({ app, sp } = await createAppWithSp(emu, admin));
  });

  const tokenWith = (secret: string) => graphToken(emu, secretCredential(emu, app.appId!, secret));

  it('addPassword answers 200 with secretText once; the SP lists the credential without it', async () => {
    const cred = (await admin.api(`/servicePrincipals/${sp.id}/addPassword`).post({ passwordCredential: { displayName: 'sp secret' } })) as PasswordCredential;
    assert.equal(cred.displayName, 'sp secret');
    assert.equal(typeof cred.secretText, 'string');
    assert.equal(cred.secretText!.length, 40);
    assert.equal(cred.hint, cred.secretText!.slice(0, 3));
    assert.match(cred.keyId!, /^[0-9a-f-]{36}$/);
    settle(emu);
    const read = (await admin.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal;
    assert.deepEqual(
      read.passwordCredentials?.map((p) => [p.keyId, p.secretText, p.hint]),
      [[cred.keyId, null, cred.hint]],
    );
    // The application does not list the SP's secret.
    const appRead = (await admin.api(`/applications/${app.id}`).get()) as Application;
    assert.equal(
      appRead.passwordCredentials?.some((p) => p.keyId === cred.keyId),
      false,
    );
  });

  it("a secret on the service principal signs its client in (ClientSecretCredential); removePassword (by (appId='…')) ends that", async () => {
    const cred = (await admin.api(`/servicePrincipals(appId='${app.appId}')/microsoft.graph.addPassword`).post({})) as PasswordCredential;
    settle(emu);
    const token = await tokenWith(cred.secretText!);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.appid, app.appId);
    assert.equal(claims.oid, sp.id);
    assert.equal(claims.appidacr, '1');
    await admin.api(`/servicePrincipals(appId='${app.appId}')/removePassword`).post({ keyId: cred.keyId });
    const refused = await postToken(emu, {
      grant_type: 'client_credentials',
      client_id: app.appId!,
      client_secret: cred.secretText!,
      scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(refused.status, 401);
    assert.deepEqual(((await refused.json()) as OAuthErrorBody).error_codes, [7000215]);
  });

  it('removePassword: 400 for an unknown keyId, 404 for an unknown service principal; the secret comes back with a restored SP', async () => {
    await expectGraphError(
      admin.api(`/servicePrincipals/${sp.id}/removePassword`).post({ keyId: '00000000-0000-0000-0000-00000000beef' }),
      400,
      'Request_BadRequest',
    );
    await expectGraphError(admin.api('/servicePrincipals/00000000-0000-0000-0000-00000000beef/addPassword').post({}), 404, 'Request_ResourceNotFound');
    const cred = (await admin.api(`/servicePrincipals/${sp.id}/addPassword`).post({})) as PasswordCredential;
    settle(emu);
    await admin.api(`/servicePrincipals/${sp.id}`).delete();
    const gone = await postToken(emu, {
      grant_type: 'client_credentials',
      client_id: app.appId!,
      client_secret: cred.secretText!,
      scope: 'https://graph.microsoft.com/.default',
    });
    // Its application is still there: a client without a service principal (AADSTS7000229).
    assert.equal(gone.status, 401);
    assert.deepEqual(((await gone.json()) as OAuthErrorBody).error_codes, [7000229]);
    await admin.api(`/directory/deletedItems/${sp.id}/restore`).post({});
    settle(emu);
    assert.ok(await tokenWith(cred.secretText!));
  });

  it('a secret added a moment ago is refused (AADSTS7000215) until addPassword has replicated', async () => {
    emu.faults.options.replicationLagMs = 5_000;
    try {
      const cred = (await admin.api(`/servicePrincipals/${sp.id}/addPassword`).post({})) as PasswordCredential;
      const early = await postToken(emu, {
        grant_type: 'client_credentials',
        client_id: app.appId!,
        client_secret: cred.secretText!,
        scope: 'https://graph.microsoft.com/.default',
      });
      assert.deepEqual(((await early.json()) as OAuthErrorBody).error_codes, [7000215]);
      settle(emu);
      assert.ok(await tokenWith(cred.secretText!));
    } finally {
      emu.faults.options.replicationLagMs = 0;
    }
  });
});

/** A soft-deleted application keeps its identifierUris reserved until it is purged (issue 10). */
describe('emulator fidelity: identifier URIs of soft-deleted applications', () => {
  const emu = useEmulator();
  let admin: Client;
  before(() => {
    admin = graphClient(emu);
  });

  const duplicate = /^Another object with the same value for property identifierUris already exists\.$/;

  it("POST and PATCH of another app with a deleted app's URI fail like a live duplicate; after purge the URI is free", async () => {
    const uri = `api://${emu.tenantId}/reserved-${Date.now()}`;
    const gone = (await admin
      .api('/applications')
      .post({ displayName: 'deleted holder', signInAudience: 'AzureADMyOrg', identifierUris: [uri] })) as Application;
    settle(emu);
    // The live duplicate, for comparison.
    await expectGraphError(
      admin.api('/applications').post({ displayName: 'live dup', signInAudience: 'AzureADMyOrg', identifierUris: [uri] }),
      400,
      'Request_BadRequest',
      duplicate,
    );
    await admin.api(`/applications/${gone.id}`).delete();
    await expectGraphError(
      admin.api('/applications').post({ displayName: 'after delete', signInAudience: 'AzureADMyOrg', identifierUris: [uri] }),
      400,
      'Request_BadRequest',
      duplicate,
    );
    const other = (await admin.api('/applications').post({ displayName: 'patcher', signInAudience: 'AzureADMyOrg' })) as Application;
    settle(emu);
    await expectGraphError(
      admin.api(`/applications/${other.id}`).patch({ identifierUris: [uri.toUpperCase().replace('API://', 'api://')] }),
      400,
      'Request_BadRequest',
      duplicate,
    );
    // Restoring brings it back with its URI; purging frees it.
    await admin.api(`/directory/deletedItems/${gone.id}/restore`).post({});
    settle(emu);
    await admin.api(`/applications/${gone.id}`).delete();
    await admin.api(`/directory/deletedItems/${gone.id}`).delete();
    await admin.api(`/applications/${other.id}`).patch({ identifierUris: [uri] });
    settle(emu);
    assert.deepEqual(((await admin.api(`/applications/${other.id}`).get()) as Application).identifierUris, [uri]);
  });

  it('the upsert (PATCH (uniqueName=…) + Prefer: create-if-missing) is refused the same way (raw HTTPS)', async () => {
    const uri = `api://${emu.tenantId}/upsert-reserved-${Date.now()}`;
    const gone = (await admin
      .api('/applications')
      .post({ displayName: 'deleted holder 2', signInAudience: 'AzureADMyOrg', identifierUris: [uri] })) as Application;
    settle(emu);
    await admin.api(`/applications/${gone.id}`).delete();
    const token = await graphToken(emu);
    const res = await rawFetch(emu, `/v1.0/applications(uniqueName='upsert-${Date.now()}')`, {
      method: 'PATCH',
      token,
      headers: { 'Content-Type': 'application/json', Prefer: 'create-if-missing' },
      body: JSON.stringify({ displayName: 'upserted', signInAudience: 'AzureADMyOrg', identifierUris: [uri] }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'Request_BadRequest');
    assert.match(body.error.message, duplicate);
  });
});
