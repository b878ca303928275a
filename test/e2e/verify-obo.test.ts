/**
 * `tenantform verify --user` proves seed 004's delegated chain against the emulator: manifests/obo-conditional-access.yaml
 * applied with the library API, a test user added to the tenant, then verify signs in as that user with the middle
 * tier's written client id + secret (password grant), exchanges the token On-Behalf-Of for the downstream API and
 * checks both tokens; with the MFA policy enabled the exchange meets the claims challenge, which passes as
 * "protected". Through the library API and once through the built CLI (--json; the password never in the output).
 *
 * The manifest copy adds one permission: the middle tier's own scope, consented, on itself. The user leg asks for it
 * (the middle tier requests a token for itself, by appId: AADSTS90009 otherwise), and the emulator wants a grant
 * for that as for any client; whether Entra skips consent when an app asks for its own scopes is UNCONFIRMED
 * (MicrosoftDocs/entra-docs#1071 says so, unmerged).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import type { TestUser } from '../../src/emulator/index.js';
import { apply } from '../../src/index.js';
import { verify, type VerifyResult } from '../../src/verify/index.js';
import { MAIN, runCli, credentialEnv, remoteArgs } from '../helpers/cli-engine.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { engineOptions } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';

const MANIFEST = resolve('manifests/obo-conditional-access.yaml');
const PASSWORD = 'verify-obo-Pa55';

/** The sample's manifest, with the middle tier consented to its own scope; optionally the policy state or no downstream consent. */
function manifestCopy(o: { policy?: 'enabled'; downstreamConsent?: false; middlePolicy?: true } = {}): string {
  let yaml = readFileSync(MANIFEST, 'utf8');
  const self = ['      - api: middle', '        scopes: [user_impersonation]', '        adminConsent: true', ''].join('\n');
  yaml = yaml.replace(
    /(\n {4}permissions:\n {6}- api: downstream\n {8}scopes: \[user_impersonation\]\n {8}adminConsent: )true\n/,
    `$1${o.downstreamConsent === false ? 'false' : 'true'}\n${self}`,
  );
  if (o.policy) yaml = yaml.replace(/(\n {2}downstream-mfa:\n)/, `$1    state: ${o.policy}\n`);
  // A second policy, on the middle tier itself: the user's own sign-in to it needs MFA.
  if (o.middlePolicy) {
    yaml += [
      '  middle-mfa:',
      '    displayName: require MFA for the middle tier',
      '    state: enabled',
      '    users:',
      '      include: [All]',
      '    applications:',
      '      include: [middle]',
      '    grant:',
      '      controls: [mfa]',
      '',
    ].join('\n');
  }
  assert.ok(yaml.includes('      - api: middle\n') && (!o.policy || yaml.includes(`state: ${o.policy}`)), 'the manifest copy was edited');
  return yaml;
}

const rows = (r: VerifyResult) =>
  r.checks.filter((c) => c.client === 'obo-ca/middle').map((c) => `${c.api} ${c.check}:${c.ok ? (c.skipped ? 'skip' : 'ok') : 'FAIL'}`);
const failures = (r: VerifyResult) =>
  JSON.stringify(
    r.checks.filter((c) => !c.ok),
    null,
    1,
  );

