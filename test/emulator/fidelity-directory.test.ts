import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { testCertificate } from '../helpers/applications.js';
import { item, postBatch } from '../helpers/batch.js';
import { expectGraphError } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';

/**
 * Fidelity audit (docs/emulator-fidelity.md, "Directory objects"): defaults and projections the real service
 * has that the rest of the suite does not pin down — the create defaults, the SP tags union, the v1.0
 * oauth2RequirePostResponse quirk, and where secretText and keyCredentials[].key never appear.
 */
describe('fidelity: directory objects', () => {
  let client: Client;

  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
  });

  const create = (body: Record<string, unknown>) => client.api('/applications').post(body) as Promise<Application>;

  it('the tenant is seeded with its organization (verified initial domain, tenantType) and the Microsoft Graph SP', async () => {
    const orgs = (await client.api('/organization').select('id,displayName,tenantType,verifiedDomains').get()) as {
      value: Array<{ id: string; tenantType: string; verifiedDomains: Array<{ name: string; isInitial: boolean; isDefault: boolean }> }>;
    };
    assert.equal(orgs.value.length, 1);
    assert.equal(orgs.value[0].id, emu.tenantId);
    assert.equal(orgs.value[0].tenantType, 'AAD');
    assert.deepEqual(
      orgs.value[0].verifiedDomains.map((d) => [d.name, d.isInitial, d.isDefault]),
      [['tenantformlocal.onmicrosoft.com', true, true]],
    );
    const graphSp = (await client.api("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").get()) as ServicePrincipal;
    assert.equal(graphSp.appOwnerOrganizationId, 'f8cdef31-a31e-4b4a-93e4-5f571e91255a', "Microsoft's tenant owns it");
    const role = graphSp.appRoles?.find((r) => r.value === 'Application.ReadWrite.All');
    assert.equal(role?.id, '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', 'ids as in reference/microsoft-graph-permissions.json');
    assert.ok(graphSp.servicePrincipalNames?.includes('https://graph.microsoft.com'));
  });

  it('POST {displayName} defaults to AzureADandPersonalMicrosoftAccount with v2 tokens (docs sample, docs-contrib#3916)', async () => {
    const app = await create({ displayName: 'defaults' });
    assert.equal(app.signInAudience, 'AzureADandPersonalMicrosoftAccount');
    assert.equal(app.api?.requestedAccessTokenVersion, 2);
    const mine = await create({ displayName: 'single', signInAudience: 'AzureADMyOrg' });
    assert.equal(mine.api?.requestedAccessTokenVersion, null, 'an explicit audience keeps the token version null');
    // Personal accounts need v2: the defaulted app cannot drop it.
    await expectGraphError(client.api(`/applications/${app.id}`).patch({ api: { requestedAccessTokenVersion: 1 } }), 400, 'Request_BadRequest');
  });

  it("a service principal's tags are the union of its own and its application's", async () => {
    const app = await create({ displayName: 'tagged', signInAudience: 'AzureADMyOrg', tags: ['from-app'] });
    const sp = (await client.api('/servicePrincipals').post({ appId: app.appId, tags: ['own'] })) as ServicePrincipal;
    assert.deepEqual([...(sp.tags ?? [])].sort(), ['from-app', 'own']);
    const read = async () => [...(((await client.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal).tags ?? [])].sort();
    const found = (await client.api('/servicePrincipals').filter("tags/any(t:t eq 'from-app')").get()) as { value: ServicePrincipal[] };
    assert.deepEqual(
      found.value.map((s) => s.id),
      [sp.id],
    );
    // The union is computed on read: an application tag change shows on the SP; the SP's own tags stay its own.
    await client.api(`/applications/${app.id}`).patch({ tags: ['app-2'] });
    assert.deepEqual(await read(), ['app-2', 'own']);
    await client.api(`/servicePrincipals/${sp.id}`).patch({ tags: ['own-2'] });
    assert.deepEqual(await read(), ['app-2', 'own-2']);
    // The application itself shows only its own tags.
    assert.deepEqual(((await client.api(`/applications/${app.id}`).get()) as Application).tags, ['app-2']);
  });

  it('customSecurityAttributes on a service principal are not modelled: 501, not a silent store', async () => {
    const app = await create({ displayName: 'csa', signInAudience: 'AzureADMyOrg' });
    const sp = (await client.api('/servicePrincipals').post({ appId: app.appId })) as ServicePrincipal;
    await expectGraphError(client.api(`/servicePrincipals/${sp.id}`).patch({ customSecurityAttributes: {} }), 501, 'NotImplemented');
  });

  it('oauth2RequirePostResponse cannot be written through v1.0 (404 with an empty resource name)', async () => {
    const app = await create({ displayName: 'post-response', signInAudience: 'AzureADMyOrg' });
    await expectGraphError(
      client.api(`/applications/${app.id}`).patch({ oauth2RequirePostResponse: true }),
      404,
      'Request_ResourceNotFound',
      "Resource '' does not exist or one of its queried reference-property objects are not present.",
    );
  });

  it('secretText comes back only from addPassword: never on GET, list, $select or a batched GET', async () => {
    const app = await create({ displayName: 'secret-holder', signInAudience: 'AzureADMyOrg' });
    const pc = (await client.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'one' } })) as PasswordCredential;
    assert.equal(typeof pc.secretText, 'string');
    assert.equal(pc.hint, pc.secretText!.slice(0, 3));
    const reads: Application[] = [
      (await client.api(`/applications/${app.id}`).get()) as Application,
      (await client.api(`/applications/${app.id}`).select('passwordCredentials').get()) as Application,
      ((await client.api('/applications').filter(`appId eq '${app.appId}'`).get()) as { value: Application[] }).value[0],
    ];
    const batch = await postBatch(emu, { requests: [{ id: '1', method: 'GET', url: `/applications/${app.id}?$select=passwordCredentials` }] });
    reads.push(item(batch.body.responses, '1').body as unknown as Application);
    for (const r of reads) {
      assert.equal(r.passwordCredentials?.length, 1);
      assert.equal(r.passwordCredentials![0].secretText, null);
      assert.equal(r.passwordCredentials![0].hint, pc.hint);
    }
    assert.equal(JSON.stringify(reads).includes(pc.secretText!), false);
  });

  it('keyCredentials[].key appears in lists only when $select names keyCredentials', async () => {
    const cert = await testCertificate();
    const app = await create({ displayName: 'cert-holder', signInAudience: 'AzureADMyOrg' });
    await client.api(`/applications/${app.id}`).patch({ keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.der }] });
    const list = async (select?: string) => {
      let req = client.api('/applications').filter(`appId eq '${app.appId}'`);
      if (select) req = req.select(select);
      return ((await req.get()) as { value: Application[] }).value[0].keyCredentials![0];
    };
    assert.equal((await list()).key, null);
    assert.equal((await list('keyCredentials')).key, cert.der);
  });
});
