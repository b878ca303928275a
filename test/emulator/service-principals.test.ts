import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import { clientWithRoles, createApp, createAppWithSp, createSp, expectGraphError, settle, uniqueName } from '../helpers/directory.js';

const role = {
  id: randomUUID(),
  value: 'Tasks.Read',
  displayName: 'Read tasks',
  description: 'Read tasks',
  allowedMemberTypes: ['Application'],
  isEnabled: true,
};
const scope = {
  id: randomUUID(),
  value: 'tasks.read',
  type: 'User',
  adminConsentDisplayName: 'Read tasks',
  adminConsentDescription: 'Read tasks',
  userConsentDisplayName: 'Read tasks',
  userConsentDescription: 'Read tasks',
  isEnabled: true,
};

describe('emulator: servicePrincipals', () => {
  let client: Client;
  let token: string;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
  });

  it('POST /servicePrincipals answers 201 with an SP that mirrors its application', async () => {
    const app = await createApp(client, { appRoles: [role], api: { oauth2PermissionScopes: [scope] }, identifierUris: [] });
    const res = await rawFetch(emu, '/v1.0/servicePrincipals', {
      token,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ appId: app.appId, tags: ['tenantform:stack=a'] }),
    });
    assert.equal(res.status, 201);
    const sp = (await res.json()) as ServicePrincipal & Record<string, unknown>;
    assert.match(String(sp['@odata.context']), /#servicePrincipals\/\$entity$/);
    assert.equal(sp.appId, app.appId);
    assert.equal(sp.appDisplayName, app.displayName);
    assert.equal(sp.displayName, app.displayName);
    assert.equal(sp.appOwnerOrganizationId, emu.tenantId);
    assert.equal(sp.accountEnabled, true);
    assert.equal(sp.appRoleAssignmentRequired, false);
    assert.equal(sp.servicePrincipalType, 'Application');
    assert.deepEqual(sp.servicePrincipalNames, [app.appId]);
    assert.deepEqual(sp.tags, ['tenantform:stack=a']);
    assert.deepEqual(
      sp.appRoles?.map((r) => r.id),
      [role.id],
    );
    assert.deepEqual(
      sp.oauth2PermissionScopes?.map((s) => s.value),
      ['tasks.read'],
    );
    for (const k of ['keyCredentials', 'passwordCredentials', 'replyUrls', 'alternativeNames', 'notificationEmailAddresses', 'addIns'] as const) {
      assert.deepEqual(sp[k], [], k);
    }
  });

  it('a second service principal for the same appId is 409 Request_MultipleObjectsWithSameKeyValue', async () => {
    const { app } = await createAppWithSp(emu, client);
    await expectGraphError(
      createSp(client, app.appId!),
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      `The service principal cannot be created, updated, or restored because the service principal name ${app.appId} is already in use.`,
    );
  });

  it('an appId with no application is 400 "does not reference a valid application object"', async () => {
    const appId = randomUUID();
    await expectGraphError(
      createSp(client, appId),
      400,
      'Request_BadRequest',
      `The appId '${appId}' of the service principal does not reference a valid application object.`,
    );
  });

  it('GET by id and by (appId=…), list with $filter and $select', async () => {
    const { app, sp } = await createAppWithSp(emu, client, { tags: [] });
    const byId = (await client.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal;
    const byAppId = (await client.api(`/servicePrincipals(appId='${app.appId}')`).get()) as ServicePrincipal;
    assert.equal(byId.id, sp.id);
    assert.equal(byAppId.id, sp.id);
    const list = (await client.api('/servicePrincipals').filter(`appId eq '${app.appId}'`).select('id,appId').get()) as {
      value: Array<Record<string, unknown>>;
    };
    assert.deepEqual(list.value, [{ id: sp.id, appId: app.appId }]);
    const byName = (await client.api('/servicePrincipals').filter(`servicePrincipalNames/any(n:n eq '${app.appId}')`).get()) as { value: ServicePrincipal[] };
    assert.deepEqual(
      byName.value.map((s) => s.id),
      [sp.id],
    );
    await expectGraphError(client.api(`/servicePrincipals/${randomUUID()}`).get(), 404, 'Request_ResourceNotFound');
  });

  it('PATCH updates writable properties with 204', async () => {
    const { sp } = await createAppWithSp(emu, client);
    const res = await rawFetch(emu, `/v1.0/servicePrincipals/${sp.id}`, {
      token,
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ appRoleAssignmentRequired: true, tags: ['x'], notes: 'owned by tenantform' }),
    });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    settle(emu);
    const after = (await client.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal;
    assert.equal(after.appRoleAssignmentRequired, true);
    assert.deepEqual(after.tags, ['x']);
    assert.equal(after.notes, 'owned by tenantform');
  });

  it('PATCH of a read-only, mirrored or unknown property is 400', async () => {
    const { sp } = await createAppWithSp(emu, client);
    await expectGraphError(client.api(`/servicePrincipals/${sp.id}`).patch({ appId: randomUUID() }), 400, 'Request_BadRequest', /read-only/);
    await expectGraphError(
      client.api(`/servicePrincipals/${sp.id}`).patch({ appRoles: [role] }),
      400,
      'Request_BadRequest',
      /does not match the application object/,
    );
    await client.api(`/servicePrincipals/${sp.id}`).patch({ appRoles: [], servicePrincipalNames: sp.servicePrincipalNames }); // echoing the mirror back is fine
    await expectGraphError(
      client.api(`/servicePrincipals/${sp.id}`).patch({ colour: 'blue' }),
      400,
      'RequestBodyRead',
      /does not exist on type 'microsoft.graph.servicePrincipal'/,
    );
    await expectGraphError(client.api(`/servicePrincipals/${sp.id}`).patch({ appRoleAssignmentRequired: 'yes' }), 400, 'RequestBodyRead');
  });

  it('upsert PATCH (appId=…) with Prefer: create-if-missing answers 201, then 204; 404 without the header', async () => {
    const app = await createApp(client);
    settle(emu);
    const path = `/v1.0/servicePrincipals(appId='${app.appId}')`;
    const patch = (prefer: boolean, body: object) =>
      rawFetch(emu, path, {
        token,
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', ...(prefer ? { Prefer: 'create-if-missing' } : {}) },
        body: JSON.stringify(body),
      });
    const missing = await patch(false, { tags: ['a'] });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'Request_ResourceNotFound');
    const created = await patch(true, { tags: ['a'] });
    assert.equal(created.status, 201);
    const sp = (await created.json()) as ServicePrincipal;
    assert.equal(sp.appId, app.appId);
    assert.deepEqual(sp.tags, ['a']);
    const updated = await patch(true, { tags: ['b'] });
    assert.equal(updated.status, 204);
    settle(emu);
    const read = (await client.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal;
    assert.deepEqual(read.tags, ['b']);
  });

  it('DELETE answers 204 and the SP leaves the live collection for deletedItems', async () => {
    const { sp } = await createAppWithSp(emu, client);
    const res = await rawFetch(emu, `/v1.0/servicePrincipals/${sp.id}`, { token, method: 'DELETE' });
    assert.equal(res.status, 204);
    await expectGraphError(client.api(`/servicePrincipals/${sp.id}`).get(), 404, 'Request_ResourceNotFound');
    const deleted = (await client.api(`/directory/deletedItems/${sp.id}`).get()) as Record<string, unknown>;
    assert.equal(deleted['@odata.type'], '#microsoft.graph.servicePrincipal');
  });

  it('Application.ReadWrite.OwnedBy manages only the SPs of apps the caller owns (403 otherwise)', async () => {
    const { client: ownedBy } = await clientWithRoles(emu, client, ['Application.ReadWrite.OwnedBy']);
    const own = (await ownedBy.api('/applications').post({ displayName: uniqueName(), signInAudience: 'AzureADMyOrg' })) as Application;
    settle(emu);
    const sp = await createSp(ownedBy, own.appId!);
    settle(emu);
    await ownedBy.api(`/servicePrincipals/${sp.id}`).patch({ notes: 'mine' });
    const { app: foreign, sp: foreignSp } = await createAppWithSp(emu, client);
    await expectGraphError(ownedBy.api(`/servicePrincipals/${foreignSp.id}`).patch({ notes: 'not mine' }), 403, 'Authorization_RequestDenied');
    await expectGraphError(ownedBy.api(`/servicePrincipals/${foreignSp.id}`).delete(), 403, 'Authorization_RequestDenied');
    await client.api(`/servicePrincipals/${foreignSp.id}`).delete();
    settle(emu);
    await expectGraphError(createSp(ownedBy, foreign.appId!), 403, 'Authorization_RequestDenied');
  });

  it('the SP follows later changes to its application (appRoles, identifierUris, displayName)', async () => {
    const { app, sp } = await createAppWithSp(emu, client);
    const uri = `api://${app.appId}`;
    await client.api(`/applications/${app.id}`).patch({ displayName: `${app.displayName}-renamed`, appRoles: [role], identifierUris: [uri] });
    settle(emu);
    const read = (await client.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal;
    assert.equal(read.appDisplayName, `${app.displayName}-renamed`);
    assert.deepEqual(
      read.appRoles?.map((r) => r.value),
      ['Tasks.Read'],
    );
    assert.deepEqual(read.servicePrincipalNames, [app.appId, uri]);
  });
});

describe('emulator: servicePrincipals under replication lag', () => {
  let client: Client;
  const emu = useEmulator({ replicationLagMs: 300 });
  before(async () => {
    client = graphClient(emu);
  });

  it('POST /servicePrincipals right after creating the app is 400 invalid appId, then succeeds once replicated', async () => {
    const app = await createApp(client);
    await expectGraphError(createSp(client, app.appId!), 400, 'Request_BadRequest', /does not reference a valid application object/);
    settle(emu);
    const sp = await createSp(client, app.appId!);
    assert.equal(sp.appId, app.appId);
  });

  it('a just-created SP reads as 404 until replicated, but a second create is already 409', async () => {
    const app = await createApp(client);
    settle(emu);
    const sp = await createSp(client, app.appId!);
    await expectGraphError(client.api(`/servicePrincipals/${sp.id}`).get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(createSp(client, app.appId!), 409, 'Request_MultipleObjectsWithSameKeyValue');
    settle(emu);
    const read = (await client.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal;
    assert.equal(read.id, sp.id);
  });
});
