/**
 * Certificates end to end: a generated self-signed certificate is registered without dropping keys the stack
 * does not own, its private key is kept 0600, the written config gets a token through ClientCertificateCredential
 * (and msal-node reads the msal-node file as is), rotation replaces it in the safe order, and a certificate file
 * the user keeps (PEM, PFX) is uploaded by content.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ClientCertificateCredential } from '@azure/identity';
import type { Application, KeyCredential } from '@microsoft/microsoft-graph-types';
import { decodeJwt } from 'jose';
import { generate } from 'selfsigned';
import { createPfx } from '../../src/credentials/pfx.js';
import type { Emulator } from '../../src/emulator/index.js';
import { apply, plan } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, readDotenv, settle } from '../helpers/engine.js';
import { msalApp } from '../helpers/tokens.js';

const MANIFEST = (extra = '') => `
stack: cert-daemon
applications:
  api:
    displayName: cert api
    identifierUris: ["api://{appId}"]
    appRoles:
      - value: Data.Read.All
        displayName: Data.Read.All
        description: Read all data
        allowedMemberTypes: [Application]
  daemon:
    displayName: cert daemon
    certificates:
      - name: main
        generate: { subject: "CN=cert-daemon, O=tenantform tests", lifetime: 90d }
        keyFile: out/daemon-cert.pem${extra}
    permissions:
      - api: api
        roles: [Data.Read.All]
        adminConsent: true
outputs:
  - path: out/daemon.env
    values:
      AZURE_TENANT_ID: \${tenant.id}
      AZURE_CLIENT_ID: \${apps.daemon.appId}
      AZURE_CLIENT_CERTIFICATE_PATH: \${apps.daemon.certificate.path}
      AUTHORITY_HOST: \${tenant.instance}
      THUMBPRINT: \${apps.daemon.certificate.thumbprint}
      SCOPE: \${apps.api.identifierUri}/.default
  - path: out/msal.json
    format: msal-node
    app: daemon
    scopes: ["\${apps.api.identifierUri}/.default"]
  - path: out/appsettings.json
    format: appsettings
    app: daemon
`;

async function keysOf(emu: Emulator, appId: string): Promise<KeyCredential[]> {
  settle(emu);
  const app = (await graphClient(emu).api(`/applications(appId='${appId}')`).select('keyCredentials').get()) as Application;
  return app.keyCredentials ?? [];
}

describe('certificates: generate, register, token from the written config, rotate', () => {
  let opts: ReturnType<typeof engineOptions>;
  let env: Record<string, string>;
  const emu = useEmulator();
  before(async () => {
    opts = engineOptions(emu);
    const file = join(opts.cwd!, 'cert.yaml');
    writeFileSync(file, MANIFEST());
    opts.manifests = [file];
  });

  it('plans an add-certificate without key material, applies, converges', async () => {
    const p = (await plan(opts)).plan;
    const add = p.changes.find((c) => c.action === 'add-certificate');
    assert.ok(add && add.action === 'add-certificate' && add.source === 'generate' && add.keyId === null);
    assert.doesNotMatch(JSON.stringify(p), /PRIVATE KEY|BEGIN CERTIFICATE/);
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.deepEqual([...r.outputs].sort(), ['out/appsettings.json', 'out/daemon-cert.pem', 'out/daemon.env', 'out/msal.json']);
    await assertConverged(emu, opts);
  });

  it('keeps the private key 0600 (store and keyFile) and points the outputs at the registered certificate', async () => {
    env = readDotenv(join(opts.cwd!, 'out/daemon.env'));
    assert.equal(env.AZURE_CLIENT_CERTIFICATE_PATH, join(opts.cwd!, 'out/daemon-cert.pem'));
    for (const f of ['out/daemon-cert.pem', 'out/msal.json', 'out/appsettings.json']) assert.equal(statSync(join(opts.cwd!, f)).mode & 0o777, 0o600, f);
    assert.equal(statSync(join(opts.cwd!, 'out/daemon.env')).mode & 0o777, 0o644, 'no secret in the dotenv file: only the path');
    const keys = await keysOf(emu, env.AZURE_CLIENT_ID);
    assert.equal(keys.length, 1);
    assert.equal(keys[0].displayName, 'tenantform:main');
    const store = join(opts.cwd!, '.tenantform/certificates', emu.tenantId, 'cert-daemon/daemon', `main-${keys[0].keyId}.pem`);
    assert.equal(statSync(store).mode & 0o777, 0o600);
    assert.equal(readFileSync(store, 'utf8'), readFileSync(env.AZURE_CLIENT_CERTIFICATE_PATH, 'utf8'));
    assert.equal(statSync(store.replace(/\.pem$/, '.pfx')).mode & 0o777, 0o600);
    const settings = JSON.parse(readFileSync(join(opts.cwd!, 'out/appsettings.json'), 'utf8'));
    assert.deepEqual(settings.AzureAd.ClientCredentials, [
      { SourceType: 'Path', CertificateDiskPath: store.replace(/\.pem$/, '.pfx'), CertificatePassword: '' },
    ]);
    assert.equal(settings.AzureAd.Instance, `${emu.authorityHost}/`);
  });

  it('ClientCertificateCredential gets a token for the API from the written config', async () => {
    const credential = new ClientCertificateCredential(
      env.AZURE_TENANT_ID,
      env.AZURE_CLIENT_ID,
      { certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH },
      {
        authorityHost: env.AUTHORITY_HOST,
        disableInstanceDiscovery: true,
        tlsOptions: { ca: emu.ca },
      },
    );
    const token = await credential.getToken(env.SCOPE);
    const claims = decodeJwt(token.token);
    assert.equal(claims.azp ?? claims.appid, env.AZURE_CLIENT_ID);
    assert.deepEqual(claims.roles, ['Data.Read.All']);
  });

  it('msal-node takes the msal-node file as its configuration', async () => {
    const config = JSON.parse(readFileSync(join(opts.cwd!, 'out/msal.json'), 'utf8'));
    assert.equal(config.auth.clientCertificate.thumbprintSha256.length, 64);
    const msal = msalApp(emu, config.auth.clientId, { clientCertificate: config.auth.clientCertificate });
    const r = await msal.acquireTokenByClientCredential({ scopes: config.scopes });
    assert.ok(r?.accessToken);
  });

  it('never drops keys the stack does not own, and --rotate-certificates replaces ours (add → outputs → remove)', async () => {
    const foreign = await generate([{ name: 'commonName', value: 'someone else' }], { keySize: 2048, algorithm: 'sha256' });
    const der = Buffer.from(foreign.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
    const before = await keysOf(emu, env.AZURE_CLIENT_ID);
    const appObject = (await graphClient(emu).api(`/applications(appId='${env.AZURE_CLIENT_ID}')`).select('id').get()) as Application;
    await graphClient(emu)
      .api(`/applications/${appObject.id}`)
      .patch({ keyCredentials: [...before, { type: 'AsymmetricX509Cert', usage: 'Verify', key: der, displayName: 'CN=someone else' }] });
    const oldPath = readFileSync(join(opts.cwd!, 'out/daemon-cert.pem'), 'utf8');
    settle(emu);
    const p = (await plan({ ...opts, rotateCertificates: true })).plan;
    const actions = p.changes.map((c) => `${c.wave}:${c.action}`);
    const wave = (a: string) => p.changes.find((c) => c.action === a)!.wave;
    assert.ok(wave('add-certificate') < wave('write-output') && wave('write-output') < wave('remove-certificate'), actions.join());
    const r = await apply({ ...opts, rotateCertificates: true });
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    const keys = await keysOf(emu, env.AZURE_CLIENT_ID);
    assert.deepEqual(keys.map((k) => k.displayName).sort(), ['CN=someone else', 'tenantform:main']);
    assert.notEqual(keys.find((k) => k.displayName === 'tenantform:main')!.keyId, before[0].keyId);
    assert.notEqual(readFileSync(join(opts.cwd!, 'out/daemon-cert.pem'), 'utf8'), oldPath);
    assert.ok(
      !existsSync(join(opts.cwd!, '.tenantform/certificates', emu.tenantId, 'cert-daemon/daemon', `main-${before[0].keyId}.pem`)),
      'the old private key is deleted with the old certificate',
    );
    await assertConverged(emu, opts);
    const credential = new ClientCertificateCredential(
      env.AZURE_TENANT_ID,
      env.AZURE_CLIENT_ID,
      { certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH },
      { authorityHost: env.AUTHORITY_HOST, disableInstanceDiscovery: true, tlsOptions: { ca: emu.ca } },
    );
    assert.ok((await credential.getToken(env.SCOPE)).token);
  });
});

describe('certificates from files the user keeps', () => {
  const emu = useEmulator();

  it('uploads a PEM and a PFX by content; replacing the file rotates; the plan holds no key material', async () => {
    const opts = engineOptions(emu);
    const pem = await generate([{ name: 'commonName', value: 'pem user' }], { keySize: 2048, algorithm: 'sha256' });
    const pfxCert = await generate([{ name: 'commonName', value: 'pfx user' }], { keySize: 2048, algorithm: 'sha256' });
    writeFileSync(join(opts.cwd!, 'user.pem'), `${pem.private}${pem.cert}`, { mode: 0o600 });
    writeFileSync(join(opts.cwd!, 'user.pfx'), await createPfx({ certPem: pfxCert.cert, keyPem: pfxCert.private, password: 'pw' }), { mode: 0o600 });
    const manifest = join(opts.cwd!, 'files.yaml');
    writeFileSync(
      manifest,
      `stack: cert-files
applications:
  daemon:
    displayName: file daemon
    certificates:
      - name: pem
        file: user.pem
      - name: pfx
        file: user.pfx
        passwordEnv: PFX_PASSWORD
outputs:
  - path: out/files.json
    values:
      PEM_PATH: \${apps.daemon.certificates.pem.path}
      PEM_SHA256: \${apps.daemon.certificates.pem.thumbprintSha256}
      PFX_PATH: \${apps.daemon.certificates.pfx.pfxPath}
      PFX_THUMBPRINT: \${apps.daemon.certificates.pfx.thumbprint}
`,
    );
    const o = { ...opts, manifests: [manifest], env: { PFX_PASSWORD: 'pw' } };
    const p = (await plan(o)).plan;
    assert.equal(p.changes.filter((c) => c.action === 'add-certificate').length, 2);
    assert.doesNotMatch(JSON.stringify(p), /PRIVATE KEY|BEGIN CERTIFICATE|"pw"/);
    const r = await apply(o);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, o);
    const out = JSON.parse(readFileSync(join(opts.cwd!, 'out/files.json'), 'utf8'));
    assert.equal(out.PFX_PATH, join(opts.cwd!, 'user.pfx'));
    assert.match(out.PFX_THUMBPRINT, /^[0-9A-F]{40}$/);

    const next = await generate([{ name: 'commonName', value: 'pem user 2' }], { keySize: 2048, algorithm: 'sha256' });
    writeFileSync(join(opts.cwd!, 'user.pem'), `${next.private}${next.cert}`, { mode: 0o600 });
    settle(emu);
    const p2 = (await plan(o)).plan;
    assert.deepEqual(p2.changes.map((c) => c.action).sort(), ['add-certificate', 'remove-certificate', 'write-output']);
    assert.ok((await apply(o)).ok);
    await assertConverged(emu, o);
  });
});
