/**
 * Per-user consent and users named by userPrincipalName (issue 12): `userConsent:` on a permission becomes one
 * Principal oauth2PermissionGrant per named user (the users' own consents are left alone), and a conditional access
 * policy's users may be written as userPrincipalNames, written to Graph as object ids. Proven with the token service:
 * a consented user signs in through msal-node, another gets AADSTS65001.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { AuthError } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { ConditionalAccessPolicy, OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { TestUser } from '../../src/emulator/index.js';
import { apply, plan, TenantformError } from '../../src/index.js';
import { PlanSchema } from '../../src/plan/schema.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';
import { msalPublicApp } from '../helpers/users.js';

const manifest = (users: string[], policyExclude: string[]) => `stack: consent
applications:
  api:
    displayName: consent-api
    identifierUris: ['api://{appId}']
    scopes:
      - value: Notes.Read
        adminConsentDisplayName: Read notes
        adminConsentDescription: Read the signed-in user's notes
  cli:
    displayName: consent-cli
    isFallbackPublicClient: true
    publicClient: { redirectUris: ['http://localhost'] }
    permissions:
      - api: api
        scopes: [Notes.Read]
        userConsent: [${users.join(', ')}]
conditionalAccessPolicies:
  mfa:
    displayName: Require MFA for the notes API
    users: { include: [All], exclude: [${policyExclude.join(', ')}] }
    applications: { include: [api] }
    grant: { controls: [mfa] }
`;

describe('per-user consent and users by userPrincipalName', () => {
  const emu = useEmulator();
  let admin: Client;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const cwd = tempDir('tenantform-consent-');
  const write = (text: string) => {
    const file = join(cwd, 'consent.yaml');
    writeFileSync(file, text);
    return engineOptions(emu, { manifests: [file], cwd });
  };
  const grantsOf = async (appId: string) => {
    const sp = ((await admin.api('/servicePrincipals').filter(`appId eq '${appId}'`).get()) as { value: ServicePrincipal[] }).value[0];
    return ((await admin.api('/oauth2PermissionGrants').filter(`clientId eq '${sp.id}'`).get()) as { value: OAuth2PermissionGrant[] }).value;
  };

  before(() => {
    admin = graphClient(emu);
    alice = emu.addUser({ userPrincipalName: 'alice', password: 'alice-pass-1' });
    bob = emu.addUser({ userPrincipalName: 'bob', password: 'bob-pass-1' });
    carol = emu.addUser({ userPrincipalName: 'carol', password: 'carol-pass-1' });
  });

  it('a Principal grant for each named user (by UPN or object id); the policy excludes a user written by UPN as its object id; converges', async () => {
    const opts = write(manifest([alice.userPrincipalName, carol.id], [bob.userPrincipalName]));
    // The plan names each user of a per-user grant, in the published plan format.
    const planned = await plan(opts);
    const json = JSON.parse(JSON.stringify(planned.plan)) as unknown;
    assert.deepEqual(PlanSchema.parse(json), json);
    assert.deepEqual(
      planned.plan.changes.flatMap((c) => (c.action === 'create-delegated-grant' && c.user ? [c.user] : [])),
      [
        { id: alice.id, userPrincipalName: alice.userPrincipalName },
        { id: carol.id, userPrincipalName: carol.userPrincipalName },
      ],
    );
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    settle(emu);
    const cli = (await admin.api("/applications(uniqueName='consent--cli')").select('appId').get()) as { appId: string };
    const grants = await grantsOf(cli.appId);
    assert.deepEqual(
      grants.map((g) => [g.consentType, g.principalId, g.scope?.trim()]).sort(),
      [
        ['Principal', alice.id, 'Notes.Read'],
        ['Principal', carol.id, 'Notes.Read'],
      ].sort(),
    );
    const policies = (await admin.api('/identity/conditionalAccess/policies').get()) as { value: ConditionalAccessPolicy[] };
    assert.deepEqual(policies.value[0].conditions?.users?.excludeUsers, [bob.id]);

    // The token service honours the grants: alice gets Notes.Read; bob, not consented, AADSTS65001.
    const api = (await admin.api("/applications(uniqueName='consent--api')").select('appId').get()) as { appId: string };
    const scopes = [`api://${api.appId}/Notes.Read`];
    const ok = await msalPublicApp(emu, cli.appId).acquireTokenByUsernamePassword({ scopes, username: alice.userPrincipalName, password: alice.password });
    assert.ok(ok?.accessToken);
    await assert.rejects(
      msalPublicApp(emu, cli.appId).acquireTokenByUsernamePassword({ scopes, username: bob.userPrincipalName, password: bob.password }),
      (e: AuthError) => /AADSTS65001/.test(e.errorMessage),
    );
  });

  it("a user's own consent is left alone; a user dropped from the manifest keeps the grant", async () => {
    const opts = write(manifest([alice.userPrincipalName], [bob.userPrincipalName]));
    const p = await plan(opts);
    assert.deepEqual(
      p.plan.changes.map((c) => c.action),
      [],
      'carol is no longer named: her grant cannot be told from her own consent, so it stays',
    );
  });

  it('a user the tenant does not have is refused at plan time, located, with every other one, before any write', async () => {
    const opts = write(manifest(['nobody@tenantformlocal.onmicrosoft.com', alice.userPrincipalName], ['ghost@tenantformlocal.onmicrosoft.com']));
    const mark = emu.requestLog.mark();
    await assert.rejects(plan(opts), (e: TenantformError) => {
      assert.equal(e.code, 'RESOLVE_FAILED');
      const problems = (e.meta as { problems: Array<{ message: string; location: { line: number } }> }).problems;
      assert.deepEqual(
        problems.map((x) => [x.message, x.location.line]),
        [
          ['application "cli" consents for the user "nobody@tenantformlocal.onmicrosoft.com", whom the tenant does not have', 17],
          ['policy "mfa" names the user "ghost@tenantformlocal.onmicrosoft.com", whom the tenant does not have', 19],
        ],
      );
      return true;
    });
    assert.equal(emu.requestLog.since(mark).filter((x) => x.method !== 'GET' && !x.path.endsWith('$batch') && x.service === 'graph').length, 0);
  });
});
