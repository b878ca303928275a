/**
 * manifests/obo-conditional-access.yaml (seed 004: SPA → middle tier → downstream API, On-Behalf-Of) applied to
 * the emulator: three registrations, the SPA platform, combined consent (known client), delegated admin consent
 * for both hops, and the sample's three config files as its apps read them (JSON.parse, and the SPA's
 * authConfig.js run as the classic script its page loads). Converges. The conditional access policy and the signed-in chain
 * (OBO, claims challenge) come with the rest of issue 12 and the sign-in issue.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import type { Application, OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { apply } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';

const MANIFEST = resolve('manifests/obo-conditional-access.yaml');

describe('manifests/obo-conditional-access.yaml: SPA, middle tier and downstream API', () => {
  const emu = useEmulator();

  it('applies, converges, and writes the three config files the sample needs', async () => {
    const opts = engineOptions(emu, { manifests: [MANIFEST] });
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    settle(emu);
    const client = graphClient(emu);
    const app = async (key: string) => (await client.api(`/applications(uniqueName='obo-ca--${key}')`).select('appId,api,spa').get()) as Application;
    const [downstream, middle, spa] = [await app('downstream'), await app('middle'), await app('spa')];
    assert.deepEqual(middle.api?.knownClientApplications, [spa.appId]);
    assert.deepEqual(spa.spa?.redirectUris, ['http://localhost:3000/']);

    // Delegated admin consent on both hops: one AllPrincipals grant per client/resource pair.
    const sp = async (appId: string) =>
      ((await client.api('/servicePrincipals').filter(`appId eq '${appId}'`).get()) as { value: ServicePrincipal[] }).value[0];
    const grants = async (clientSp: ServicePrincipal) =>
      ((await client.api('/oauth2PermissionGrants').filter(`clientId eq '${clientSp.id}'`).get()) as { value: OAuth2PermissionGrant[] }).value;
    const [downSp, midSp, spaSp] = [await sp(downstream.appId!), await sp(middle.appId!), await sp(spa.appId!)];
    assert.deepEqual(
      (await grants(midSp)).map((g) => [g.resourceId, g.consentType, g.scope?.trim()]),
      [[downSp.id, 'AllPrincipals', 'user_impersonation']],
    );
    assert.deepEqual(
      (await grants(spaSp)).map((g) => [g.resourceId, g.consentType, g.scope?.trim()]),
      [[midSp.id, 'AllPrincipals', 'user_impersonation']],
    );

    const out = (p: string) => join(opts.cwd!, 'out', p);
    const down = JSON.parse(readFileSync(out('DownstreamAPI/config.json'), 'utf8'));
    assert.deepEqual(down.credentials, { tenantID: emu.tenantId, clientID: downstream.appId, audience: downstream.appId });
    const mid = JSON.parse(readFileSync(out('MiddletierAPI/config.json'), 'utf8'));
    assert.equal(mid.credentials.clientID, middle.appId);
    assert.ok(mid.credentials.clientSecret.length >= 16, 'the middle tier has its secret');
    assert.equal(statSync(out('MiddletierAPI/config.json')).mode & 0o777, 0o600, 'it holds a secret: 0600');
    assert.deepEqual(mid.downstreamAPI.scopes, [`api://${downstream.appId}/user_impersonation`]);
    // A classic script, as the sample's page loads it: its constants are what the page's later scripts see.
    const script = readFileSync(out('Client/App/authConfig.js'), 'utf8');
    // (Through JSON: objects of another realm are not deep-equal to ours.)
    const auth = JSON.parse(JSON.stringify(runInNewContext(`${script}\n({ msalConfig, loginRequest })`))) as {
      msalConfig: { auth: { clientId: string; authority: string; redirectUri: string } };
      loginRequest: { scopes: string[] };
    };
    assert.equal(auth.msalConfig.auth.clientId, spa.appId);
    assert.equal(auth.msalConfig.auth.redirectUri, 'http://localhost:3000/');
    assert.ok(auth.msalConfig.auth.authority.endsWith(`/${emu.tenantId}`), auth.msalConfig.auth.authority);
    assert.deepEqual(auth.loginRequest.scopes, [`api://${middle.appId}/user_impersonation`]);
  });
});
