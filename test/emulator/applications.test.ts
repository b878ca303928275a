import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { createApp, expectGraphError, extraClient, role } from '../helpers/applications.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';

type List<T> = { value: T[]; '@odata.context': string };

describe('applications: create, read, list', () => {
  let client: Client;
  let token: string;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
  });

  const post = (body: unknown) =>
    rawFetch(emu, '/v1.0/applications', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('POST answers 201 with the full object shaped like the docs sample', async () => {
    const res = await post({ displayName: 'shape' });
    assert.equal(res.status, 201);
    const app = (await res.json()) as Record<string, unknown>;
    assert.match(String(app['@odata.context']), /\$metadata#applications\/\$entity$/);
    assert.match(String(app.id), /^[0-9a-f-]{36}$/);
    assert.match(String(app.appId), /^[0-9a-f-]{36}$/);
    assert.notEqual(app.id, app.appId);
    assert.deepEqual(app.identifierUris, []);
    assert.deepEqual(app.api, {
      acceptMappedClaims: null,
      knownClientApplications: [],
      // Graph's defaults when the body names no audience (docs sample; microsoft-graph-docs-contrib#3916).
      requestedAccessTokenVersion: 2,
      oauth2PermissionScopes: [],
      preAuthorizedApplications: [],
    });
    assert.deepEqual(app.parentalControlSettings, { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' });
    assert.deepEqual((app.web as Record<string, unknown>).implicitGrantSettings, { enableAccessTokenIssuance: false, enableIdTokenIssuance: false });
    for (const k of ['appRoles', 'keyCredentials', 'passwordCredentials', 'requiredResourceAccess', 'tags']) assert.deepEqual(app[k], [], k);
    assert.equal(app.optionalClaims, null);
    assert.equal(app.groupMembershipClaims, null);
    assert.equal(app.deletedDateTime, null);
    assert.equal(app.uniqueName, null);
    assert.equal(app.signInAudience, 'AzureADandPersonalMicrosoftAccount');
    assert.equal(app.publisherDomain, 'tenantformlocal.onmicrosoft.com');
    assert.ok(!Number.isNaN(Date.parse(String(app.createdDateTime))));
  });

  it('POST without displayName answers 400 Request_BadRequest', async () => {
    await expectGraphError(client.api('/applications').post({ tags: ['x'] }), 400, 'Request_BadRequest');
  });

  it('POST keeps complex defaults the body does not mention', async () => {
    const app = await createApp(client, { web: { redirectUris: ['https://localhost/cb'] } });
    assert.deepEqual(app.web?.redirectUris, ['https://localhost/cb']);
    assert.equal(app.web?.implicitGrantSettings?.enableIdTokenIssuance, false);
  });

  it('GET by id, by (appId=…) and by (uniqueName=…) answer the same object', async () => {
    const app = await createApp(client, { uniqueName: 'get-by-keys' });
    const byId = (await client.api(`/applications/${app.id}`).get()) as Application;
    const byAppId = (await client.api(`/applications(appId='${app.appId}')`).get()) as Application;
    const byUnique = (await client.api("/applications(uniqueName='get-by-keys')").get()) as Application;
    assert.equal(byId.appId, app.appId);
    assert.equal(byAppId.id, app.id);
    assert.equal(byUnique.id, app.id);
    assert.equal(byUnique.uniqueName, 'get-by-keys');
  });

  it('GET of an unknown application answers 404 Request_ResourceNotFound', async () => {
    await expectGraphError(client.api('/applications/00000000-1111-2222-3333-444444444444').get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(client.api("/applications(appId='00000000-1111-2222-3333-444444444444')").get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(client.api("/applications(uniqueName='nope')").get(), 404, 'Request_ResourceNotFound');
  });

  it('lists with $filter on appId, displayName, uniqueName, tags/any and identifierUris/any', async () => {
    const app = await createApp(client, { displayName: 'filter-me', uniqueName: 'filter-unique', tags: ['stack:alpha'] });
    await client.api(`/applications/${app.id}`).patch({ identifierUris: [`api://${app.appId}`] });
    const ids = async (filter: string) => ((await client.api('/applications').filter(filter).get()) as List<Application>).value.map((a) => a.id);
    assert.deepEqual(await ids(`appId eq '${app.appId}'`), [app.id]);
    assert.deepEqual(await ids("displayName eq 'filter-me'"), [app.id]);
    assert.deepEqual(await ids("uniqueName eq 'filter-unique'"), [app.id]);
    assert.deepEqual(await ids("tags/any(t:t eq 'stack:alpha')"), [app.id]);
    assert.deepEqual(await ids(`identifierUris/any(x:x eq 'api://${app.appId}')`), [app.id]);
    assert.deepEqual(await ids("tags/any(t:t eq 'stack:none')"), []);
  });

  it('$select returns only the named properties', async () => {
    const app = await createApp(client);
    const got = (await client.api(`/applications/${app.id}`).select(['id', 'appId', 'uniqueName']).get()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(got).sort(), ['@odata.context', 'appId', 'id', 'uniqueName']);
    assert.match(String(got['@odata.context']), /applications\(id,appId,uniqueName\)\/\$entity$/);
  });
});

describe('applications: PATCH, upsert, DELETE', () => {
  let client: Client;
  let token: string;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
  });

  const patch = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    rawFetch(emu, `/v1.0${path}`, { method: 'PATCH', token, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('PATCH answers 204 with an empty body; omitted properties keep their values', async () => {
    const app = await createApp(client, { tags: ['a'], notes: 'keep me' });
    const res = await patch(`/applications/${app.id}`, { displayName: 'renamed' });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    const got = (await client.api(`/applications/${app.id}`).get()) as Application;
    assert.equal(got.displayName, 'renamed');
    assert.deepEqual(got.tags, ['a']);
    assert.equal(got.notes, 'keep me');
  });

  it('PATCH replaces collections wholesale and merges complex values like api', async () => {
    const app = await createApp(client, { tags: ['a', 'b'], appRoles: [role('Tasks.Read')] });
    await client.api(`/applications/${app.id}`).patch({ tags: ['c'], api: { requestedAccessTokenVersion: 2 } });
    await client.api(`/applications(appId='${app.appId}')`).patch({ api: { knownClientApplications: [] } });
    const got = (await client.api(`/applications/${app.id}`).get()) as Application;
    assert.deepEqual(got.tags, ['c']);
    assert.equal(got.api?.requestedAccessTokenVersion, 2);
    assert.deepEqual(got.api?.oauth2PermissionScopes, []);
    assert.equal(got.appRoles?.[0].value, 'Tasks.Read');
    assert.equal(got.appRoles?.[0].origin, 'Application');
  });

  it('PATCH keeps the home service principal in step (appRoles, servicePrincipalNames)', async () => {
    const app = await createApp(client);
    await client.api('/servicePrincipals').post({ appId: app.appId });
    const r = role('Sync.Read');
    await client.api(`/applications/${app.id}`).patch({ appRoles: [r], identifierUris: [`api://${app.appId}`] });
    const sp = (await client.api(`/servicePrincipals(appId='${app.appId}')`).get()) as ServicePrincipal;
    assert.deepEqual(
      sp.appRoles?.map((x) => x.id),
      [r.id],
    );
    assert.ok(sp.servicePrincipalNames?.includes(`api://${app.appId}`));
  });

  it('upsert: PATCH (uniqueName=…) with Prefer: create-if-missing answers 201 + object, then 204', async () => {
    const first = await patch("/applications(uniqueName='upsert-1')", { displayName: 'upsert one' }, { Prefer: 'create-if-missing' });
    assert.equal(first.status, 201);
    const created = (await first.json()) as Application;
    assert.equal(created.uniqueName, 'upsert-1');
    assert.equal(created.displayName, 'upsert one');
    const second = await patch("/applications(uniqueName='upsert-1')", { displayName: 'upsert two' }, { Prefer: 'create-if-missing' });
    assert.equal(second.status, 204);
    assert.equal(await second.text(), '');
    const third = await patch("/applications(uniqueName='upsert-1')", { notes: 'no header' });
    assert.equal(third.status, 204);
    const got = (await client.api("/applications(uniqueName='upsert-1')").get()) as Application;
    assert.equal(got.id, created.id);
    assert.equal(got.displayName, 'upsert two');
  });

  it('upsert through the SDK passes the Prefer header', async () => {
    const created = (await client
      .api("/applications(uniqueName='upsert-sdk')")
      .header('Prefer', 'create-if-missing')
      .patch({ displayName: 'via sdk' })) as Application;
    assert.equal(created.uniqueName, 'upsert-sdk');
  });

  it('upsert of a missing app without Prefer answers 404', async () => {
    const res = await patch("/applications(uniqueName='never-created')", { displayName: 'x' });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'Request_ResourceNotFound');
  });

  it('upsert create without displayName answers 400', async () => {
    const res = await patch("/applications(uniqueName='no-display-name')", { notes: 'x' }, { Prefer: 'create-if-missing' });
    assert.equal(res.status, 400);
  });

  it('upsert with a body uniqueName that differs from the URL key answers 400', async () => {
    const res = await patch("/applications(uniqueName='key-a')", { displayName: 'x', uniqueName: 'key-b' }, { Prefer: 'create-if-missing' });
    assert.equal(res.status, 400);
  });

  it('DELETE answers 204, soft-deletes the app and its home service principal', async () => {
    const app = await createApp(client);
    const sp = (await client.api('/servicePrincipals').post({ appId: app.appId })) as ServicePrincipal;
    const res = await rawFetch(emu, `/v1.0/applications(appId='${app.appId}')`, { method: 'DELETE', token });
    assert.equal(res.status, 204);
    await expectGraphError(client.api(`/applications/${app.id}`).get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(client.api(`/servicePrincipals/${sp.id}`).get(), 404, 'Request_ResourceNotFound');
    assert.equal(emu.tenant.deletedItems.get(app.id!)?.type, 'application');
    assert.equal(emu.tenant.deletedItems.get(sp.id!)?.type, 'servicePrincipal');
  });
});

describe('applications: replication lag', () => {
  let client: Client;
  const emu = useEmulator({ replicationLagMs: 300 });
  before(async () => {
    client = graphClient(emu);
  });

  it('GET and PATCH right after POST answer 404 until the app has replicated', async () => {
    const app = await createApp(client);
    await expectGraphError(client.api(`/applications/${app.id}`).get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(client.api(`/applications/${app.id}`).patch({ notes: 'x' }), 404, 'Request_ResourceNotFound');
    emu.clock.advance(301);
    const got = (await client.api(`/applications/${app.id}`).get()) as Application;
    assert.equal(got.id, app.id);
  });

  it('a read after PATCH sees the old value until the write has replicated', async () => {
    const app = await createApp(client, { notes: 'old' });
    emu.clock.advance(301);
    await client.api(`/applications/${app.id}`).patch({ notes: 'new' });
    assert.equal(((await client.api(`/applications/${app.id}`).get()) as Application).notes, 'old');
    emu.clock.advance(301);
    assert.equal(((await client.api(`/applications/${app.id}`).get()) as Application).notes, 'new');
  });

  it('an upsert while the created app is still replicating hits the uniqueName check (400)', async () => {
    await client.api("/applications(uniqueName='lagging')").header('Prefer', 'create-if-missing').patch({ displayName: 'one' });
    await expectGraphError(
      client.api("/applications(uniqueName='lagging')").header('Prefer', 'create-if-missing').patch({ displayName: 'two' }),
      400,
      'Request_BadRequest',
    );
    emu.clock.advance(301);
    await client.api("/applications(uniqueName='lagging')").header('Prefer', 'create-if-missing').patch({ displayName: 'two' });
    emu.clock.advance(301);
    assert.equal(((await client.api("/applications(uniqueName='lagging')").get()) as Application).displayName, 'two');
  });
});

describe('applications: permissions', () => {
  let admin: Client;
  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
  });

  it('a client without Application permissions gets 403 Authorization_RequestDenied', async () => {
    const { client } = await extraClient(emu, admin);
    await expectGraphError(client.api('/applications').get(), 403, 'Authorization_RequestDenied');
    await expectGraphError(client.api('/applications').post({ displayName: 'nope' }), 403, 'Authorization_RequestDenied');
  });

  it('an Application.ReadWrite.OwnedBy client manages only the apps it owns', async () => {
    const foreign = await createApp(admin);
    const { client } = await extraClient(emu, admin, ['Application.ReadWrite.OwnedBy']);
    const mine = await createApp(client);
    await client.api(`/applications/${mine.id}`).patch({ notes: 'mine' });
    const pwd = (await client.api(`/applications/${mine.id}/addPassword`).post({})) as { secretText: string };
    assert.ok(pwd.secretText);
    await expectGraphError(client.api(`/applications/${foreign.id}`).patch({ notes: 'theirs' }), 403, 'Authorization_RequestDenied');
    await expectGraphError(client.api(`/applications/${foreign.id}`).get(), 403, 'Authorization_RequestDenied');
    const listed = (await client.api('/applications').get()) as List<Application>;
    assert.deepEqual(
      listed.value.map((a) => a.id),
      [mine.id],
    );
  });
});
