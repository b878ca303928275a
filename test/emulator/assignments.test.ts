import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AppRoleAssignment, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import { clientWithRoles, createApp, createAppWithSp, createSp, expectGraphError, msGraphSp, roleId, settle } from '../helpers/directory.js';

const DEFAULT_ACCESS = '00000000-0000-0000-0000-000000000000';
const appRole = (value: string, allowed: string[] = ['Application']) => ({
  id: randomUUID(),
  value,
  displayName: value,
  description: value,
  allowedMemberTypes: allowed,
  isEnabled: true,
});

describe('emulator: app role assignments', () => {
  let admin: Client;
  let token: string;
  let resource: ServicePrincipal;
  let reader: ReturnType<typeof appRole>;
  let userOnly: ReturnType<typeof appRole>;
  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    token = await graphToken(emu);
    reader = appRole('Tasks.Read.All');
    userOnly = appRole('Tasks.Admin', ['User']);
    ({ sp: resource } = await createAppWithSp(emu, admin, { appRoles: [reader, userOnly] }));
  });

  const assign = (principal: ServicePrincipal, appRoleId: string, res: ServicePrincipal = resource) =>
    admin
      .api(`/servicePrincipals/${res.id}/appRoleAssignedTo`)
      .post({ principalId: principal.id, resourceId: res.id, appRoleId }) as Promise<AppRoleAssignment>;

  it('POST appRoleAssignedTo answers 201 with the assignment (opaque id, names, principalType)', async () => {
    const { sp: principal } = await createAppWithSp(emu, admin);
    const res = await rawFetch(emu, `/v1.0/servicePrincipals/${resource.id}/appRoleAssignedTo`, {
      token,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ principalId: principal.id, resourceId: resource.id, appRoleId: reader.id }),
    });
    assert.equal(res.status, 201);
    const a = (await res.json()) as AppRoleAssignment;
    assert.match(a.id!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(a.appRoleId, reader.id);
    assert.equal(a.principalId, principal.id);
    assert.equal(a.principalType, 'ServicePrincipal');
    assert.equal(a.principalDisplayName, principal.displayName);
    assert.equal(a.resourceId, resource.id);
    assert.equal(a.resourceDisplayName, resource.displayName);
    assert.equal(a.deletedDateTime, null);
    assert.ok(a.createdDateTime);
  });

  it('lists the assignment from both ends, with $filter', async () => {
    const { sp: principal } = await createAppWithSp(emu, admin);
    const a = await assign(principal, reader.id);
    settle(emu);
    const assignedTo = (await admin.api(`/servicePrincipals/${resource.id}/appRoleAssignedTo`).filter(`principalId eq ${principal.id}`).get()) as {
      value: AppRoleAssignment[];
    };
    assert.deepEqual(
      assignedTo.value.map((x) => x.id),
      [a.id],
    );
    const assignments = (await admin.api(`/servicePrincipals(appId='${principal.appId}')/appRoleAssignments`).get()) as { value: AppRoleAssignment[] };
    assert.deepEqual(
      assignments.value.map((x) => x.id),
      [a.id],
    );
    const one = (await admin.api(`/servicePrincipals/${resource.id}/appRoleAssignedTo/${a.id}`).get()) as AppRoleAssignment;
    assert.equal(one.appRoleId, reader.id);
  });

  it('a duplicate assignment is 400 "Permission being assigned already exists on the object."', async () => {
    const { sp: principal } = await createAppWithSp(emu, admin);
    await assign(principal, reader.id);
    await expectGraphError(assign(principal, reader.id), 400, 'Request_BadRequest', 'Permission being assigned already exists on the object.');
  });

  it('an unknown app role, a User-only role, or default access on a resource with roles is 400', async () => {
    const { sp: principal } = await createAppWithSp(emu, admin);
    for (const id of [randomUUID(), userOnly.id, DEFAULT_ACCESS]) {
      await expectGraphError(assign(principal, id), 400, 'Request_BadRequest', 'Permission being assigned was not found on application.');
    }
  });

  it('default access (all-zero role id) is accepted when the resource defines no roles', async () => {
    const { sp: plain } = await createAppWithSp(emu, admin);
    const { sp: principal } = await createAppWithSp(emu, admin);
    const a = await assign(principal, DEFAULT_ACCESS, plain);
    assert.equal(a.appRoleId, DEFAULT_ACCESS);
  });

  it('a resourceId that is not the SP in the URL is 400', async () => {
    const { sp: principal } = await createAppWithSp(emu, admin);
    const call = admin
      .api(`/servicePrincipals/${resource.id}/appRoleAssignedTo`)
      .post({ principalId: principal.id, resourceId: principal.id, appRoleId: reader.id });
    await expectGraphError(call, 400, 'Request_BadRequest');
  });

  it('POST on the principal side (appRoleAssignments) creates the same kind of assignment', async () => {
    const { sp: principal } = await createAppWithSp(emu, admin);
    const a = (await admin
      .api(`/servicePrincipals/${principal.id}/appRoleAssignments`)
      .post({ principalId: principal.id, resourceId: resource.id, appRoleId: reader.id })) as AppRoleAssignment;
    assert.equal(a.resourceId, resource.id);
    assert.equal(a.principalId, principal.id);
  });

  it('DELETE from either end answers 204; an unknown or already deleted id is 404', async () => {
    const { sp: principal } = await createAppWithSp(emu, admin);
    const a = await assign(principal, reader.id);
    const other = await assign(principal, DEFAULT_ACCESS, (await createAppWithSp(emu, admin)).sp);
    settle(emu);
    const del = await rawFetch(emu, `/v1.0/servicePrincipals/${resource.id}/appRoleAssignedTo/${a.id}`, { token, method: 'DELETE' });
    assert.equal(del.status, 204);
    const del2 = await rawFetch(emu, `/v1.0/servicePrincipals/${principal.id}/appRoleAssignments/${other.id}`, { token, method: 'DELETE' });
    assert.equal(del2.status, 204);
    await expectGraphError(admin.api(`/servicePrincipals/${resource.id}/appRoleAssignedTo/${a.id}`).delete(), 404, 'Request_ResourceNotFound');
    const left = (await admin.api(`/servicePrincipals/${principal.id}/appRoleAssignments`).get()) as { value: unknown[] };
    assert.deepEqual(left.value, []);
  });

  it('needs Application.Read.All besides AppRoleAssignment.ReadWrite.All: 403 Authorization_RequestDenied', async () => {
    const { client: limited } = await clientWithRoles(emu, admin, ['AppRoleAssignment.ReadWrite.All']);
    const { sp: principal } = await createAppWithSp(emu, admin);
    const call = limited
      .api(`/servicePrincipals/${resource.id}/appRoleAssignedTo`)
      .post({ principalId: principal.id, resourceId: resource.id, appRoleId: reader.id });
    await expectGraphError(call, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  });

  it('a client without any Graph app role gets 403 on reads and writes', async () => {
    const { client: nobody } = await clientWithRoles(emu, admin, []);
    await expectGraphError(nobody.api('/servicePrincipals').get(), 403, 'Authorization_RequestDenied');
    const graphSp = await msGraphSp(admin);
    const call = nobody
      .api(`/servicePrincipals/${graphSp.id}/appRoleAssignedTo`)
      .post({ principalId: resource.id, resourceId: graphSp.id, appRoleId: roleId(graphSp, 'Application.ReadWrite.All') });
    await expectGraphError(call, 403, 'Authorization_RequestDenied');
  });
});

