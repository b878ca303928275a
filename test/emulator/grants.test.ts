import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { grantId } from '../../src/emulator/graph/grants.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import { createApp, createAppWithSp, createSp, expectGraphError, msGraphSp, settle } from '../helpers/directory.js';

describe('emulator: oauth2PermissionGrants', () => {
  let admin: Client;
  let token: string;
  let graphSp: ServicePrincipal;
  const emu = useEmulator();
  before(async () => {
    admin = graphClient(emu);
    token = await graphToken(emu);
    graphSp = await msGraphSp(admin);
  });

  const grant = (clientId: string, scope: string, extra: Record<string, unknown> = {}) =>
    admin
      .api('/oauth2PermissionGrants')
      .post({ clientId, consentType: 'AllPrincipals', resourceId: graphSp.id, scope, ...extra }) as Promise<OAuth2PermissionGrant>;

  it('grant ids are base64url of the client and resource ids in .NET byte order (azure-cli#20974)', () => {
    assert.equal(grantId('b25985a8-9d2b-4fde-9fa7-6c4e43a8ddec', 'a3efc889-f1b7-4532-9e01-91e32d1039f4', null), 'qIVZsiud3k-fp2xOQ6jd7InI76O38TJFngGR4y0QOfQ');
    assert.equal(grantId('b25985a8-9d2b-4fde-9fa7-6c4e43a8ddec', 'a3efc889-f1b7-4532-9e01-91e32d1039f4', '182c8534-f413-487c-91a3-7addc80e35d5').length, 64);
  });

  it('POST answers 201 with the grant and an opaque id', async () => {
    const { sp } = await createAppWithSp(emu, admin);
    const res = await rawFetch(emu, '/v1.0/oauth2PermissionGrants', {
      token,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientId: sp.id, consentType: 'AllPrincipals', resourceId: graphSp.id, scope: 'User.Read openid' }),
    });
    assert.equal(res.status, 201);
    const g = (await res.json()) as OAuth2PermissionGrant & Record<string, unknown>;
    assert.match(String(g['@odata.context']), /#oauth2PermissionGrants\/\$entity$/);
    assert.equal(g.id, grantId(sp.id!, graphSp.id!, null));
    assert.deepEqual(
      { clientId: g.clientId, consentType: g.consentType, principalId: g.principalId, resourceId: g.resourceId, scope: g.scope },
      { clientId: sp.id, consentType: 'AllPrincipals', principalId: null, resourceId: graphSp.id, scope: 'User.Read openid' },
    );
  });

  it('a second AllPrincipals grant for the same client and resource is 409 "Permission entry already exists."', async () => {
    const { sp } = await createAppWithSp(emu, admin);
    await grant(sp.id!, 'User.Read');
    await expectGraphError(grant(sp.id!, 'openid'), 409, 'Request_MultipleObjectsWithSameKeyValue', 'Permission entry already exists.');
  });

  it('a scope the resource does not publish is 400', async () => {
    const { sp } = await createAppWithSp(emu, admin);
    await expectGraphError(grant(sp.id!, 'User.Read No.Such.Scope'), 400, 'Request_BadRequest', /'scope'/);
  });

  it('consentType Principal needs a principalId; AllPrincipals must not have one', async () => {
    const { sp } = await createAppWithSp(emu, admin);
    await expectGraphError(grant(sp.id!, 'User.Read', { consentType: 'Principal' }), 400, 'Request_BadRequest', /principalId/);
    await expectGraphError(grant(sp.id!, 'User.Read', { principalId: randomUUID() }), 400, 'Request_BadRequest', /principalId/);
    await expectGraphError(grant(sp.id!, 'User.Read', { consentType: 'Everyone' }), 400, 'Request_BadRequest', /consentType/);
  });

  it('an unknown client is 400 with the ResourceDoesNotExist text', async () => {
    const id = randomUUID();
    await expectGraphError(
      grant(id, 'User.Read'),
      400,
      'Request_BadRequest',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  });

  it('list with $filter, get by id, list from the client SP', async () => {
    const { sp } = await createAppWithSp(emu, admin);
    const g = await grant(sp.id!, 'User.Read');
    settle(emu);
    const list = (await admin
      .api('/oauth2PermissionGrants')
      .filter(`clientId eq '${sp.id}' and consentType eq 'AllPrincipals' and resourceId eq '${graphSp.id}'`)
      .get()) as { value: OAuth2PermissionGrant[] };
    assert.deepEqual(
      list.value.map((x) => x.id),
      [g.id],
    );
    const one = (await admin.api(`/oauth2PermissionGrants/${g.id}`).get()) as OAuth2PermissionGrant;
    assert.equal(one.scope, 'User.Read');
    const fromSp = (await admin.api(`/servicePrincipals/${sp.id}/oauth2PermissionGrants`).get()) as { value: OAuth2PermissionGrant[] };
    assert.deepEqual(
      fromSp.value.map((x) => x.id),
      [g.id],
    );
  });

  it('PATCH replaces the scope string (204); other properties are 400', async () => {
    const { sp } = await createAppWithSp(emu, admin);
    const g = await grant(sp.id!, 'User.Read');
    settle(emu);
    const res = await rawFetch(emu, `/v1.0/oauth2PermissionGrants/${g.id}`, {
      token,
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scope: 'User.Read offline_access' }),
    });
    assert.equal(res.status, 204);
    settle(emu);
    const one = (await admin.api(`/oauth2PermissionGrants/${g.id}`).get()) as OAuth2PermissionGrant;
    assert.equal(one.scope, 'User.Read offline_access');
    await expectGraphError(admin.api(`/oauth2PermissionGrants/${g.id}`).patch({ clientId: randomUUID() }), 400, 'Request_BadRequest');
    await expectGraphError(admin.api(`/oauth2PermissionGrants/${g.id}`).patch({ scope: 'x'.repeat(3851) }), 400, 'Request_BadRequest');
  });

  it('DELETE answers 204, then the grant is 404', async () => {
    const { sp } = await createAppWithSp(emu, admin);
    const g = await grant(sp.id!, 'User.Read');
    settle(emu);
    const res = await rawFetch(emu, `/v1.0/oauth2PermissionGrants/${g.id}`, { token, method: 'DELETE' });
    assert.equal(res.status, 204);
    await expectGraphError(admin.api(`/oauth2PermissionGrants/${g.id}`).get(), 404, 'Request_ResourceNotFound');
  });
});

describe('emulator: oauth2PermissionGrants under replication lag', () => {
  let admin: Client;
  const emu = useEmulator({ replicationLagMs: 300 });
  before(async () => {
    admin = graphClient(emu);
  });

  it('a grant for a just-created client SP is 400 ResourceDoesNotExist, then works once replicated', async () => {
    const graphSp = await msGraphSp(admin);
    const app = await createApp(admin);
    settle(emu);
    const sp = await createSp(admin, app.appId!);
    const post = () => admin.api('/oauth2PermissionGrants').post({ clientId: sp.id, consentType: 'AllPrincipals', resourceId: graphSp.id, scope: 'User.Read' });
    await expectGraphError(post(), 400, 'Request_BadRequest', /does not exist or one of its queried reference-property objects are not present/);
    settle(emu);
    const g = (await post()) as OAuth2PermissionGrant;
    assert.equal(g.clientId, sp.id);
  });
});
