import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_EMULATOR_PORT, type Emulator } from '../../src/emulator/index.js';
import { graphClient, graphToken, rawFetch } from '../helpers/emulator.js';
import { childEnv, MAIN, REPO_ROOT, remoteEmulator, runNode, startCliEmulator, type CliEmulator } from '../helpers/cli.js';
import { createAppWithSp } from '../helpers/directory.js';
import { tempDir } from '../helpers/temp.js';
import { grantGraphSignIn, msalPublicApp } from '../helpers/users.js';

/** `tenantform emulator` as a user runs it: a child process, one JSON line, signals, a state file. */
describe('tenantform emulator (CLI)', () => {
  const running: CliEmulator[] = [];
  let dir: string;
  before(() => {
    dir = tempDir('tenantform-cli-');
  });
  after(() => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  });
  const start = async (args: string[], cwd?: string) => {
    const r = await startCliEmulator(args, { cwd });
    running.push(r);
    return r;
  };

  it('--memory --port 0 prints exactly one JSON line whose caFile the SDKs can trust, and exits 0 on SIGINT', async () => {
    const cli = await start(['--memory', '--port', '0']);
    const { line } = cli;
    assert.deepEqual(Object.keys(line).sort(), ['adminClientId', 'adminClientSecret', 'authorityHost', 'caFile', 'graphUrl', 'tenantId']);
    assert.match(line.graphUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(line.graphUrl).port, String(DEFAULT_EMULATOR_PORT));
    assert.equal(line.authorityHost, line.graphUrl);
    assert.match(readFileSync(line.caFile, 'utf8'), /^-----BEGIN CERTIFICATE-----/);

    // In process: @azure/identity + the Graph SDK, trusting the PEM from caFile.
    const emu = remoteEmulator(line);
    const org = (await graphClient(emu).api('/organization').get()) as { value: Array<{ id: string }> };
    assert.equal(org.value[0].id, line.tenantId);

    // In a child: plain fetch trusts it through NODE_EXTRA_CA_CERTS, and fails without it.
    const discovery = `${line.authorityHost}/${line.tenantId}/v2.0/.well-known/openid-configuration`;
    const script = `const r = await fetch(${JSON.stringify(discovery)}); console.log(r.status);`;
    const trusted = await runNode(script, { NODE_EXTRA_CA_CERTS: line.caFile });
    assert.equal(trusted.stdout.trim(), '200', trusted.stderr);
    const untrusted = await runNode(script);
    assert.notEqual(untrusted.code, 0);

    assert.equal(await cli.stop('SIGINT'), 0);
    assert.equal(cli.stdout().trim().split('\n').length, 1, 'exactly one line on stdout');
    assert.equal(existsSync(line.caFile), false, 'the throwaway CA file of a memory tenant is removed');
  });

  it('--state persists the tenant and its TLS certificate beside it; fault and log flags reach the emulator', async () => {
    const state = join(dir, 'tenant.json');
    const log1 = join(dir, 'run1.jsonl');
    const first = await start(['--state', state, '--port', '0', '--latency-ms', '40', '--log', log1]);
    assert.equal(first.line.caFile, join(dir, 'tenant.tls-cert.pem'));
    for (const f of ['tenant.json', 'tenant.tls-cert.pem', 'tenant.tls-key.pem']) assert.ok(existsSync(join(dir, f)), f);
    assert.equal(statSync(join(dir, 'tenant.tls-key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(state).mode & 0o777, 0o600);
    const cert = readFileSync(first.line.caFile, 'utf8');

    const created = (await graphClient(remoteEmulator(first.line)).api('/applications').post({ displayName: 'survives a restart' })) as {
      id: string;
    };
    assert.equal(await first.stop('SIGTERM'), 0);
    assert.equal(first.stdout().trim().split('\n').length, 1);
    const entries = readFileSync(log1, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; durationMs: number });
    assert.ok(entries.some((e) => e.path === '/v1.0/applications'));
    assert.ok(
      entries.every((e) => e.durationMs >= 40),
      '--latency-ms applies to every request',
    );

    // Restart on the same state: same tenant, same admin client, same certificate, the app is still there.
    const log2 = join(dir, 'run2.jsonl');
    const second = await start(['--state', state, '--port', '0', '--throttle-rate', '0.5', '--seed', '11', '--retry-after', '0', '--log', log2]);
    assert.equal(second.line.tenantId, first.line.tenantId);
    assert.equal(second.line.adminClientId, first.line.adminClientId);
    assert.equal(second.line.adminClientSecret, first.line.adminClientSecret);
    assert.equal(second.line.caFile, first.line.caFile);
    assert.equal(readFileSync(second.line.caFile, 'utf8'), cert, 'the certificate is reused, not regenerated');

    const emu = remoteEmulator(second.line);
    const client = graphClient(emu);
    for (let i = 0; i < 4; i++) {
      // The SDK's RetryHandler absorbs the injected 429s (Retry-After 0).
      const app = (await client.api(`/applications/${created.id}`).get()) as { displayName: string };
      assert.equal(app.displayName, 'survives a restart');
    }
    const token = await graphToken(emu);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await rawFetch(emu, '/v1.0/organization', { token });
      await res.arrayBuffer();
      statuses.push(res.status);
      if (res.status === 429) assert.equal(res.headers.get('retry-after'), '0');
    }
    assert.ok(statuses.includes(429), `--throttle-rate reached the emulator: ${statuses.join(',')}`);
    assert.equal(await second.stop('SIGTERM'), 0);
    assert.ok(readFileSync(log2, 'utf8').includes('"status":429'));
  });

  it('--user provisions test users, prints them (TOTP secret for :mfa) in the JSON line, and they can sign in', async () => {
    const cli = await start([
      '--memory',
      '--port',
      '0',
      '--user',
      'alice:Secret-1',
      '--user',
      'bob@tenantformlocal.onmicrosoft.com:pw:with:colons:mfa',
      '--user',
      'carol:pw-3:mfa:role=Global Administrator:role=privileged role administrator',
    ]);
    const line = cli.line as typeof cli.line & {
      users: Array<{ id: string; userPrincipalName: string; password: string; totpSecret?: string; otpauthUri?: string; roles?: string[] }>;
    };
    assert.deepEqual(
      line.users.map((u) => [u.userPrincipalName, u.password, !!u.totpSecret, u.roles]),
      [
        ['alice@tenantformlocal.onmicrosoft.com', 'Secret-1', false, undefined],
        ['bob@tenantformlocal.onmicrosoft.com', 'pw:with:colons', true, undefined],
        ['carol@tenantformlocal.onmicrosoft.com', 'pw-3', true, ['Global Administrator', 'Privileged Role Administrator']],
      ],
    );
    assert.match(
      line.users[1].otpauthUri!,
      /^otpauth:\/\/totp\/tenantform%20emulator:bob%40tenantformlocal\.onmicrosoft\.com\?secret=[A-Z2-7]+&issuer=tenantform%20emulator$/,
    );

    // A public client with consent for Graph's sign-in scopes signs alice in with the password grant (msal-node).
    // The fixtures settle() against the emulator's lag, which the child runs without.
    const emu = { ...remoteEmulator(line), faults: { options: { replicationLagMs: 0 } } } as unknown as Emulator;
    const admin = graphClient(emu);
    const { app, sp } = await createAppWithSp(emu, admin, { isFallbackPublicClient: true });
    await grantGraphSignIn(emu, admin, sp);
    const r = await msalPublicApp(emu, app.appId!).acquireTokenByUsernamePassword({
      scopes: ['User.Read'],
      username: 'alice@tenantformlocal.onmicrosoft.com',
      password: 'Secret-1',
    });
    assert.equal(r?.account?.homeAccountId, `${line.users[0].id}.${line.tenantId}`);

    assert.equal(await cli.stop('SIGTERM'), 0);
    assert.equal(cli.stdout().trim().split('\n').length, 1, 'still exactly one line on stdout');
    assert.match(cli.stderr(), /test user bob@tenantformlocal\.onmicrosoft\.com .*MFA: add otpauth:\/\//, 'the MFA secret for a developer on stderr');
    assert.match(
      cli.stderr(),
      /test user carol@tenantformlocal\.onmicrosoft\.com \(object id [0-9a-f-]+, Global Administrator, Privileged Role Administrator\)/,
    );
  });

  it('--user without a password is refused before anything starts', () => {
    const r = spawnSync(process.execPath, [MAIN, 'emulator', '--memory', '--port', '0', '--user', 'alice'], {
      cwd: REPO_ROOT,
      env: childEnv(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--user alice: expected <upn>:<password>\[:mfa\]\[:role=<directory role>\]/);
    assert.equal(r.stdout.trim(), '', 'no JSON line');
    const role = spawnSync(process.execPath, [MAIN, 'emulator', '--memory', '--port', '0', '--user', 'alice:pw:role=Overlord'], {
      cwd: REPO_ROOT,
      env: childEnv(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.match(
      role.stderr,
      /^error \[USAGE\] emulator test user 'alice@tenantformlocal\.onmicrosoft\.com': unknown directory role 'Overlord' \(known: Global Administrator, /,
    );
    assert.doesNotMatch(role.stderr, /internal error/);
    assert.equal(role.stdout.trim(), '', 'no JSON line');
  });

  it('prints an absolute caFile for a relative --state, so NODE_EXTRA_CA_CERTS works from any folder', async () => {
    const cwd = tempDir('tenantform-cli-rel-');
    const cli = await start(['--port', '0', '--state', 'state/local.json'], cwd);
    assert.equal(cli.line.caFile, join(cwd, 'state', 'local.tls-cert.pem'));
    assert.equal(await cli.stop('SIGTERM'), 0);
  });

  it('a port in use is refused with what to do, before anything is written; numeric flags are checked', async () => {
    const first = await start(['--memory', '--port', '0']);
    const port = new URL(first.line.graphUrl).port;
    const cwd = tempDir('tenantform-cli-port-');
    const run = (args: string[]) => spawnSync(process.execPath, [MAIN, 'emulator', ...args], { cwd, env: childEnv(), encoding: 'utf8', timeout: 30_000 });
    const taken = run(['--port', port, '--state', 'state/local.json']);
    assert.equal(taken.status, 1);
    assert.equal(
      taken.stderr.trim(),
      `error [USAGE] Port ${port} on 127.0.0.1 is in use (another \`tenantform emulator\`, or an app started with --tenant local, may hold it). Stop it, or choose another port with --port (0 = any free port).`,
    );
    assert.equal(existsSync(join(cwd, 'state')), false, 'no state file or TLS key for a tenant that never started');
    for (const [args, message] of [
      [['--port', 'abc'], '--port must be a whole number from 0 to 65535; got "abc".'],
      [['--memory', '--port', '0', '--latency-ms', '-4'], '--latency-ms must be a number of milliseconds from 0 to 60000; got "-4".'],
      [['--memory', '--port', '0', '--throttle-rate', '2'], '--throttle-rate must be a number from 0 to 1; got "2".'],
    ] as const) {
      const r = run([...args]);
      assert.equal(r.status, 1);
      assert.equal(r.stderr.trim(), `error [USAGE] ${message}`);
      assert.equal(r.stdout, '', 'no JSON line, no help text');
    }
    assert.equal(await first.stop('SIGTERM'), 0);
  });

  it('documents its fixed default port and the fault flags in --help', () => {
    const help = spawnSync(process.execPath, [MAIN, 'emulator', '--help'], {
      cwd: REPO_ROOT,
      env: childEnv(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`default: ${DEFAULT_EMULATOR_PORT}`));
    for (const flag of ['--memory', '--state', '--latency-ms', '--throttle-rate', '--replication-lag-ms', '--seed', '--retry-after', '--log', '--user']) {
      assert.ok(help.stdout.includes(flag), flag);
    }
  });
});
