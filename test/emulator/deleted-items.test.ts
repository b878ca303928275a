import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, AppRoleAssignment, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import { createAppWithSp, createSp, expectGraphError, settle, uniqueName } from '../helpers/directory.js';

type Listed = { value: Array<Record<string, unknown>> };

describe('emulator: directory/deletedItems', () => {
  let admin: Client;
  let token: string;
  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    token = await graphToken(emu);
  });

  const deleteApp = async (app: Application) => {
    await admin.api(`/applications/${app.id}`).delete();
    settle(emu);
  };
  const deletedApps = (filter: string) => admin.api('/directory/deletedItems/microsoft.graph.application').filter(filter).get() as Promise<Listed>;
  const deletedSps = (filter: string) => admin.api('/directory/deletedItems/microsoft.graph.servicePrincipal').filter(filter).get() as Promise<Listed>;

  it('listing without the type cast is 400 Request_UnsupportedQuery', async () => {
    await expectGraphError(admin.api('/directory/deletedItems').get(), 400, 'Request_UnsupportedQuery', /Only specific instances can be queried/);
  });

  it('deleting an application puts it and its service principal in deletedItems, typed and dated', async () => {
    const { app, sp } = await createAppWithSp(emu, admin);
    await deleteApp(app);
    const apps = await deletedApps(`appId eq '${app.appId}'`);
    assert.equal(apps.value.length, 1);
    assert.equal(apps.value[0]['@odata.type'], '#microsoft.graph.application');
    assert.equal(apps.value[0].id, app.id);
    assert.ok(apps.value[0].deletedDateTime);
    const sps = await deletedSps(`appId eq '${app.appId}'`);
    assert.deepEqual(
      sps.value.map((s) => [s.id, s['@odata.type']]),
      [[sp.id, '#microsoft.graph.servicePrincipal']],
    );
    await expectGraphError(admin.api(`/servicePrincipals/${sp.id}`).get(), 404, 'Request_ResourceNotFound');
    const one = (await admin.api(`/directory/deletedItems/${app.id}`).get()) as Record<string, unknown>;
    assert.equal(one['@odata.type'], '#microsoft.graph.application');
    assert.equal(one.displayName, app.displayName);
  });

  it('the typed lists support $select and $orderby deletedDateTime', async () => {
    const first = await createAppWithSp(emu, admin);
    await deleteApp(first.app);
    emu.clock.advance(1000);
    const second = await createAppWithSp(emu, admin);
    await deleteApp(second.app);
    const res = (await admin
      .api('/directory/deletedItems/microsoft.graph.application')
      .select('id,deletedDateTime')
      .orderby('deletedDateTime desc')
      .get()) as Listed;
    const ids = res.value.map((a) => a.id);
    assert.ok(ids.indexOf(second.app.id) < ids.indexOf(first.app.id));
    assert.deepEqual(Object.keys(res.value[0]).sort(), ['deletedDateTime', 'id']);
  });

  it('restoring the application answers 200 and brings back the app, its SP and the SP assignments', async () => {
    const role = { id: randomUUID(), value: 'Data.Read', displayName: 'r', description: 'r', allowedMemberTypes: ['Application'], isEnabled: true };
    const { sp: resource } = await createAppWithSp(emu, admin, { appRoles: [role] });
    const { app, sp } = await createAppWithSp(emu, admin);
    const assignment = (await admin
      .api(`/servicePrincipals/${resource.id}/appRoleAssignedTo`)
      .post({ principalId: sp.id, resourceId: resource.id, appRoleId: role.id })) as AppRoleAssignment;
    await deleteApp(app);
    const res = await rawFetch(emu, `/v1.0/directory/deletedItems/${app.id}/restore`, { token, method: 'POST' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['@odata.type'], '#microsoft.graph.application');
    assert.equal(body.id, app.id);
    assert.equal(body.deletedDateTime, null);
    settle(emu);
    assert.equal(((await admin.api(`/applications/${app.id}`).get()) as Application).appId, app.appId);
    assert.equal(((await admin.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal).appId, app.appId);
    const assignments = (await admin.api(`/servicePrincipals/${sp.id}/appRoleAssignments`).get()) as { value: AppRoleAssignment[] };
    assert.deepEqual(
      assignments.value.map((a) => a.id),
      [assignment.id],
    );
    assert.deepEqual((await deletedApps(`id eq '${app.id}'`)).value, []);
  });

  it('a deleted service principal alone can be restored; not while another SP holds its appId (409)', async () => {
    const { app, sp } = await createAppWithSp(emu, admin);
    await admin.api(`/servicePrincipals/${sp.id}`).delete();
    settle(emu);
    const replacement = await createSp(admin, app.appId!);
    settle(emu);
    await expectGraphError(admin.api(`/directory/deletedItems/${sp.id}/restore`).post({}), 409, 'Request_MultipleObjectsWithSameKeyValue');
    await admin.api(`/servicePrincipals/${replacement.id}`).delete();
    settle(emu);
    const restored = (await admin.api(`/directory/deletedItems/${sp.id}/restore`).post({})) as Record<string, unknown>;
    assert.equal(restored['@odata.type'], '#microsoft.graph.servicePrincipal');
    settle(emu);
    assert.equal(((await admin.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal).id, sp.id);
  });

  it('purging the application answers 204 and leaves its deleted SP in the bin', async () => {
    const { app, sp } = await createAppWithSp(emu, admin);
    await deleteApp(app);
    const res = await rawFetch(emu, `/v1.0/directory/deletedItems/${app.id}`, { token, method: 'DELETE' });
    assert.equal(res.status, 204);
    await expectGraphError(admin.api(`/directory/deletedItems/${app.id}`).get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(admin.api(`/directory/deletedItems/${app.id}/restore`).post({}), 404, 'Request_ResourceNotFound');
    assert.deepEqual(
      (await deletedSps(`id eq '${sp.id}'`)).value.map((s) => s.id),
      [sp.id],
    );
  });

  it('a uniqueName is reserved while its app is soft-deleted and free again after purge', async () => {
    const name = uniqueName('tf-unique');
    const upsert = () =>
      rawFetch(emu, `/v1.0/applications(uniqueName='${name}')`, {
        token,
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Prefer: 'create-if-missing' },
        body: JSON.stringify({ displayName: name }),
      });
    const created = await upsert();
    assert.equal(created.status, 201);
    const app = (await created.json()) as Application;
    settle(emu);
    await deleteApp(app);
    const blocked = await upsert();
    assert.equal(blocked.status, 400);
    assert.match(((await blocked.json()) as { error: { message: string } }).error.message, /uniqueName/);
    await admin.api(`/directory/deletedItems/${app.id}`).delete();
    const again = await upsert();
    assert.equal(again.status, 201);
    assert.notEqual(((await again.json()) as Application).id, app.id);
  });

  it('an unknown id is 404 for get, restore and purge', async () => {
    const id = randomUUID();
    await expectGraphError(admin.api(`/directory/deletedItems/${id}`).get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(admin.api(`/directory/deletedItems/${id}/restore`).post({}), 404, 'Request_ResourceNotFound');
    await expectGraphError(admin.api(`/directory/deletedItems/${id}`).delete(), 404, 'Request_ResourceNotFound');
  });
});
