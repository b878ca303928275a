/**
 * Crash safety with a generated certificate instead of a client secret (the example stack's daemon, variant):
 * SIGKILL after every write of a --rotate-certificates apply (pending store entry, keyCredentials PATCH, store
 * update, key file and config, removal write-ahead, removal PATCH, store cleanup). The steps of a cold apply
 * are the same kinds of writes and are covered for the example stack in crash-secrets.test.ts. After each crash the config
 * names a certificate file that works (ClientCertificateCredential gets a token) or is absent (cold), the
 * application holds at most two tool-created certificates, and a re-run converges with exactly one — the one
 * the config names — and no private key left behind for a certificate that is gone.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientCertificateCredential } from '@azure/identity';
import type { Application, KeyCredential } from '@microsoft/microsoft-graph-types';
import type { Emulator } from '../../src/emulator/index.js';
import { apply } from '../../src/index.js';
import { pool, runApplyChild, stackCopy } from '../helpers/crash.js';
import { graphClient, startEmulator } from '../helpers/emulator.js';
import { assertConverged, EXAMPLE, engineOptions, readDotenv } from '../helpers/engine.js';

const PARALLEL = 3;
const withCertificate = (y: string) =>
  y
    .replace('    secrets:\n      - name: main\n        lifetime: 180d\n', '    certificates:\n      - name: main\n        generate: { subject: CN=crash-daemon }\n        keyFile: out/daemon-cert.pem\n')
    .replace('CLIENT_SECRET: ${apps.daemon.secret}', 'CLIENT_CERTIFICATE_PATH: ${apps.daemon.certificate.path}');

describe('crash safety: SIGKILL after every write, certificate variant', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ retryAfterSeconds: 0 });
  });
  after(() => emu.close());

  const toolKeys = async (stack: string): Promise<KeyCredential[]> => {
    try {
      const app = (await graphClient(emu).api(`/applications(uniqueName='${stack}--daemon')`).select('keyCredentials').get()) as Application;
      return (app.keyCredentials ?? []).filter((k) => k.displayName?.startsWith('tenantform:'));
    } catch {
      return [];
    }
  };

  const checkConfig = async (cwd: string, what: string) => {
    const env = readDotenv(join(cwd, 'out/todolist-daemon.env'));
    assert.ok(env.CLIENT_ID && env.CLIENT_CERTIFICATE_PATH && env.WEB_API_SCOPE, `${what}: torn config`);
    const credential = new ClientCertificateCredential(env.TENANT_ID, env.CLIENT_ID, { certificatePath: env.CLIENT_CERTIFICATE_PATH }, {
      authorityHost: new URL(env.AUTHORITY).origin,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.ca },
    });
    await credential.getToken(env.WEB_API_SCOPE);
  };

  let crashed: Array<{ stack: string; copy: { cwd: string; manifests: string[] }; what: string }> = [];
  const rerunAll = async () => {
    for (const { stack, copy, what } of crashed) {
      const opts = { ...engineOptions(emu, copy), timeoutMs: 30_000 };
      const r = await apply(opts);
      assert.ok(r.ok, `${what}: re-run failed ${JSON.stringify(r.results.filter((x) => x.status !== 'done'))}`);
      await assertConverged(emu, opts);
      const keys = await toolKeys(stack);
      assert.equal(keys.length, 1, `${what}: ${keys.length} tool-created certificates after the re-run`);
      await checkConfig(copy.cwd, what);
      // Private keys on disk: the registered certificate's, plus at most one a crashed run stored but never
      // registered (kept `pending` in the index, reused by the next rotation, never named by a config).
      const base = join(copy.cwd, '.tenantform/certificates', emu.tenantId);
      const index = JSON.parse(readFileSync(join(base, 'index.json'), 'utf8')).certificates[stack].daemon.main as Array<{ keyId: string; state: string }>;
      const pending = index.filter((e) => e.state === 'pending' && e.keyId !== keys[0].keyId).map((e) => `main-${e.keyId}.pem`);
      assert.ok(pending.length <= 1, `${what}: ${pending.length} pending certificates`);
      const files = readdirSync(join(base, stack, 'daemon')).filter((f) => f.endsWith('.pem')).sort();
      assert.deepEqual(files, [`main-${keys[0].keyId}.pem`, ...pending].sort(), `${what}: private keys of removed certificates left behind`);
    }
    crashed = [];
  };

  it('--rotate-certificates: every k = 1..M; the config always names a registered certificate', async () => {
    const probe = stackCopy(EXAMPLE, 'crashc-rot-probe', withCertificate);
    assert.ok((await apply(engineOptions(emu, probe))).ok);
    const full = await runApplyChild(emu, { ...probe, crashAfter: 1_000_000, rotateCertificates: true });
    assert.equal(full.code, 0, full.stderr);
    await pool(
      Array.from({ length: full.writes.length }, (_, i) => i + 1),
      PARALLEL,
      async (k) => {
        const stack = `crashc-rot-${k}`;
        const copy = stackCopy(EXAMPLE, stack, withCertificate);
        assert.ok((await apply(engineOptions(emu, copy))).ok);
        const run = await runApplyChild(emu, { ...copy, crashAfter: k, rotateCertificates: true });
        const what = `rotation k=${k} (${run.writes.at(-1)?.replace(/^\[crash-hook\] /, '')})`;
        assert.equal(run.signal, 'SIGKILL', `${what}: ${run.stderr}`);
        assert.ok((await toolKeys(stack)).length <= 2, `${what}: more than two tool-created certificates`);
        await checkConfig(copy.cwd, what);
        assert.match(readFileSync(join(copy.cwd, 'out/daemon-cert.pem'), 'utf8'), /BEGIN PRIVATE KEY[\s\S]+BEGIN CERTIFICATE/, `${what}: torn key file`);
        crashed.push({ stack, copy, what });
      },
    );
    await rerunAll();
  });
});
