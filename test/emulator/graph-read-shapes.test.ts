import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, AppRole, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { expectGraphError, msGraphSp, settle } from '../helpers/directory.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';

/**
 * Issue 10, Graph read shapes: property paths, `$expand`, `$count` segments of other collections
 * (docs/emulator-fidelity.md, "Graph read shapes"). Each behavior through the Graph JS client where it builds the
 * request, and raw HTTPS for the exact status, code and message.
 */

type Json = Record<string, unknown> & { '@odata.context'?: string; value?: unknown };

describe('graph read shapes: property paths', () => {
  let client: Client;
  let token: string;
  let app: Application;
  let sp: ServicePrincipal;
  const emu = useEmulator();
  const role: AppRole = {
    id: randomUUID(),
    allowedMemberTypes: ['Application'],
    displayName: 'Read',
    description: 'Read',
    isEnabled: true,
    value: 'Shapes.Read',
  };

  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
    app = (await client.api('/applications').post({
      displayName: 'shapes-api',
      signInAudience: 'AzureADMyOrg',
      appRoles: [role],
      identifierUris: [],
      web: { redirectUris: ['https://localhost/cb'] },
    })) as Application;
    settle(emu);
    sp = (await client.api('/servicePrincipals').post({ appId: app.appId })) as ServicePrincipal;
    await client.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'p1' } });
    settle(emu);
  });

  const raw = async (path: string, init: RequestInit = {}) => {
    const res = await rawFetch(emu, `/v1.0${path}`, { token, ...init });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json & { error?: { code: string; message: string } } };
  };

  it('a collection-valued property answers {@odata.context …(id)/name, value} (through the SDK too)', async () => {
    const roles = (await client.api(`/applications/${app.id}/appRoles`).get()) as Json;
    assert.equal(roles['@odata.context'], `${emu.graphUrl}/v1.0/$metadata#applications('${app.id}')/appRoles`);
    assert.deepEqual(roles.value, [{ ...role, origin: 'Application' }]);
    const spRoles = (await client.api(`/servicePrincipals/${sp.id}/appRoles`).get()) as Json;
    assert.equal(spRoles['@odata.context'], `${emu.graphUrl}/v1.0/$metadata#servicePrincipals('${sp.id}')/appRoles`);
    assert.deepEqual(spRoles.value, [{ ...role, origin: 'Application' }]);
    for (const [path, expected] of [
      [`/servicePrincipals/${sp.id}/servicePrincipalNames`, [app.appId]],
      [`/servicePrincipals/${sp.id}/oauth2PermissionScopes`, []],
      [`/servicePrincipals/${sp.id}/keyCredentials`, []],
      [`/applications/${app.id}/keyCredentials`, []],
      [`/applications/${app.id}/identifierUris`, []],
    ] as const) {
      const { status, body } = await raw(path);
      assert.equal(status, 200, path);
      assert.deepEqual(body.value, expected, path);
    }
    const secrets = await raw(`/applications/${app.id}/passwordCredentials`);
    const creds = secrets.body.value as Array<{ displayName: string; secretText: unknown }>;
    assert.deepEqual(
      creds.map((c) => [c.displayName, c.secretText]),
      [['p1', null]],
    );
  });

  it('primitive and complex properties; a null single-valued one answers 204; alternate keys work', async () => {
    const name = await raw(`/applications/${app.id}/displayName`);
    assert.deepEqual(name, {
      status: 200,
      body: { '@odata.context': `${emu.graphUrl}/v1.0/$metadata#applications('${app.id}')/displayName`, value: 'shapes-api' },
    });
    const web = (await client.api(`/applications/${app.id}/web`).get()) as Json;
    assert.equal(web['@odata.context'], `${emu.graphUrl}/v1.0/$metadata#applications('${app.id}')/web`);
    assert.deepEqual(web.redirectUris, ['https://localhost/cb']);
    assert.equal((await raw(`/applications/${app.id}/optionalClaims`)).status, 204);
    assert.equal((await raw(`/applications/${app.id}/description`)).status, 204);
    const byAppId = await raw(`/servicePrincipals(appId='${app.appId}')/appRoles`);
    assert.equal(byAppId.body['@odata.context'], `${emu.graphUrl}/v1.0/$metadata#servicePrincipals('appId%3D${app.appId}')/appRoles`);
    assert.deepEqual(byAppId.body.value, [{ ...role, origin: 'Application' }]);
    const appByAppId = await raw(`/applications(appId='${app.appId}')/signInAudience`);
    assert.equal(appByAppId.body.value, 'AzureADMyOrg');
  });

  it('an unknown property is 400 BadRequest "Resource not found for the segment \'…\'.", before the object is looked up', async () => {
    for (const path of [`/applications/${app.id}/bogus`, `/applications/${randomUUID()}/bogus`, `/servicePrincipals/${sp.id}/bogus`]) {
      const { status, body } = await raw(path);
      assert.equal(status, 400, path);
      assert.deepEqual([body.error?.code, body.error?.message], ['BadRequest', "Resource not found for the segment 'bogus'."]);
    }
    await expectGraphError(client.api(`/applications/${randomUUID()}/appRoles`).get(), 404, 'Request_ResourceNotFound');
  });

  it('unmodelled navigations, actions, streams, options and writes on property paths answer 501; routed names keep 405', async () => {
    for (const path of [
      `/applications/${app.id}/extensionProperties`,
      `/applications/${app.id}/logo`,
      `/applications/${app.id}/setVerifiedPublisher`,
      `/servicePrincipals/${sp.id}/memberOf`,
      `/servicePrincipals/${sp.id}/customSecurityAttributes`,
      `/applications/${app.id}/appRoles?$select=id`,
      `/applications/${app.id}/appRoles?$filter=isEnabled eq true`,
    ]) {
      const { status, body } = await raw(path);
      assert.equal(status, 501, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.error?.code, 'NotImplemented');
    }
    const patch = await raw(`/applications/${app.id}/displayName`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value: 'x' }),
    });
    assert.equal(patch.status, 501);
    assert.equal((await raw(`/applications/${app.id}/addPassword`)).status, 405);
    assert.equal(
      (await raw(`/servicePrincipals/${sp.id}/appRoleAssignedTo`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status,
      405,
    );
  });
});

