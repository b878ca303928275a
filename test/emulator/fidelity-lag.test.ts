import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { scope } from '../helpers/applications.js';
import { expectGraphError } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { postToken, type OAuthErrorBody } from '../helpers/tokens.js';

/**
 * Fidelity audit (docs/emulator-fidelity.md, "Replication lag"): the rows of reference/graph-api.md §5.1 that
 * the per-area suites do not already cover. Each one: the "not replicated yet" answer right after the write,
 * then success once the emulator clock has moved past the lag.
 */
const LAG = 300;

describe('fidelity: replication lag (graph-api.md §5.1)', () => {
  let client: Client;

  const emu = useEmulator({ replicationLagMs: LAG });
  before(async () => {
    client = graphClient(emu);
  });

  const settle = () => emu.clock.advance(LAG + 1);
  const create = (body: Record<string, unknown> = {}) =>
    client.api('/applications').post({ displayName: `lag-${randomUUID().slice(0, 8)}`, signInAudience: 'AzureADMyOrg', ...body }) as Promise<Application>;

  it('DELETE right after POST answers 404, then 204', async () => {
    const app = await create();
    await expectGraphError(client.api(`/applications/${app.id}`).delete(), 404, 'Request_ResourceNotFound');
    settle();
    await client.api(`/applications/${app.id}`).delete();
  });

  it('GET after removePassword still lists the removed key until the removal has replicated', async () => {
    const app = await create();
    settle();
    const pc = (await client.api(`/applications/${app.id}/addPassword`).post({})) as PasswordCredential;
    settle();
    await client.api(`/applications/${app.id}/removePassword`).post({ keyId: pc.keyId });
    const keyIds = async () => ((await client.api(`/applications/${app.id}`).get()) as Application).passwordCredentials!.map((p) => p.keyId);
    assert.deepEqual(await keyIds(), [pc.keyId], 'stale read');
    settle();
    assert.deepEqual(await keyIds(), []);
  });

  it('preAuthorizedApplications naming a scope added a moment ago is 400 until the scope has replicated', async () => {
    const app = await create();
    settle();
    const s = scope('lag.scope');
    await client.api(`/applications/${app.id}`).patch({ api: { oauth2PermissionScopes: [s] } });
    const pre = { api: { preAuthorizedApplications: [{ appId: randomUUID(), delegatedPermissionIds: [s.id] }] } };
    await expectGraphError(client.api(`/applications/${app.id}`).patch(pre), 400, 'Request_BadRequest');
    settle();
    await client.api(`/applications/${app.id}`).patch(pre);
  });

  it('owners@odata.bind naming a service principal created a moment ago is 404 (TFAD #1017)', async () => {
    const owner = await create();
    settle();
    const ownerSp = (await client.api('/servicePrincipals').post({ appId: owner.appId })) as ServicePrincipal;
    const bind = { 'owners@odata.bind': [`https://graph.microsoft.com/v1.0/directoryObjects/${ownerSp.id}`] };
    await expectGraphError(create(bind), 404, 'Request_ResourceNotFound');
    settle();
    const app = await create(bind);
    assert.ok(app.id);
  });

  it('the token endpoint does not know a resource whose service principal has not replicated (AADSTS500011)', async () => {
    const api = await create({ identifierUris: [] });
    settle();
    const sp = (await client.api('/servicePrincipals').post({ appId: api.appId })) as ServicePrincipal;
    const ask = () =>
      postToken(emu, { grant_type: 'client_credentials', client_id: emu.adminClientId, client_secret: emu.adminClientSecret, scope: `${sp.appId}/.default` });
    const early = await ask();
    assert.equal(early.status, 400);
    assert.deepEqual(((await early.json()) as OAuthErrorBody).error_codes, [500011]);
    settle();
    assert.equal((await ask()).status, 200);
  });
});
