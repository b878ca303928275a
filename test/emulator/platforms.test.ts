/**
 * The spa, web and publicClient platforms and isFallbackPublicClient, through the Graph SDK: stored and merged as
 * complex properties, and refused as the directory refuses a bad redirect URI — 400 Request_BadRequest
 * "Invalid value specified for property '<platform>' of resource 'Application'." (msgraph-sdk-powershell#3149, #3210).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { createApp, expectGraphError } from '../helpers/applications.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';

describe('applications: platforms', () => {
  const emu = useEmulator({ replicationLagMs: 0 });
  let client: Client;
  before(() => {
    client = graphClient(emu);
  });
  const read = (id: string) => client.api(`/applications/${id}`).select('spa,web,publicClient,isFallbackPublicClient').get() as Promise<Application>;

  it('stores every platform; a PATCH of one part of web keeps the rest', async () => {
    const app = await createApp(client, {
      signInAudience: 'AzureADMyOrg',
      spa: { redirectUris: ['http://localhost:3000', 'https://app.contoso.com/'] },
      web: { redirectUris: ['https://contoso.com/signin-oidc'] },
      publicClient: { redirectUris: ['msalabc://auth', 'http://localhost'] },
      isFallbackPublicClient: true,
    });
    await client.api(`/applications/${app.id}`).patch({ web: { implicitGrantSettings: { enableIdTokenIssuance: true } } });
    const got = await read(app.id!);
    assert.deepEqual(got.spa?.redirectUris, ['http://localhost:3000', 'https://app.contoso.com/']);
    assert.deepEqual(got.web?.redirectUris, ['https://contoso.com/signin-oidc']);
    assert.deepEqual(got.web?.implicitGrantSettings, { enableAccessTokenIssuance: false, enableIdTokenIssuance: true });
    assert.deepEqual(got.publicClient?.redirectUris, ['msalabc://auth', 'http://localhost']);
    assert.equal(got.isFallbackPublicClient, true);
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['http on a host other than localhost', { web: { redirectUris: ['http://contoso.com/cb'] } }, 'web'],
    ['a relative URI', { spa: { redirectUris: ['/callback'] } }, 'spa'],
    ['a custom scheme on a SPA', { spa: { redirectUris: ['myapp://auth'] } }, 'spa'],
    ['a urn: on a SPA', { spa: { redirectUris: ['urn:ietf:wg:oauth:2.0:oob'] } }, 'spa'],
    ['a character Entra refuses', { web: { redirectUris: ['https://contoso.com/a,b'] } }, 'web'],
    ['more than 256 characters', { publicClient: { redirectUris: [`https://contoso.com/${'x'.repeat(240)}`] } }, 'publicClient'],
    ['the same URI twice', { spa: { redirectUris: ['http://localhost:3000', 'http://localhost:3000'] } }, 'spa'],
    ['more than 256 URIs', { web: { redirectUris: Array.from({ length: 257 }, (_, i) => `https://contoso.com/${i}`) } }, 'web'],
  ];
  for (const [what, body, platform] of refusals) {
    it(`refuses ${what}: 400 naming the ${platform} property`, async () => {
      const app = await createApp(client, { signInAudience: 'AzureADMyOrg' });
      const f = await expectGraphError(client.api(`/applications/${app.id}`).patch(body), 400, 'Request_BadRequest');
      assert.equal(f.message, `Invalid value specified for property '${platform}' of resource 'Application'.`);
      const got = await read(app.id!);
      assert.deepEqual(got[platform as 'spa']?.redirectUris, [], 'nothing is written');
    });
  }

  it('personal accounts: at most 100 redirect URIs, no wildcard, no query', async () => {
    const personal = { signInAudience: 'AzureADandPersonalMicrosoftAccount' };
    const many = Array.from({ length: 101 }, (_, i) => `https://contoso.com/${i}`);
    await expectGraphError(client.api('/applications').post({ displayName: 'p1', ...personal, spa: { redirectUris: many } }), 400, 'Request_BadRequest');
    await expectGraphError(
      client.api('/applications').post({ displayName: 'p2', ...personal, web: { redirectUris: ['https://*.contoso.com/'] } }),
      400,
      'Request_BadRequest',
    );
    await expectGraphError(
      client.api('/applications').post({ displayName: 'p3', ...personal, web: { redirectUris: ['https://contoso.com/?a=b'] } }),
      400,
      'Request_BadRequest',
    );
    const work = await createApp(client, { signInAudience: 'AzureADMyOrg', web: { redirectUris: ['https://*.contoso.com/', 'https://contoso.com/?a=b'] } });
    assert.equal((await read(work.id!)).web?.redirectUris?.length, 2, 'work and school only: both accepted');
  });
});
