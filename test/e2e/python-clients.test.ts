import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { graphClient, rawFetch, useEmulator } from '../helpers/emulator.js';
import { approveDeviceCode } from '../helpers/sign-in-page.js';
import { tempDir } from '../helpers/temp.js';
import { createApi, createClient, grant, type ApiFixture, type ClientFixture } from '../helpers/users.js';

/**
 * Python clients we did not write, against the emulator over HTTPS: MSAL Python (ConfidentialClientApplication with a
 * secret, its instance discovery first; PublicClientApplication with the device code flow) and azure-identity's
 * ClientSecretCredential. Each runs a script from test/fixtures/python/ with the emulator's CA trusted the way
 * docs/emulator.md tells Python users to: REQUESTS_CA_BUNDLE naming one bundle of the system's CAs plus the
 * emulator's (requests replaces its bundle with that file, so the system CAs must be in it too).
 *
 * Debian's python3-msal and python3-azure provide the modules (.ci/run installs them as root). Without them (or
 * without python3) the suite is reported skipped with the install command.
 */

const INSTALL = 'apt-get update && apt-get install -y --no-install-recommends python3-msal python3-azure';
const SCRIPTS = resolve('test/fixtures/python');
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const run = promisify(execFile);

/** The first python3 that can import msal and azure.identity (a pyenv shim on PATH may lack Debian's modules). */
function findPython(): string | undefined {
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c))) {
    try {
      execFileSync(candidate, ['-c', 'import msal, azure.identity'], { stdio: 'ignore', timeout: 20_000 });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const python = findPython();
const skip = python ? false : `no python3 with msal and azure-identity: install them with \`${INSTALL}\` (or set PYTHON=<path>)`;

describe('Python clients: MSAL Python and azure-identity', { skip }, () => {
  // MSAL Python polls every `interval` seconds: 1 keeps the device code test short (Entra's is 5).
  const emu = useEmulator({ deviceCodeIntervalSeconds: 1 });
  let admin: Client;
  let bundle: string;
  let frontend: ClientFixture;
  let api: ApiFixture;
  let alice: TestUser;

  before(async () => {
    admin = graphClient(emu);
    const dir = tempDir('python-clients');
    bundle = join(dir, 'ca-bundle.pem');
    // The combined bundle docs/emulator.md gives: `cat /etc/ssl/certs/ca-certificates.crt <caFile> > bundle.pem`.
    writeFileSync(bundle, (existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, 'utf8') + '\n' : '') + readFileSync(emu.caFile, 'utf8'));
    frontend = await createClient(emu, admin, { public: true });
    api = await createApi(emu, admin, { requestedAccessTokenVersion: 2 });
    await grant(emu, admin, frontend.sp, api.sp, 'access_as_user');
    alice = emu.addUser({ userPrincipalName: 'alice-python', password: 'alice-pass-1' });
  });

  /** The scripts' environment: the combined CA bundle, and no proxy variables (nothing may leave for the internet). */
  const cleanEnv = (): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?_proxy|all_proxy|no_proxy|REQUESTS_CA_BUNDLE|SSL_CERT_FILE)$/i.test(k))),
    REQUESTS_CA_BUNDLE: bundle,
  });
  /** Run one fixture script; its last stdout line is JSON. */
  const script = async (name: string, env: Record<string, string>): Promise<Record<string, unknown>> => {
    try {
      const { stdout } = await run(python!, [join(SCRIPTS, name)], { env: { ...cleanEnv(), ...env }, timeout: 30_000 });
      return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${name} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    }
  };
  const authority = () => `${emu.authorityHost}/${emu.tenantId}`;

  it('MSAL Python ConfidentialClientApplication: instance discovery on the emulator, then discovery and client credentials', async () => {
    const mark = emu.requestLog.mark();
    const out = await script('msal_client_credentials.py', {
      TF_AUTHORITY: authority(),
      TF_CLIENT_ID: emu.adminClientId,
      TF_CLIENT_SECRET: emu.adminClientSecret,
      TF_SCOPE: 'https://graph.microsoft.com/.default',
      TF_INSTANCE_DISCOVERY: 'emulator',
    });
    assert.equal(out.token_type, 'Bearer');
    assert.equal(out.token_endpoint, `${authority()}/oauth2/v2.0/token`);
    const paths = emu.requestLog.since(mark).map((e) => `${e.method} ${e.path} ${e.status}`);
    assert.deepEqual(paths, [
      'GET /common/discovery/instance 200',
      `GET /${emu.tenantId}/v2.0/.well-known/openid-configuration 200`,
      `POST /${emu.tenantId}/oauth2/v2.0/token 200`,
    ]);
    const claims = decodeJwt(String(out.access_token));
    assert.equal(claims.appid, emu.adminClientId);
    assert.equal((await rawFetch(emu, '/v1.0/applications?$top=1', { token: String(out.access_token) })).status, 200);
  });

  it('MSAL Python without instance discovery (instance_discovery=False) for a custom API: the v2 issuer of the emulator', async () => {
    const out = await script('msal_client_credentials.py', {
      TF_AUTHORITY: authority(),
      TF_CLIENT_ID: emu.adminClientId,
      TF_CLIENT_SECRET: emu.adminClientSecret,
      TF_SCOPE: `api://${api.app.appId}/.default`,
      TF_INSTANCE_DISCOVERY: 'off',
    });
    const claims = decodeJwt(String(out.access_token));
    assert.equal(claims.iss, `${authority()}/v2.0`);
    assert.equal(claims.aud, api.app.appId);
  });

  it('MSAL Python PublicClientApplication: the device code flow, approved on the verification page while MSAL polls', async () => {
    const child = spawn(python!, [join(SCRIPTS, 'msal_device_code.py')], {
      env: { ...cleanEnv(), TF_AUTHORITY: authority(), TF_CLIENT_ID: frontend.app.appId!, TF_SCOPE: `api://${api.app.appId}/access_as_user openid profile` },
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const firstLine = new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        const parts = buf.split('\n');
        buf = parts.pop()!;
        for (const p of parts) if (p.trim()) lines.push(p) === 1 && resolve(p);
      });
      child.on('exit', () => reject(new Error(`msal_device_code.py exited before printing the flow: ${stderr}`)));
    });
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const timer = setTimeout(() => child.kill(), 30_000);
    try {
      const flow = JSON.parse(await firstLine) as { user_code: string; verification_uri: string; message: string };
      assert.equal(flow.verification_uri, `${emu.authorityHost}/devicelogin`);
      assert.match(flow.message, new RegExp(flow.user_code));
      await approveDeviceCode(emu, flow, alice);
      assert.equal(await exited, 0, stderr + lines.join('\n'));
    } finally {
      clearTimeout(timer);
      child.kill();
    }
    const out = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
    assert.equal(decodeJwt(String(out.access_token)).oid, alice.id);
    const idClaims = out.id_token_claims as Record<string, unknown>;
    assert.equal(idClaims.preferred_username, alice.userPrincipalName);
    assert.equal(idClaims.tid, emu.tenantId);
    assert.deepEqual(out.accounts, [alice.userPrincipalName]);
  });

  it('azure-identity ClientSecretCredential: a Microsoft Graph token the emulator accepts', async () => {
    const out = await script('azure_identity_secret.py', {
      TF_AUTHORITY_HOST: emu.authorityHost,
      TF_TENANT_ID: emu.tenantId,
      TF_CLIENT_ID: emu.adminClientId,
      TF_CLIENT_SECRET: emu.adminClientSecret,
      TF_SCOPE: 'https://graph.microsoft.com/.default',
    });
    const now = emu.clock.now() / 1000;
    assert.ok(Number(out.expires_on) > now + 3000, `expires_on ${String(out.expires_on)}`);
    assert.equal((await rawFetch(emu, '/v1.0/organization', { token: String(out.token) })).status, 200);
  });
});