describe('verify --user: the delegated chain SPA → middle tier → On-Behalf-Of → downstream API', () => {
  // Graph's conditional access limit (1 request/s, emulator quotas.ts) is not what this file tests: off, so the
  // applies that create and edit the policy do not wait on it.
  const emu = useEmulator({ quotas: false });
  const cwd = tempDir('tenantform-verify-obo-');
  const manifest = join(cwd, 'obo-conditional-access.yaml');
  let user: TestUser;
  const opts = () => engineOptions(emu, { manifests: [manifest], cwd });
  const applyCopy = async (o: Parameters<typeof manifestCopy>[0] = {}) => {
    writeFileSync(manifest, manifestCopy(o));
    const r = await apply(opts());
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
  };
  /** `password: null`: TENANTFORM_VERIFY_PASSWORD unset. */
  const verifyAs = (upn: string | undefined, password: string | null = PASSWORD) =>
    verify({ ...opts(), ...(upn ? { user: upn } : {}), env: password === null ? {} : { TENANTFORM_VERIFY_PASSWORD: password } });

  before(async () => {
    user = emu.addUser({ userPrincipalName: 'verify-obo', displayName: 'Verify OBO', password: PASSWORD });
    await applyCopy();
  });

  it('policy report-only: both legs pass (aud, scp, ver, tid), and the report says the policy is not enforced', async () => {
    const r = await verifyAs(user.userPrincipalName);
    assert.ok(r.ok, failures(r));
    assert.deepEqual(rows(r), [
      'obo-ca/middle credential:ok',
      'obo-ca/middle config:ok',
      'obo-ca/middle user-token:ok',
      'obo-ca/middle signature:ok',
      'obo-ca/middle issuer:ok',
      'obo-ca/middle audience:ok',
      'obo-ca/middle tenant:ok',
      'obo-ca/middle version:ok',
      'obo-ca/middle scopes:ok',
      'obo-ca/downstream obo-token:ok',
      'obo-ca/downstream signature:ok',
      'obo-ca/downstream issuer:ok',
      'obo-ca/downstream audience:ok',
      'obo-ca/downstream tenant:ok',
      'obo-ca/downstream version:ok',
      'obo-ca/downstream scopes:ok',
      'obo-ca/downstream conditional-access:ok',
    ]);
    const detail = (api: string, check: string) => r.checks.find((c) => c.api === api && c.check === check)?.detail;
    assert.equal(detail('obo-ca/downstream', 'scopes'), 'scp user_impersonation');
    assert.equal(detail('obo-ca/middle', 'version'), 'ver 2.0');
    assert.match(detail('obo-ca/downstream', 'conditional-access') ?? '', /report-only \(enabledForReportingButNotEnforced\)/);
    assert.match(detail('obo-ca/middle', 'user-token') ?? '', /password grant as verify-obo@/);
    // The daemon-less stack has no client-credentials pair: the graph-read row counts the chain.
    assert.match(r.checks[0].detail, /0 client→API pairs and 1 delegated chain to verify$/);
    assert.ok(!JSON.stringify(r).includes(PASSWORD), 'the password is not in the result');
    assert.ok(!/eyJ[\w-]+\.eyJ/.test(JSON.stringify(r)), 'no token is in the result');
  });

  it('without --user: one skipped line, not a failure', async () => {
    const r = await verifyAs(undefined, null);
    assert.ok(r.ok, failures(r));
    assert.deepEqual(rows(r), ['obo-ca/downstream delegated:skip']);
    assert.equal(
      r.checks.find((c) => c.check === 'delegated')?.detail,
      'skipped: pass --user <upn> and TENANTFORM_VERIFY_PASSWORD to prove the delegated chain',
    );
  });

  it('--user without TENANTFORM_VERIFY_PASSWORD fails with the variable named', async () => {
    const r = await verifyAs(user.userPrincipalName, null);
    assert.equal(r.ok, false);
    const row = r.checks.find((c) => c.check === 'delegated')!;
    assert.equal(row.diagnosis?.code, 'user-password-missing');
    assert.match(row.diagnosis!.next, /TENANTFORM_VERIFY_PASSWORD/);
  });

  it('a wrong password fails at the user leg with AADSTS50126, names TENANTFORM_VERIFY_PASSWORD, and never shows the password', async () => {
    const wrong = 'not-the-Pa55word';
    const r = await verifyAs(user.userPrincipalName, wrong);
    assert.equal(r.ok, false);
    const row = r.checks.find((c) => c.check === 'user-token')!;
    assert.equal(row.ok, false);
    assert.equal(row.detail, 'invalid_grant AADSTS50126');
    assert.equal(row.diagnosis?.code, 'wrong-password');
    assert.match(row.diagnosis!.next, /^Set TENANTFORM_VERIFY_PASSWORD to verify-obo@\S+'s password/);
    assert.ok(!JSON.stringify(r).includes(wrong));
    // No On-Behalf-Of row without a user token.
    assert.ok(!r.checks.some((c) => c.check === 'obo-token'));
  });

  it('an unknown user fails with AADSTS50034 and how the local tenant gets test users', async () => {
    const r = await verifyAs('nobody@tenantformlocal.onmicrosoft.com');
    const row = r.checks.find((c) => c.check === 'user-token')!;
    assert.equal(row.diagnosis?.code, 'user-not-found');
    assert.match(row.diagnosis!.problem, /no user nobody@tenantformlocal\.onmicrosoft\.com \(AADSTS50034\)/);
  });

  it('the middle tier without consent on the downstream API: the On-Behalf-Of leg fails with AADSTS65001 and the grant named', async () => {
    await applyCopy({ downstreamConsent: false });
    try {
      const r = await verifyAs(user.userPrincipalName);
      assert.equal(r.ok, false);
      const row = r.checks.find((c) => c.check === 'obo-token')!;
      assert.equal(row.api, 'obo-ca/downstream');
      assert.equal(row.detail, 'invalid_grant AADSTS65001 (consent_required)');
      assert.equal(row.diagnosis?.code, 'consent-missing');
      assert.match(
        row.diagnosis!.next,
        /^Grant it in the manifest — permissions: \[\{ api: downstream, scopes: \[user_impersonation\], adminConsent: true \}\] of obo-ca\/middle \(or userConsent: \[verify-obo@\S+\] for that user only\)/,
      );
      assert.deepEqual((row.diagnosis!.meta as { grant: unknown }).grant, {
        client: 'obo-ca/middle',
        api: 'downstream',
        scopes: ['user_impersonation'],
        adminConsent: false,
        userConsent: [],
      });
      // The user leg still passes.
      assert.ok(r.checks.filter((c) => c.api === 'obo-ca/middle').every((c) => c.ok));
    } finally {
      await applyCopy();
    }
  });

  it('a policy requiring MFA on the middle tier itself: the user leg fails, saying the password grant cannot prove it', async () => {
    await applyCopy({ middlePolicy: true });
    try {
      const r = await verifyAs(user.userPrincipalName);
      assert.equal(r.ok, false);
      const row = r.checks.find((c) => c.check === 'user-token')!;
      assert.match(row.detail, /^(invalid_grant|interaction_required) AADSTS5007[69] \(basic_action\)$/);
      assert.equal(row.diagnosis?.code, 'mfa-at-sign-in');
      assert.match(
        row.diagnosis!.problem,
        /the manifests' 'require MFA for the middle tier'\): the password grant cannot do MFA, so verify cannot prove this chain with a password\.$/,
      );
    } finally {
      await applyCopy();
    }
  });

  let protectedDetail = '';
  it('policy enabled: the On-Behalf-Of exchange meets the MFA claims challenge, which passes as "protected"', async () => {
    await applyCopy({ policy: 'enabled' });
    const policies = ((await graphClient(emu).api('/identity/conditionalAccess/policies').get()) as { value: ConditionalAccessPolicy[] }).value;
    const policy = policies.find((p) => p.description?.startsWith('tenantform:stack=obo-ca;policy=downstream-mfa'));
    assert.equal(policy?.state, 'enabled');
    const r = await verifyAs(user.userPrincipalName);
    assert.ok(r.ok, failures(r));
    const ca = r.checks.find((c) => c.check === 'conditional-access')!;
    assert.equal(ca.api, 'obo-ca/downstream');
    assert.match(
      ca.detail,
      /^protected by conditional access 'ms-identity-javascript-tutorial-c4s1 require MFA for the downstream API': the middle tier must pass the claims challenge back to the client \(AADSTS5007[69], capolids ([0-9a-f-]{36})\)$/,
    );
    assert.equal(/capolids ([0-9a-f-]{36})/.exec(ca.detail)?.[1], policy!.id);
    assert.ok(!r.checks.some((c) => c.check === 'obo-token'));
    protectedDetail = ca.detail;
  });

  // `npm test` builds dist/ first; a checkout whose dist/ predates `verify --user` says so instead of failing on it.
  const stale = !execFileSync(process.execPath, [MAIN, 'verify', '--help'], { encoding: 'utf8' }).includes('--user');
  it(
    'the same through the built CLI (--json and text): the password only from the environment, never printed',
    { skip: stale && 'dist/cli/main.js predates verify --user: run npm run build' },
    async () => {
      assert.ok(protectedDetail, 'runs after the policy-enabled test');
      // --json: the password comes from the environment only.
      const run = await runCli(['verify', manifest, '--user', user.userPrincipalName, '--json', ...remoteArgs(emu)], {
        cwd,
        env: { ...credentialEnv(emu), TENANTFORM_VERIFY_PASSWORD: PASSWORD },
      });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const doc = JSON.parse(run.stdout) as { ok: boolean; verify: VerifyResult };
      assert.deepEqual(
        doc.verify.checks.filter((c) => c.check === 'conditional-access').map((c) => c.detail),
        [protectedDetail],
      );
      for (const out of [run.stdout, run.stderr]) {
        assert.ok(!out.includes(PASSWORD), 'the password is not printed');
        assert.ok(!/eyJ[\w-]+\.eyJ/.test(out), 'no token is printed');
      }
      // Text output: the skipped line without --user.
      const text = await runCli(['verify', manifest, ...remoteArgs(emu)], { cwd, env: { ...credentialEnv(emu), NO_COLOR: '1' } });
      assert.equal(text.code, 0, text.stderr + text.stdout);
      assert.match(
        text.stdout,
        /^obo-ca\/middle\s+obo-ca\/downstream\s+delegated\s+skip\s+skipped: pass --user <upn> and TENANTFORM_VERIFY_PASSWORD to prove the delegated chain$/m,
      );
    },
  );
});
