import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { expectGraphError, settle } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';

/** /applications/{id}/owners through the Graph SDK: the creator is an owner; users and SPs are added and removed by $ref. */
describe('emulator: application owners', () => {
  const emu = useEmulator({ users: [{ userPrincipalName: 'owner', displayName: 'Owner User', password: 'owner-pass' }] });
  let admin: Client;
  let app: Application;
  let adminSp: ServicePrincipal;
  const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
  const owners = async () => ((await admin.api(`/applications/${app.id}/owners`).get()) as { value: Array<Record<string, unknown>> }).value;

  before(async () => {
    admin = graphClient(emu);
    app = (await admin.api('/applications').post({ displayName: 'owned app' })) as Application;
    adminSp = ((await admin.api('/servicePrincipals').filter(`appId eq '${emu.adminClientId}'`).get()) as { value: ServicePrincipal[] }).value[0];
    settle(emu);
  });

  it('lists the creator as a typed directory object', async () => {
    const list = (await admin.api(`/applications/${app.id}/owners`).get()) as { '@odata.context': string; value: Array<Record<string, unknown>> };
    assert.match(list['@odata.context'], /\$metadata#directoryObjects$/);
    assert.deepEqual(
      list.value.map((o) => [o['@odata.type'], o.id, o.appId]),
      [['#microsoft.graph.servicePrincipal', adminSp.id, emu.adminClientId]],
    );
  });

  it('adds a user by $ref (204), refuses it twice (400), removes it (204), then 404', async () => {
    const user = emu.seededUsers[0];
    await admin.api(`/applications/${app.id}/owners/$ref`).post(ref(user.id));
    const after = await owners();
    assert.deepEqual(
      after.map((o) => [o['@odata.type'], o.id]),
      [
        ['#microsoft.graph.servicePrincipal', adminSp.id],
        ['#microsoft.graph.user', user.id],
      ],
    );
    assert.equal(after[1].userPrincipalName, user.userPrincipalName);
    await expectGraphError(
      admin.api(`/applications/${app.id}/owners/$ref`).post(ref(user.id)),
      400,
      'Request_BadRequest',
      "One or more added object references already exist for the following modified properties: 'owners'.",
    );
    await admin.api(`/applications/${app.id}/owners/${user.id}/$ref`).delete();
    assert.deepEqual(
      (await owners()).map((o) => o.id),
      [adminSp.id],
    );
    await expectGraphError(admin.api(`/applications/${app.id}/owners/${user.id}/$ref`).delete(), 404, 'Request_ResourceNotFound');
  });

  it('$expand=owners and owners/$count follow the owners list', async () => {
    const user = emu.seededUsers[0];
    await admin.api(`/applications/${app.id}/owners/$ref`).post(ref(user.id));
    const expanded = (await admin.api(`/applications/${app.id}`).select('id').expand('owners').get()) as { owners: Array<Record<string, unknown>> };
    assert.deepEqual(
      expanded.owners.map((o) => [o['@odata.type'], o.id]),
      [
        ['#microsoft.graph.servicePrincipal', adminSp.id],
        ['#microsoft.graph.user', user.id],
      ],
    );
    const count = (await admin
      .api(`/applications/${app.id}/owners/$count`)
      .header('ConsistencyLevel', 'eventual')
      .responseType(ResponseType.TEXT)
      .get()) as string;
    assert.equal(count, '2');
    await admin.api(`/applications/${app.id}/owners/${user.id}/$ref`).delete();
  });

  it('service principals have owners too: list, $ref add and remove, $count, $expand', async () => {
    const user = emu.seededUsers[0];
    const spOwners = async () =>
      ((await admin.api(`/servicePrincipals/${adminSp.id}/owners`).get()) as { value: Array<Record<string, unknown>> }).value.map((o) => [
        o['@odata.type'],
        o.id,
      ]);
    assert.deepEqual(await spOwners(), []);
    await admin.api(`/servicePrincipals/${adminSp.id}/owners/$ref`).post(ref(user.id));
    assert.deepEqual(await spOwners(), [['#microsoft.graph.user', user.id]]);
    await expectGraphError(
      admin.api(`/servicePrincipals/${adminSp.id}/owners/$ref`).post(ref(user.id)),
      400,
      'Request_BadRequest',
      "One or more added object references already exist for the following modified properties: 'owners'.",
    );
    const expanded = (await admin.api(`/servicePrincipals/${adminSp.id}`).select('id').expand('owners').get()) as { owners: Array<{ id: string }> };
    assert.deepEqual(
      expanded.owners.map((o) => o.id),
      [user.id],
    );
    const count = (await admin
      .api(`/servicePrincipals/${adminSp.id}/owners/$count`)
      .header('ConsistencyLevel', 'eventual')
      .responseType(ResponseType.TEXT)
      .get()) as string;
    assert.equal(count, '1');
    await admin.api(`/servicePrincipals/${adminSp.id}/owners/${user.id}/$ref`).delete();
    assert.deepEqual(await spOwners(), []);
    await expectGraphError(admin.api(`/servicePrincipals/${adminSp.id}/owners/${user.id}/$ref`).delete(), 404, 'Request_ResourceNotFound');
  });

  it('refuses an object that does not exist (404) and a reference that is not a directory object URL (400)', async () => {
    await expectGraphError(admin.api(`/applications/${app.id}/owners/$ref`).post(ref('00000000-0000-0000-0000-00000000beef')), 404, 'Request_ResourceNotFound');
    await expectGraphError(admin.api(`/applications/${app.id}/owners/$ref`).post({ '@odata.id': 'not a url' }), 400, 'Request_BadRequest');
  });

  it('lists what a service principal owns (ownedObjects cast to applications), by id and by appId', async () => {
    const byAppId = (await admin
      .api(`/servicePrincipals(appId='${emu.adminClientId}')/ownedObjects/microsoft.graph.application`)
      .select('id,displayName')
      .get()) as { value: Application[] };
    assert.ok(byAppId.value.some((a) => a.id === app.id && a.displayName === 'owned app'));
    assert.deepEqual(Object.keys(byAppId.value[0]).sort(), ['displayName', 'id']);
    const other = (await admin.api('/applications').post({ displayName: 'not owned by the user' })) as Application;
    settle(emu);
    const byId = (await admin.api(`/servicePrincipals/${adminSp.id}/ownedObjects/microsoft.graph.application`).get()) as { value: Application[] };
    assert.ok(byId.value.some((a) => a.id === other.id));
  });
});

describe('emulator: /me with an app-only token', () => {
  const emu = useEmulator();
  it('is 400 BadRequest "/me request is only valid with delegated authentication flow." on any path below it', async () => {
    for (const path of ['/me', '/me/ownedObjects/microsoft.graph.application']) {
      await expectGraphError(graphClient(emu).api(path).get(), 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    }
  });
});

describe('emulator: object ids', () => {
  const emu = useEmulator();
  it('a malformed id is 400 "Invalid object identifier", not 404; delta and $count are not guessed as ids (501)', async () => {
    const admin = graphClient(emu);
    await expectGraphError(admin.api('/applications/not-a-guid').get(), 400, 'Request_BadRequest', "Invalid object identifier 'not-a-guid'.");
    await expectGraphError(admin.api('/servicePrincipals/12345').get(), 400, 'Request_BadRequest', "Invalid object identifier '12345'.");
    await expectGraphError(admin.api('/applications/delta').get(), 501, 'NotImplemented');
    await expectGraphError(admin.api('/applications/00000000-0000-0000-0000-000000000001').get(), 404, 'Request_ResourceNotFound');
  });
});
