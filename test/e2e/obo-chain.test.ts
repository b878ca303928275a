/**
 * Seed 004's chain end to end against the emulator: manifests/obo-conditional-access.yaml applied with the library
 * API, the sample's two APIs (examples/obo) started from the config files it wrote, a test user's token for the
 * middle tier, and the middle tier's On-Behalf-Of call to the downstream API through msal-node:
 * - the policy report-only (the manifest's default): the middle tier answers the downstream API's answer;
 * - the policy `enabled` (the manifest copy edited and applied again): the exchange meets conditional access and the
 *   middle tier answers 401 with the claims challenge naming the policy;
 * - a token from an MFA sign-in (test-only, until the authorize endpoint's MFA step issues one) passes again.
 *
 * The user's token comes from the password grant of a desktop test client the manifest copy adds (public client
 * flows allowed, admin consent for the middle tier): the sample's SPA is a single-page app, which signs users in with
 * the authorization code flow + PKCE in a browser (the browser test's part), and the password grant refuses it as it
 * would a confidential client without a credential (AADSTS7000218: it does not allow public client flows).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import { start as startDownstream, type OboApiConfig, type RunningApi } from '../../examples/obo/downstream-api.mjs';
import { start as startMiddleTier } from '../../examples/obo/middletier-api.mjs';
import type { TestUser } from '../../src/emulator/index.js';
import { apply } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { engineOptions } from '../helpers/engine.js';
import { withSignIn } from '../helpers/obo.js';
import { tempDir } from '../helpers/temp.js';
import { msalApp } from '../helpers/tokens.js';
import { msalPublicApp } from '../helpers/users.js';

const MANIFEST = resolve('manifests/obo-conditional-access.yaml');

/** The sample's manifest plus a desktop test client allowed the password grant, consented for the middle tier. */
function manifestCopy(policyState?: 'enabled'): string {
  let yaml = readFileSync(MANIFEST, 'utf8');
  const tester = [
    '  tester:',
    '    displayName: obo-chain test client',
    '    signInAudience: AzureADMyOrg',
    '    isFallbackPublicClient: true',
    '    permissions:',
    '      - api: middle',
    '        scopes: [user_impersonation]',
    '        adminConsent: true',
    '',
  ].join('\n');
  yaml = yaml.replace(/\noutputs:\n/, `\n${tester}\noutputs:\n`);
  if (policyState) yaml = yaml.replace(/(\n {2}downstream-mfa:\n)/, `$1    state: ${policyState}\n`);
  assert.ok(yaml.includes('  tester:') && (!policyState || yaml.includes(`state: ${policyState}`)), 'the manifest copy was edited');
  return yaml;
}

