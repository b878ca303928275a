import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { createApp, expectGraphError, graphFailure, role, scope } from '../helpers/applications.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';

describe('validation: request bodies against the v1.0 type table', () => {
  let client: Client;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
  });

  it('an unknown property answers 400 RequestBodyRead with the OData message', async () => {
    const f = await expectGraphError(client.api('/applications').post({ displayName: 'x', colour: 'blue' }), 400, 'RequestBodyRead');
    assert.match(f.message, /The property 'colour' does not exist on type 'microsoft\.graph\.application'\. Make sure to only use property names/);
  });

  it('an unknown property inside a nested complex value names the nested type', async () => {
    const f = await expectGraphError(client.api('/applications').post({ displayName: 'x', api: { scopes: [] } }), 400, 'RequestBodyRead');
    assert.match(f.message, /'scopes' does not exist on type 'microsoft\.graph\.apiApplication'/);
    const g = await expectGraphError(client.api('/applications').post({ displayName: 'x', appRoles: [{ ...role('R'), colour: 'x' }] }), 400, 'RequestBodyRead');
    assert.match(g.message, /microsoft\.graph\.appRole/);
  });

  it('a malformed GUID answers 400 "Cannot convert a primitive value to the expected type \'Edm.Guid\'"', async () => {
    const f = await expectGraphError(
      client.api('/applications').post({ displayName: 'x', appRoles: [role('R', { id: 'not-a-guid' })] }),
      400,
      'RequestBodyRead',
    );
    assert.match(f.message, /Cannot convert a primitive value to the expected type 'Edm\.Guid'/);
    await expectGraphError(client.api('/applications').post({ displayName: 'x', api: { knownClientApplications: ['nope'] } }), 400, 'RequestBodyRead');
  });

  it('wrong JSON kinds and nulls in non-nullable collections answer 400 RequestBodyRead', async () => {
    await expectGraphError(client.api('/applications').post({ displayName: 'x', tags: 'a' }), 400, 'RequestBodyRead');
    await expectGraphError(client.api('/applications').post({ displayName: 'x', web: ['x'] }), 400, 'RequestBodyRead');
    await expectGraphError(client.api('/applications').post({ displayName: 'x', isFallbackPublicClient: 'yes' }), 400, 'RequestBodyRead');
    const f = await expectGraphError(client.api('/applications').post({ displayName: 'x', identifierUris: null }), 400, 'RequestBodyRead');
    assert.match(f.message, /A null value was found for the property named 'identifierUris'/);
  });

  it('read-only properties cannot be changed, but may be repeated unchanged', async () => {
    const app = await createApp(client);
    await expectGraphError(client.api(`/applications/${app.id}`).patch({ appId: randomUUID() }), 400, 'Request_BadRequest');
    await client.api(`/applications/${app.id}`).patch({ id: app.id, appId: app.appId, displayName: 'same ids' });
  });

  it('passwordCredentials cannot be written by POST or PATCH', async () => {
    const pc = { keyId: randomUUID(), displayName: 'x', secretText: 'abc' };
    const f = await expectGraphError(client.api('/applications').post({ displayName: 'x', passwordCredentials: [pc] }), 400, 'Request_BadRequest');
    assert.match(f.message, /New password credentials must be generated using service actions/);
    const app = await createApp(client);
    await expectGraphError(client.api(`/applications/${app.id}`).patch({ passwordCredentials: [pc] }), 400, 'Request_BadRequest');
    // Echoing the current (empty) list back is harmless.
    await client.api(`/applications/${app.id}`).patch({ passwordCredentials: [] });
  });

  it('signInAudience must be known, and personal accounts need requestedAccessTokenVersion 2', async () => {
    await expectGraphError(client.api('/applications').post({ displayName: 'x', signInAudience: 'Everyone' }), 400, 'Request_BadRequest');
    await expectGraphError(
      client.api('/applications').post({ displayName: 'x', signInAudience: 'AzureADandPersonalMicrosoftAccount' }),
      400,
      'Request_BadRequest',
    );
    const ok = await createApp(client, { signInAudience: 'AzureADandPersonalMicrosoftAccount', api: { requestedAccessTokenVersion: 2 } });
    assert.equal(ok.signInAudience, 'AzureADandPersonalMicrosoftAccount');
  });
});

