/**
 * manifests/obo-conditional-access.yaml (seed 004: SPA → middle tier → downstream API, On-Behalf-Of) applied to
 * the emulator: three registrations, the SPA platform, combined consent (known client), delegated admin consent
 * for both hops, and the sample's three config files as its apps read them (JSON.parse, and the SPA's
 * authConfig.js run as the classic script its page loads), and the conditional access policy that requires MFA
 * for the downstream API (report-only, marked as the stack's). Converges; destroy takes the policy too; a re-apply
 * converges again. With replication lag, the policy waits until conditional access sees the new API. The
 * signed-in chain (OBO, claims challenge) comes with the sign-in issue.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import type { Application, ConditionalAccessPolicy, OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { apply, destroy } from '../../src/index.js';
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

    // The policy: report-only unless the manifest says enabled, protecting the downstream API by its appId.
    const [policy] = await markedPolicies();
    assert.equal(policy.state, 'enabledForReportingButNotEnforced');
    assert.equal(policy.description, "tenantform:stack=obo-ca;policy=downstream-mfa The sample's step-up scenario (chapter 4-1).");
    assert.deepEqual(policy.conditions?.applications?.includeApplications, [downstream.appId]);
    assert.deepEqual(policy.conditions?.users?.includeUsers, ['All']);
    assert.deepEqual(policy.grantControls?.builtInControls, ['mfa']);
  });

  it('destroy removes the policy with the apps; a re-apply converges again', async () => {
    const opts = engineOptions(emu, { manifests: [MANIFEST] });
    assert.ok((await apply(opts)).ok);
    const d = await destroy({ ...opts, purge: true });
    assert.ok(d.ok, JSON.stringify(d.results.filter((x) => x.status !== 'done')));
    assert.ok(d.plan.changes.some((c) => c.action === 'delete-conditional-access-policy'));
    settle(emu);
    assert.deepEqual(await markedPolicies(), []);
    const again = await apply(opts);
    assert.ok(again.ok, JSON.stringify(again.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    assert.equal((await markedPolicies()).length, 1);
  });

  async function markedPolicies(): Promise<ConditionalAccessPolicy[]> {
    const all = ((await graphClient(emu).api('/identity/conditionalAccess/policies').get()) as { value: ConditionalAccessPolicy[] }).value;
    return all.filter((p) => p.description?.startsWith('tenantform:stack=obo-ca;'));
  }
});

describe('the policy with replication lag: it waits until conditional access sees the new API', () => {
  const emu = useEmulator({ replicationLagMs: 1000 });

  it('is retried on 400 BadRequest, written once, and converges', async () => {
    const opts = engineOptions(emu, { manifests: [MANIFEST] });
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    const posts = emu.requestLog.entries.filter((e) => e.method === 'POST' && e.path.endsWith('/identity/conditionalAccess/policies'));
    assert.ok(
      posts.some((e) => e.status === 400),
      `the first policy write met the lag: ${JSON.stringify(posts.map((e) => e.status))}`,
    );
    assert.equal(posts.filter((e) => e.status === 201).length, 1);
    await assertConverged(emu, opts);
  });
});
