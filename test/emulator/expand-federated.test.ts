import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { Application, FederatedIdentityCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { createApp, expectGraphError } from '../helpers/applications.js';
import { settle } from '../helpers/directory.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';

type Json = Record<string, unknown>;
type WithFics = Application & Json & { federatedIdentityCredentials: Array<FederatedIdentityCredential & Json> };

const fic = (name: string) => ({
  name,
  issuer: 'https://token.actions.githubusercontent.com',
  subject: `repo:org/repo:environment:${name}`,
  description: `${name} deploys`,
  audiences: ['api://AzureADTokenExchange'],
});

/**
 * `$expand=federatedIdentityCredentials` on applications (the navigation "Supports $expand",
 * https://learn.microsoft.com/graph/api/resources/application), and the list reads the planner folds its
 * per-application reads into (graph/reader.ts, graph/sp-reads.ts), through the Graph SDK.
 */
describe('emulator: $expand=federatedIdentityCredentials', () => {
  const emu = useEmulator();
  let client: Client;
  let token: string;
  let app: Application;
  let listed: FederatedIdentityCredential[];
  const uniqueName = `expand-fics-${randomUUID().slice(0, 8)}`;

  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
    app = await createApp(client, { uniqueName });
    settle(emu);
    // An application holds at most 20 (federatedidentitycredential resource page): all of them fit in one expansion.
    for (let i = 0; i < 20; i++) await client.api(`/applications/${app.id}/federatedIdentityCredentials`).post(fic(`env-${i}`));
    settle(emu);
    listed = ((await client.api(`/applications/${app.id}/federatedIdentityCredentials`).get()) as { value: FederatedIdentityCredential[] }).value;
  });

  it('by id, by (uniqueName=…) and by (appId=…): every credential, as the collection lists it', async () => {
    for (const key of [`/${app.id}`, `(uniqueName='${uniqueName}')`, `(appId='${app.appId}')`]) {
      const got = (await client.api(`/applications${key}`).expand('federatedIdentityCredentials').get()) as WithFics;
      assert.equal(got.id, app.id, key);
      assert.equal(got.federatedIdentityCredentials.length, 20, key);
      assert.deepEqual(got.federatedIdentityCredentials, listed, key);
    }
  });

  it('with $select (what the planner sends): the selected properties, the credentials, a context URL naming both, 1 RU', async () => {
    const res = await rawFetch(emu, `/v1.0/applications(uniqueName='${uniqueName}')?$select=id,appId,displayName&$expand=federatedIdentityCredentials`, {
      token,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-ms-resource-unit'), '1'); // base 1, $select −1, $expand +1
    const body = (await res.json()) as WithFics;
    assert.deepEqual(Object.keys(body).sort(), ['@odata.context', 'appId', 'displayName', 'federatedIdentityCredentials', 'id']);
    assert.match(String(body['@odata.context']), /#applications\(id,appId,displayName,federatedIdentityCredentials\(\)\)\/\$entity$/);
    assert.deepEqual(body.federatedIdentityCredentials.map((f) => f.name).sort(), listed.map((f) => f.name).sort());
  });

  it('on the list, and [] for an application without any', async () => {
    const bare = await createApp(client);
    settle(emu);
    const list = (await client
      .api('/applications')
      .filter(`appId in ('${app.appId}','${bare.appId}')`)
      .select('id')
      .expand('federatedIdentityCredentials')
      .get()) as { value: WithFics[] };
    const byId = new Map(list.value.map((a) => [a.id, a.federatedIdentityCredentials]));
    assert.equal(byId.get(app.id)?.length, 20);
    assert.deepEqual(byId.get(bare.id), []);
  });

  it('$select inside the expand: federatedIdentityCredential properties (else 400); other nested options 501', async () => {
    const got = (await client.api(`/applications/${app.id}`).select('id').expand('federatedIdentityCredentials($select=name,subject)').get()) as WithFics;
    assert.deepEqual(Object.keys(got.federatedIdentityCredentials[0]).sort(), ['name', 'subject']);
    await expectGraphError(client.api(`/applications/${app.id}`).expand('federatedIdentityCredentials($select=colour)').get(), 400, 'Request_BadRequest');
    await expectGraphError(client.api(`/applications/${app.id}`).expand('federatedIdentityCredentials($top=1)').get(), 501, 'NotImplemented');
  });

  it('a credential created a moment ago is not expanded before it replicates, as the collection does not list it yet', async () => {
    const lagged = await createApp(client);
    settle(emu);
    emu.faults.options.replicationLagMs = 5000;
    try {
      await client.api(`/applications/${lagged.id}/federatedIdentityCredentials`).post(fic('fresh'));
      const before = (await client.api(`/applications/${lagged.id}`).expand('federatedIdentityCredentials').get()) as WithFics;
      const collection = (await client.api(`/applications/${lagged.id}/federatedIdentityCredentials`).get()) as { value: unknown[] };
      assert.equal(before.federatedIdentityCredentials.length, collection.value.length);
      settle(emu);
      const after = (await client.api(`/applications/${lagged.id}`).expand('federatedIdentityCredentials').get()) as WithFics;
      assert.deepEqual(
        after.federatedIdentityCredentials.map((f) => f.name),
        ['fresh'],
      );
    } finally {
      emu.faults.options.replicationLagMs = 0;
    }
  });
});

describe('emulator: service principals by appId in (…), assignments expanded', () => {
  const emu = useEmulator();
  let client: Client;
  let token: string;

  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
  });

  it('one list read answers up to 15 appIds with each SP and its assignments (1 RU); 16 values answer 501', async () => {
    const apps = [await createApp(client), await createApp(client)];
    settle(emu);
    const sps: ServicePrincipal[] = [];
    for (const a of apps) sps.push((await client.api('/servicePrincipals').post({ appId: a.appId })) as ServicePrincipal);
    settle(emu);
    const graph = (await client.api("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").get()) as ServicePrincipal;
    const role = graph.appRoles![0];
    await client.api(`/servicePrincipals/${sps[0].id}/appRoleAssignments`).post({ principalId: sps[0].id, resourceId: graph.id, appRoleId: role.id });
    settle(emu);
    const absent = randomUUID();
    const filter = `appId in ('${apps[0].appId}','${apps[1].appId}','${absent}')`;
    const res = await rawFetch(emu, `/v1.0/servicePrincipals?$filter=${encodeURIComponent(filter)}&$select=id,appId&$expand=appRoleAssignments`, { token });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-ms-resource-unit'), '1');
    const body = (await res.json()) as { value: Array<ServicePrincipal & { appRoleAssignments: Json[] }> };
    const byAppId = new Map(body.value.map((sp) => [sp.appId, sp.appRoleAssignments.map((a) => a.appRoleId)]));
    assert.deepEqual(byAppId.get(apps[0].appId!), [role.id]);
    assert.deepEqual(byAppId.get(apps[1].appId!), []);
    assert.equal(byAppId.has(absent), false);

    const sixteen = Array.from({ length: 16 }, () => `'${randomUUID()}'`).join(',');
    await expectGraphError(client.api('/servicePrincipals').filter(`appId in (${sixteen})`).get(), 501, 'NotImplemented');
    const fifteen = Array.from({ length: 15 }, () => `'${randomUUID()}'`).join(',');
    const ok = (await client.api('/servicePrincipals').filter(`appId in (${fifteen})`).responseType(ResponseType.RAW).get()) as Response;
    assert.equal(ok.status, 200);
  });
});