describe('validation: app roles and scopes', () => {
  let client: Client;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
  });

  it('duplicate role ids or values answer 400 DuplicateValue with details target appRoles', async () => {
    const a = role('Dup.Read');
    const f = await expectGraphError(client.api('/applications').post({ displayName: 'x', appRoles: [a, role('Dup.Read')] }), 400, 'DuplicateValue');
    // GraphError.body is the JSON of the `error` object.
    const details = (f.body as { details: Array<{ target: string }> }).details;
    assert.equal(details[0].target, 'appRoles');
    await expectGraphError(client.api('/applications').post({ displayName: 'x', appRoles: [a, { ...role('Other'), id: a.id }] }), 400, 'DuplicateValue');
  });

  it('duplicate scope values answer 400 DuplicateValue', async () => {
    await expectGraphError(
      client.api('/applications').post({ displayName: 'x', api: { oauth2PermissionScopes: [scope('s'), scope('s')] } }),
      400,
      'DuplicateValue',
    );
  });

  it('role values with spaces or disallowed characters answer 400', async () => {
    await expectGraphError(client.api('/applications').post({ displayName: 'x', appRoles: [role('Has Space')] }), 400, 'Request_BadRequest');
    await expectGraphError(client.api('/applications').post({ displayName: 'x', appRoles: [role('quote"d')] }), 400, 'Request_BadRequest');
    await expectGraphError(
      client.api('/applications').post({ displayName: 'x', appRoles: [role('R', { allowedMemberTypes: ['Robot'] })] }),
      400,
      'Request_BadRequest',
    );
  });

  it('a role and a scope may share an id only when they match', async () => {
    const id = randomUUID();
    const matching = {
      appRoles: [role('Shared', { id, description: 'd', displayName: 'n' })],
      api: { oauth2PermissionScopes: [scope('Shared', { id, adminConsentDescription: 'd', adminConsentDisplayName: 'n' })] },
    };
    await createApp(client, matching);
    const clash = { appRoles: [role('Shared', { id })], api: { oauth2PermissionScopes: [scope('Other', { id })] } };
    const f = await expectGraphError(client.api('/applications').post({ displayName: 'x', ...clash }), 400, 'Request_BadRequest');
    assert.match(f.message, /must match for the 'oauth2Permissions' and 'appRoles' properties/);
  });

  it('removing or changing an enabled role answers 400 CannotDeleteOrUpdateEnabledEntitlement', async () => {
    const r = role('Enabled.Role');
    const app = await createApp(client, { appRoles: [r] });
    await expectGraphError(client.api(`/applications/${app.id}`).patch({ appRoles: [] }), 400, 'CannotDeleteOrUpdateEnabledEntitlement');
    await expectGraphError(
      client.api(`/applications/${app.id}`).patch({ appRoles: [{ ...r, value: 'Renamed' }] }),
      400,
      'CannotDeleteOrUpdateEnabledEntitlement',
    );
    await expectGraphError(
      client.api(`/applications/${app.id}`).patch({ appRoles: [{ ...r, isEnabled: false, description: 'changed' }] }),
      400,
      'CannotDeleteOrUpdateEnabledEntitlement',
    );
  });

  it('disabling first, then removing, is allowed', async () => {
    const r = role('Two.Step');
    const s = scope('two_step');
    const app = await createApp(client, { appRoles: [r], api: { oauth2PermissionScopes: [s] } });
    await client
      .api(`/applications/${app.id}`)
      .patch({ appRoles: [{ ...r, isEnabled: false }], api: { oauth2PermissionScopes: [{ ...s, isEnabled: false }] } });
    await client.api(`/applications/${app.id}`).patch({ appRoles: [], api: { oauth2PermissionScopes: [] } });
    const got = (await client.api(`/applications/${app.id}`).get()) as Application;
    assert.deepEqual(got.appRoles, []);
    assert.deepEqual(got.api?.oauth2PermissionScopes, []);
  });

  it('changing an enabled scope answers 400 CannotDeleteOrUpdateEnabledEntitlement', async () => {
    const s = scope('scope.read');
    const app = await createApp(client, { api: { oauth2PermissionScopes: [s] } });
    await expectGraphError(
      client.api(`/applications/${app.id}`).patch({ api: { oauth2PermissionScopes: [{ ...s, type: 'Admin' }] } }),
      400,
      'CannotDeleteOrUpdateEnabledEntitlement',
    );
  });

  it('preAuthorizedApplications cannot name a scope added in the same request', async () => {
    const s = scope('pre.auth');
    const app = await createApp(client);
    const pre = { preAuthorizedApplications: [{ appId: randomUUID(), delegatedPermissionIds: [s.id] }] };
    await expectGraphError(client.api(`/applications/${app.id}`).patch({ api: { oauth2PermissionScopes: [s], ...pre } }), 400, 'Request_BadRequest');
    await client.api(`/applications/${app.id}`).patch({ api: { oauth2PermissionScopes: [s] } });
    await client.api(`/applications/${app.id}`).patch({ api: pre });
  });
});