/** `Bearer k="v", …` → { k: v }. */
function challengeParams(header: string): Record<string, string> {
  assert.match(header, /^Bearer /);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

describe('seed 004 end to end: user → middle tier → On-Behalf-Of → downstream API, with conditional access', () => {
  let downstreamApi: RunningApi | undefined;
  let middleApi: RunningApi | undefined;
  // Registered before the emulator's hooks: the APIs stop first.
  after(async () => {
    await middleApi?.close();
    await downstreamApi?.close();
  });
  const emu = useEmulator();

  const cwd = tempDir('tenantform-obo-chain-');
  const manifest = join(cwd, 'obo-conditional-access.yaml');
  let user: TestUser;
  let down: OboApiConfig;
  let mid: OboApiConfig & { credentials: { clientSecret: string } };
  let testerAppId: string;

  before(async () => {
    writeFileSync(manifest, manifestCopy());
    const r = await apply(engineOptions(emu, { manifests: [manifest], cwd }));
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    down = JSON.parse(readFileSync(join(cwd, 'out/DownstreamAPI/config.json'), 'utf8')) as OboApiConfig;
    mid = JSON.parse(readFileSync(join(cwd, 'out/MiddletierAPI/config.json'), 'utf8')) as typeof mid;
    testerAppId = ((await graphClient(emu).api("/applications(uniqueName='obo-ca--tester')").select('appId').get()) as { appId: string }).appId;
    user = emu.addUser({ userPrincipalName: 'obo-alice', displayName: 'Alice OBO', password: 'alice-obo-1', mfa: true });
    // The config names login.microsoftonline.com: the local tenant's authority host and CA are passed explicitly.
    const common = { ca: emu.ca, port: 0, authorityHost: emu.authorityHost };
    downstreamApi = await startDownstream({ config: down, ...common });
    middleApi = await startMiddleTier({ config: mid, ...common, downstreamUrl: `${downstreamApi.url}/api` });
  });

  /** A fresh user token for the middle tier (a new assertion: the middle tier's msal caches OBO tokens per assertion). */
  const userToken = async (): Promise<string> => {
    const r = await msalPublicApp(emu, testerAppId).acquireTokenByUsernamePassword({
      scopes: [`api://${mid.credentials.clientID}/user_impersonation`],
      username: user.userPrincipalName,
      password: user.password,
    });
    assert.ok(r?.accessToken);
    return r.accessToken;
  };
  const callMiddleTier = (token: string) => fetch(`${middleApi!.url}/api`, { headers: { Authorization: `Bearer ${token}` } });

  it('report-only policy: the middle tier relays the downstream API’s answer for the user', async () => {
    const res = await callMiddleTier(await userToken());
    const body = (await res.json()) as Record<string, string>;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body, {
      name: 'Alice OBO',
      oid: user.id,
      'issued-by': `${emu.authorityHost}/${emu.tenantId}/v2.0`,
      'issued-for': down.credentials.clientID,
      scope: 'user_impersonation',
      azp: mid.credentials.clientID,
    });
    // Without a token the middle tier refuses the call itself; the downstream API takes only its own user tokens.
    const none = await fetch(`${middleApi!.url}/api`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const callDownstream = (token: string) => fetch(`${downstreamApi!.url}/api`, { headers: { Authorization: `Bearer ${token}` } });
    const wrongAudience = await callDownstream(await userToken());
    assert.equal(wrongAudience.status, 401);
    assert.match(wrongAudience.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    const appOnly = await msalApp(emu, emu.adminClientId, { clientSecret: emu.adminClientSecret }).acquireTokenByClientCredential({
      scopes: [`api://${down.credentials.clientID}/.default`],
    });
    const noScope = await callDownstream(appOnly!.accessToken);
    assert.equal(noScope.status, 403);
    assert.equal(noScope.headers.get('www-authenticate'), 'Bearer error="insufficient_scope", scope="user_impersonation"');
  });

  it('policy enabled: the On-Behalf-Of exchange meets the MFA requirement; the middle tier answers 401 with the claims challenge', async () => {
    writeFileSync(manifest, manifestCopy('enabled'));
    const r = await apply(engineOptions(emu, { manifests: [manifest], cwd }));
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    const policies = ((await graphClient(emu).api('/identity/conditionalAccess/policies').get()) as { value: ConditionalAccessPolicy[] }).value;
    const policy = policies.find((p) => p.description?.startsWith('tenantform:stack=obo-ca;policy=downstream-mfa'));
    assert.equal(policy?.state, 'enabled');

    const res = await callMiddleTier(await userToken());
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'insufficient_claims');
    assert.equal(res.headers.get('access-control-expose-headers'), 'WWW-Authenticate');
    const header = res.headers.get('www-authenticate') ?? '';
    assert.match(header, /^Bearer realm="", authorization_uri="[^"]+", client_id="[^"]+", error="insufficient_claims", claims="[A-Za-z0-9+/=]+"$/);
    const params = challengeParams(header);
    assert.equal(params.authorization_uri, `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/authorize`);
    assert.equal(params.client_id, mid.credentials.clientID);
    assert.deepEqual(JSON.parse(Buffer.from(params.claims, 'base64').toString('utf8')), {
      access_token: { capolids: { essential: true, values: [policy!.id] } },
    });

    // TEST-ONLY: a token from an MFA sign-in (helpers/obo.ts withSignIn) satisfies the policy.
    const mfa = await callMiddleTier(await withSignIn(emu, await userToken(), { authMethods: ['pwd', 'mfa'] }));
    assert.equal(mfa.status, 200);
    assert.equal(((await mfa.json()) as { oid: string }).oid, user.id);
  });
});
