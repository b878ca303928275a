/**
 * An API's known clients and pre-authorized clients (issue 12): named by manifest key before the clients exist
 * (their appIds are filled in once they are created), pre-authorization written after the scopes it names, and
 * entries for clients the stack does not manage (added in the admin center) kept — terraform-provider-azuread
 * #1584 removed them. Every apply converges.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import type { Application } from '@microsoft/microsoft-graph-types';
import { graphWrites } from '../../src/emulator/index.js';
import { apply, plan } from '../../src/index.js';
import { createApp } from '../helpers/applications.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';

const manifest = (preAuthorize: boolean) => `stack: clients
applications:
  api:
    displayName: clients-api
    identifierUris: ['api://{appId}']
    scopes:
      - value: access_as_user
        adminConsentDisplayName: Access the API
        adminConsentDescription: Lets the app call the API as the signed-in user
    api:
      knownClientApplications: [spa]
      preAuthorizedApplications: [${preAuthorize ? '{ app: spa, scopes: [access_as_user] }' : ''}]
  spa:
    displayName: clients-spa
    spa:
      redirectUris: [http://localhost:3000]
    permissions:
      - api: api
        scopes: [access_as_user]
outputs:
  # The SPA's authConfig.js, as MSAL.js samples keep it: an ES module, the scope as the SPA requests it.
  - path: out/authConfig.js
    template:
      msalConfig:
        auth: { clientId: '\${apps.spa.appId}', authority: '\${tenant.authority}', redirectUri: 'http://localhost:3000' }
      loginRequest: { scopes: ['\${apps.api.scopes.access_as_user}'] }
`;

describe('api.knownClientApplications and api.preAuthorizedApplications', () => {
  // With replication lag: the pre-authorization is refused until the API's new scope has replicated.
  const emu = useEmulator({ replicationLagMs: 1000 });
  let opts: ReturnType<typeof engineOptions>;
  const read = async (key: string) => {
    settle(emu);
    return (await graphClient(emu).api(`/applications(uniqueName='clients--${key}')`).select('id,appId,api').get()) as Application;
  };
  before(() => {
    const base = engineOptions(emu);
    opts = { ...base, manifests: [join(base.cwd!, 'clients.yaml')] };
  });

  it('creates both apps; the API names the SPA as known and pre-authorized client; converges', async () => {
    writeFileSync(opts.manifests[0], manifest(true));
    const p = await plan(opts);
    const pre = p.plan.changes.find((c) => c.action === 'pre-authorize-applications');
    assert.ok(pre, 'a pre-authorization write of its own');
    assert.ok(pre.dependsOn.includes('app:clients/api') && pre.dependsOn.includes('app:clients/spa'), pre.dependsOn.join(', '));
    const mark = emu.requestLog.mark();
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    const refused = emu.requestLog.since(mark).filter((e) => e.method === 'PATCH' && e.status === 400);
    assert.ok(refused.length >= 1, 'the pre-authorization met the replication lag and was retried');
    await assertConverged(emu, opts);
    const [api, spa] = [await read('api'), await read('spa')];
    assert.deepEqual(api.api?.knownClientApplications, [spa.appId]);
    const scopeId = api.api?.oauth2PermissionScopes?.find((s) => s.value === 'access_as_user')?.id;
    assert.deepEqual(api.api?.preAuthorizedApplications, [{ appId: spa.appId, delegatedPermissionIds: [scopeId] }]);
    // The config module, imported as the SPA's bundler would.
    const config = (await import(pathToFileURL(join(opts.cwd!, 'out/authConfig.js')).href)) as {
      msalConfig: { auth: { clientId: string; authority: string } };
      loginRequest: { scopes: string[] };
    };
    assert.equal(config.msalConfig.auth.clientId, spa.appId);
    assert.match(config.msalConfig.auth.authority, new RegExp(`/${emu.tenantId}$`));
    assert.deepEqual(config.loginRequest.scopes, [`api://${api.appId}/access_as_user`]);
  });

  it('a client named by an appId that is not in the tenant is refused before any write, at its line', async () => {
    const missing = '0b0b0b0b-1111-4222-8333-444444444444';
    const file = join(opts.cwd!, 'missing-client.yaml');
    writeFileSync(file, manifest(true).replace('knownClientApplications: [spa]', `knownClientApplications: [spa, ${missing}]`));
    const mark = emu.requestLog.mark();
    await assert.rejects(plan({ ...opts, manifests: [file] }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'RESOLVE_FAILED');
      assert.match(
        e.message,
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11:38: application "api" names the client ${missing}, which is not in the tenant`),
      );
      return true;
    });
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
  });

  it('keeps a pre-authorization added in the admin center; removes only its own', async () => {
    const api = await read('api');
    const partner = await createApp(graphClient(emu), { signInAudience: 'AzureADMyOrg' });
    const scopeId = api.api!.oauth2PermissionScopes![0].id!;
    await graphClient(emu)
      .api(`/applications/${api.id}`)
      .patch({
        api: {
          preAuthorizedApplications: [...api.api!.preAuthorizedApplications!, { appId: partner.appId, delegatedPermissionIds: [scopeId] }],
          knownClientApplications: [...api.api!.knownClientApplications!, partner.appId],
        },
      });
    settle(emu);
    assert.ok((await plan(opts)).empty, 'the partner entries are not the stack’s: no change');
    writeFileSync(opts.manifests[0], manifest(false));
    const p = await plan(opts);
    assert.deepEqual(
      p.plan.changes.map((c) => c.action),
      ['pre-authorize-applications'],
    );
    assert.ok((await apply(opts)).ok);
    await assertConverged(emu, opts);
    const after = await read('api');
    assert.deepEqual(after.api?.preAuthorizedApplications, [{ appId: partner.appId, delegatedPermissionIds: [scopeId] }]);
    assert.equal(after.api?.knownClientApplications?.length, 2, 'known clients: the SPA and the partner');
  });
});