describe('graph read shapes: $expand', () => {
  let client: Client;
  let token: string;
  let app: Application;
  let principal: ServicePrincipal;
  let assigned = 0;
  const emu = useEmulator();

  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
    const ownRoles = Array.from({ length: 5 }, (_, i) => ({
      id: randomUUID(),
      allowedMemberTypes: ['Application'],
      displayName: `Own ${i}`,
      description: `Own ${i}`,
      isEnabled: true,
      value: `Own.${i}`,
    }));
    app = (await client.api('/applications').post({ displayName: 'expand-me', signInAudience: 'AzureADMyOrg', appRoles: ownRoles })) as Application;
    settle(emu);
    principal = (await client.api('/servicePrincipals').post({ appId: app.appId })) as ServicePrincipal;
    settle(emu);
    // More app role assignments on one principal than $expand returns: 30 Microsoft Graph roles and its own five (fewer than a page of 100).
    const graph = await msGraphSp(client);
    const targets = [...graph.appRoles!.slice(0, 30).map((r) => [graph.id!, r.id!]), ...ownRoles.map((r) => [principal.id!, r.id])];
    assigned = targets.length;
    assert.ok(assigned > 20);
    for (const [resourceId, appRoleId] of targets) {
      await client.api(`/servicePrincipals/${principal.id}/appRoleAssignments`).post({ principalId: principal.id, resourceId, appRoleId });
    }
    settle(emu);
  });

  const raw = async (path: string, headers: Record<string, string> = {}) => {
    const res = await rawFetch(emu, `/v1.0${path}`, { token, headers });
    return { status: res.status, body: (await res.json()) as Json & { error?: { code: string; message: string } } };
  };

  it('owners of an application, on the list and the entity (SDK .expand), with the context ODataLib writes', async () => {
    const one = (await client.api(`/applications/${app.id}`).expand('owners').get()) as Json & { owners: Json[] };
    assert.equal(one['@odata.context'], `${emu.graphUrl}/v1.0/$metadata#applications(owners())/$entity`);
    // The admin client created the app, so its service principal is the owner.
    assert.deepEqual(
      one.owners.map((o) => [o['@odata.type'], o.appId]),
      [['#microsoft.graph.servicePrincipal', emu.adminClientId]],
    );
    const list = (await client.api('/applications').filter(`appId eq '${app.appId}'`).select('id,displayName').expand('owners').get()) as Json & {
      value: Array<Json & { owners: Json[] }>;
    };
    assert.equal(list['@odata.context'], `${emu.graphUrl}/v1.0/$metadata#applications(id,displayName,owners())`);
    assert.deepEqual(Object.keys(list.value[0]), ['id', 'displayName', 'owners']);
    assert.equal(list.value[0].owners.length, 1);
  });

  it('$select inside the expand: directoryObject properties only (else 400 "Invalid $select properties."); other nested options 501', async () => {
    const ok = await raw(`/applications/${app.id}?$expand=owners($select=id)`);
    assert.equal(ok.status, 200);
    assert.equal(ok.body['@odata.context'], `${emu.graphUrl}/v1.0/$metadata#applications(owners(id))/$entity`);
    assert.deepEqual(ok.body.owners, [{ '@odata.type': '#microsoft.graph.servicePrincipal', id: (ok.body.owners as Json[])[0].id }]);
    const bad = await raw(`/applications/${app.id}?$expand=owners($select=displayName)`);
    assert.deepEqual([bad.status, bad.body.error?.code, bad.body.error?.message], [400, 'Request_BadRequest', 'Invalid $select properties.']);
    for (const q of ['owners($expand=owners)', 'owners($filter=id eq null)', 'owners($top=1)', '*', 'extensionProperties']) {
      const res = await raw(`/applications/${app.id}?$expand=${encodeURIComponent(q)}`);
      assert.equal(res.status, 501, q);
    }
  });

  it('appRoleAssignments and appRoleAssignedTo of service principals: at most 20 expanded, no nextLink; the collection has all', async () => {
    const sp = (await client.api(`/servicePrincipals/${principal.id}`).expand('appRoleAssignments').get()) as Json & { appRoleAssignments: Json[] };
    assert.equal(sp.appRoleAssignments.length, 20);
    assert.equal(sp['appRoleAssignments@odata.nextLink'], undefined);
    const all = (await client.api(`/servicePrincipals/${principal.id}/appRoleAssignments`).get()) as { value: unknown[] };
    assert.equal(all.value.length, assigned);
    const graph = await raw(`/servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000'&$expand=appRoleAssignedTo($select=id,principalId)`);
    assert.equal(graph.status, 200);
    const assignedTo = (graph.body.value as Array<{ appRoleAssignedTo: Json[] }>)[0].appRoleAssignedTo;
    assert.equal(assignedTo.length, 20);
    assert.deepEqual(Object.keys(assignedTo[0]), ['id', 'principalId']);
  });

  it('unknown or structural names are 400; advanced queries with $expand are 501', async () => {
    const unknown = await raw(`/applications?$expand=bogus`);
    assert.deepEqual(
      [unknown.status, unknown.body.error?.code, unknown.body.error?.message],
      [400, 'BadRequest', "Could not find a property named 'bogus' on type 'microsoft.graph.application'."],
    );
    const structural = await raw(`/applications?$expand=displayName`);
    assert.equal(structural.status, 400);
    assert.match(String(structural.body.error?.message), /is not a navigation property or complex property\. Only navigation properties can be expanded\.$/);
    const advanced = await raw(`/applications?$expand=owners&$count=true`, { ConsistencyLevel: 'eventual' });
    assert.equal(advanced.status, 501);
    const search = await raw(`/applications?$expand=owners&$search="displayName:expand"`, { ConsistencyLevel: 'eventual' });
    assert.equal(search.status, 501);
    // $count=true without the header is ignored, so the expand stands.
    assert.equal((await raw(`/applications?$expand=owners&$count=true`)).status, 200);
  });

  it('$count segments: /servicePrincipals, /users, owners and appRoleAssignments/appRoleAssignedTo, with ConsistencyLevel only', async () => {
    const text = async (path: string, headers: Record<string, string> = { ConsistencyLevel: 'eventual' }) => {
      const res = await rawFetch(emu, `/v1.0${path}`, { token, headers });
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    };
    const sps = await text('/servicePrincipals/$count');
    assert.equal(sps.status, 200);
    assert.match(String(sps.type), /^text\/plain/);
    const listed = (await client.api('/servicePrincipals').top(999).get()) as { value: unknown[] };
    assert.equal(Number(sps.text), listed.value.length);
    assert.equal((await text(`/servicePrincipals/$count?$filter=appId eq '${app.appId}'`)).text, '1');
    assert.equal((await text('/users/$count')).status, 200);
    assert.equal((await text(`/applications/${app.id}/owners/$count`)).text, '1');
    assert.equal((await text(`/servicePrincipals/${principal.id}/appRoleAssignments/$count`)).text, String(assigned));
    assert.equal((await text(`/servicePrincipals/${principal.id}/appRoleAssignedTo/$count`)).text, '5');
    for (const path of [
      '/servicePrincipals/$count',
      '/users/$count',
      `/applications/${app.id}/owners/$count`,
      `/servicePrincipals/${principal.id}/appRoleAssignedTo/$count`,
    ]) {
      const res = await raw(path);
      assert.deepEqual([res.status, res.body.error?.code, res.body.error?.message], [400, 'Request_BadRequest', '$count is not currently supported.'], path);
    }
  });
});
