/**
 * Platforms end to end (issue 12): a SPA, a web app and a desktop app registered from one manifest — redirect
 * URIs on each platform (a public client's `msal{appId}://auth` filled in once the appId exists), the implicit
 * grant, "allow public client flows" — then changed, drifted in the portal, and put back. Every apply converges:
 * an empty plan and a second apply with zero writes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Application } from '@microsoft/microsoft-graph-types';
import { apply, plan } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';

const manifest = (spaUris: string[]) => `stack: platforms
applications:
  spa:
    displayName: platforms-spa
    spa:
      redirectUris: [${spaUris.join(', ')}]
  web:
    displayName: platforms-web
    web:
      redirectUris: [https://web.contoso.com/signin-oidc]
      implicitGrantSettings: { enableIdTokenIssuance: true }
  desktop:
    displayName: platforms-desktop
    publicClient:
      redirectUris: ['msal{appId}://auth', http://localhost]
    isFallbackPublicClient: true
`;

describe('platforms: spa, web and public client registrations', () => {
  const emu = useEmulator();
  let opts: ReturnType<typeof engineOptions>;
  const write = (spaUris: string[]) => writeFileSync(opts.manifests[0], manifest(spaUris));
  const app = async (key: string) => {
    settle(emu);
    return (await graphClient(emu)
      .api(`/applications(uniqueName='platforms--${key}')`)
      .select('appId,spa,web,publicClient,isFallbackPublicClient')
      .get()) as Application;
  };
  before(() => {
    opts = engineOptions(emu);
    opts = { ...opts, manifests: [join(opts.cwd!, 'platforms.yaml')] };
  });

  it('creates all three with their platforms (the appId filled into the public client URI) and converges', async () => {
    write(['http://localhost:3000', 'https://spa.contoso.com/']);
    const p = await plan(opts);
    // Manifest warnings come with the plan, located.
    assert.equal(p.plan.warnings.length, 1, p.plan.warnings.join('\n'));
    assert.match(p.plan.warnings[0], /platforms\.yaml:11:55: Application "web" turns on the implicit grant \(enableIdTokenIssuance\)/);
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    const spa = await app('spa');
    assert.deepEqual(spa.spa?.redirectUris?.toSorted(), ['http://localhost:3000', 'https://spa.contoso.com/']);
    assert.deepEqual(spa.web?.redirectUris, []);
    const web = await app('web');
    assert.deepEqual(web.web?.redirectUris, ['https://web.contoso.com/signin-oidc']);
    assert.deepEqual(web.web?.implicitGrantSettings, { enableAccessTokenIssuance: false, enableIdTokenIssuance: true });
    const desktop = await app('desktop');
    assert.deepEqual(desktop.publicClient?.redirectUris?.toSorted(), ['http://localhost', `msal${desktop.appId}://auth`]);
    assert.equal(desktop.isFallbackPublicClient, true);
  });

  it('a changed list is one update of that platform; the others are not written', async () => {
    write(['http://localhost:5173']);
    const p = await plan(opts);
    assert.deepEqual(
      p.plan.changes.map((c) => [c.action, 'app' in c ? c.app : c.id, 'fields' in c ? c.fields.map((f) => f.field) : []]),
      [['update-application', 'app:platforms/spa', ['spa.redirectUris']]],
    );
    assert.ok((await apply(opts)).ok);
    await assertConverged(emu, opts);
    assert.deepEqual((await app('spa')).spa?.redirectUris, ['http://localhost:5173']);
  });

  it('a redirect URI added in the portal is drift: the plan names it and apply puts the manifest back', async () => {
    const web = await app('web');
    const id = ((await graphClient(emu).api(`/applications(appId='${web.appId}')`).select('id').get()) as Application).id;
    await graphClient(emu)
      .api(`/applications/${id}`)
      .patch({ web: { redirectUris: ['https://web.contoso.com/signin-oidc', 'https://evil.example.com/'] }, isFallbackPublicClient: true });
    settle(emu);
    const p = await plan(opts);
    assert.deepEqual(
      p.plan.changes.map((c) => ['app' in c ? c.app : c.id, 'fields' in c ? c.fields.map((f) => f.field).sort() : []]),
      [['app:platforms/web', ['isFallbackPublicClient', 'web.redirectUris']]],
    );
    assert.ok((await apply(opts)).ok);
    await assertConverged(emu, opts);
    const back = await app('web');
    assert.deepEqual(back.web?.redirectUris, ['https://web.contoso.com/signin-oidc']);
    assert.equal(back.isFallbackPublicClient, false);
  });
});