describe('validation: the disable-then-remove dance under replication lag', () => {
  let client: Client;
  const emu = useEmulator({ replicationLagMs: 300 });
  before(async () => {
    client = graphClient(emu);
  });

  it('the final PATCH fails with CannotDeleteOrUpdateEnabledEntitlement until the disable has replicated', async () => {
    const r = role('Lagging.Role');
    const app = await createApp(client, { appRoles: [r] });
    emu.clock.advance(301);
    await client.api(`/applications/${app.id}`).patch({ appRoles: [{ ...r, isEnabled: false }] });
    await expectGraphError(client.api(`/applications/${app.id}`).patch({ appRoles: [] }), 400, 'CannotDeleteOrUpdateEnabledEntitlement');
    emu.clock.advance(301);
    await client.api(`/applications/${app.id}`).patch({ appRoles: [] });
  });
});

describe('validation: identifierUris and uniqueName', () => {
  let client: Client;
  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
  });

  it('accepts api://{appId}, api://{tenantId}/…, api://{name}/{appId} and hosts on a verified domain', async () => {
    const app = await createApp(client);
    const uris = [
      `api://${app.appId}`,
      `api://${emu.tenantId}/todo`,
      `api://todo/${app.appId}`,
      'https://tenantformlocal.onmicrosoft.com/todo',
      'https://api.tenantformlocal.onmicrosoft.com',
      'api://todo.tenantformlocal.onmicrosoft.com/v1',
    ];
    await client.api(`/applications/${app.id}`).patch({ identifierUris: uris });
    const got = (await client.api(`/applications/${app.id}`).get()) as Application;
    assert.deepEqual(got.identifierUris, uris);
  });

  it('rejects unverified hosts, foreign GUIDs and bare names with 400 HostNameNotOnVerifiedDomain', async () => {
    const app = await createApp(client);
    for (const uri of [
      'https://example.com/api',
      `api://${randomUUID()}`,
      'api://todo',
      'api://todo.example.com/x',
      'http://tenantformlocal.onmicrosoft.com/x',
    ]) {
      const f = await expectGraphError(client.api(`/applications/${app.id}`).patch({ identifierUris: [uri] }), 400, 'HostNameNotOnVerifiedDomain');
      assert.match(f.message, /must use a verified domain of the organization or its subdomain/);
    }
  });

  it('identifierUris are unique in the tenant', async () => {
    const a = await createApp(client);
    const b = await createApp(client);
    await client.api(`/applications/${a.id}`).patch({ identifierUris: [`api://${emu.tenantId}/shared`] });
    const f = await expectGraphError(
      client.api(`/applications/${b.id}`).patch({ identifierUris: [`api://${emu.tenantId}/shared`] }),
      400,
      'Request_BadRequest',
    );
    assert.match(f.message, /Another object with the same value for property identifierUris already exists/);
  });

  it('uniqueName can be set once when null, then never changed', async () => {
    const app = await createApp(client);
    await client.api(`/applications/${app.id}`).patch({ uniqueName: 'set-later' });
    assert.equal(((await client.api(`/applications/${app.id}`).get()) as Application).uniqueName, 'set-later');
    await client.api(`/applications/${app.id}`).patch({ uniqueName: 'set-later', notes: 'same value is fine' });
    await expectGraphError(client.api(`/applications/${app.id}`).patch({ uniqueName: 'changed' }), 400, 'Request_BadRequest');
  });

  it('uniqueName is unique in the tenant, soft-deleted apps included', async () => {
    await createApp(client, { uniqueName: 'taken' });
    const f = await expectGraphError(client.api('/applications').post({ displayName: 'x', uniqueName: 'TAKEN' }), 400, 'Request_BadRequest');
    assert.match(f.message, /Another object with the same value for property uniqueName already exists/);
    const gone = await createApp(client, { uniqueName: 'deleted-but-reserved' });
    await client.api(`/applications/${gone.id}`).delete();
    const g = await graphFailure(client.api('/applications').post({ displayName: 'x', uniqueName: 'deleted-but-reserved' }));
    assert.equal(g.statusCode, 400);
  });
});