describe('emulator: app role assignments under replication lag', () => {
  let admin: Client;
  const emu = useEmulator({ replicationLagMs: 300 });
  before(async () => {
    admin = graphClient(emu);
  });

  it('assigning to a just-created principal SP is 400 "Not a valid reference update.", then works', async () => {
    const role = appRole('Jobs.Run');
    const { sp: resource } = await createAppWithSp(emu, admin, { appRoles: [role] });
    const app = await createApp(admin);
    settle(emu);
    const principal = await createSp(admin, app.appId!);
    const assign = () =>
      admin.api(`/servicePrincipals/${resource.id}/appRoleAssignedTo`).post({ principalId: principal.id, resourceId: resource.id, appRoleId: role.id });
    await expectGraphError(assign(), 400, 'Request_BadRequest', 'Not a valid reference update.');
    settle(emu);
    const a = (await assign()) as AppRoleAssignment;
    assert.equal(a.principalId, principal.id);
  });

  it('a just-created resource SP in the URL is 404', async () => {
    const role = appRole('Jobs.Read');
    const app = await createApp(admin, { appRoles: [role] });
    const { sp: principal } = await createAppWithSp(emu, admin);
    const resource = await createSp(admin, app.appId!);
    const call = admin
      .api(`/servicePrincipals/${resource.id}/appRoleAssignedTo`)
      .post({ principalId: principal.id, resourceId: resource.id, appRoleId: role.id });
    await expectGraphError(call, 404, 'Request_ResourceNotFound');
  });
});
