/**
 * Crash safety with a generated certificate instead of a client secret (the example stack's daemon, variant):
 * a crash after every write of a --rotate-certificates apply — simulated in process (test/helpers/crash.ts),
 * and at the keyCredentials PATCH for real, by SIGKILL (src/cli/crash-observer.ts) — (pending store entry, keyCredentials PATCH, store
 * update, key file and config, removal write-ahead, removal PATCH, store cleanup). The steps of a cold apply
 * are the same kinds of writes and are covered for the example stack in crash-secrets.test.ts. After each crash the config
 * names a certificate file that works (ClientCertificateCredential gets a token) or is absent (cold), the
 * application holds at most two tool-created certificates, and a re-run converges with exactly one — the one
 * the config names — and no private key left behind for a certificate that is gone.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ClientCertificateCredential } from '@azure/identity';
import type { Application, KeyCredential } from '@microsoft/microsoft-graph-types';
import { apply } from '../../src/index.js';
import { applyCrashingAfter, applyKilledAfter, assertSameWriteKinds, pool, stackCopy } from '../helpers/crash.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, EXAMPLE, engineOptions, readDotenv } from '../helpers/engine.js';

const PARALLEL = 3;
const withCertificate = (y: string) =>
  y
    .replace(
      '    secrets:\n      - name: main\n        lifetime: 180d\n',
      '    certificates:\n      - name: main\n        generate: { subject: CN=crash-daemon }\n        keyFile: out/daemon-cert.pem\n',
    )
    .replace('CLIENT_SECRET: ${apps.daemon.secret}', 'CLIENT_CERTIFICATE_PATH: ${apps.daemon.certificate.path}');

describe('crash safety: a crash after every write, certificate variant', () => {
  // Graph's quotas off: ~50 commands against one tenant would each wait for conditional access's 1 request/s
  // (quotas.test.ts covers the quotas; this is about the disk and the tenant a crash leaves).
  const emu = useEmulator({ quotas: false });

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
    const credential = new ClientCertificateCredential(
      env.TENANT_ID,
      env.CLIENT_ID,
      { certificatePath: env.CLIENT_CERTIFICATE_PATH },
      {
        authorityHost: new URL(env.AUTHORITY).origin,
        disableInstanceDiscovery: true,
        tlsOptions: { ca: emu.ca },
      },
    );
    await credential.getToken(env.WEB_API_SCOPE);
  };

  let crashed: Array<{ stack: string; copy: { cwd: string; manifests: string[] }; what: string }> = [];
  const rerunAll = async () => {
    // Re-runs follow the crashes at once, inside the emulator's replication window, as a user's would. (A
    // rotation crashed at its env write once needed one more apply: the planner took the certificate with the
    // latest end date as current, the outputs the newest stored one, and both certificates ended in the same
    // second — plan/diff-keys.ts now uses the store's rule; unit test in credentials-plan.test.ts.)
    for (const { stack, copy, what } of crashed) {
      const opts = { ...engineOptions(emu, copy), timeoutMs: 30_000 };
      const r = await apply(opts);
      assert.ok(r.ok, `${what}: re-run failed ${JSON.stringify(r.results.filter((x) => x.status !== 'done'))}`);
      await assertConverged(emu, opts).catch((e: Error) => assert.fail(`${what}: ${e.message}`));
      const keys = await toolKeys(stack);
      assert.equal(keys.length, 1, `${what}: ${keys.length} tool-created certificates after the re-run`);
      await checkConfig(copy.cwd, what);
      // Private keys on disk: the registered certificate's, plus at most one a crashed run stored but never
      // registered (kept `pending` in the index, reused by the next rotation, never named by a config).
      const base = join(copy.cwd, '.tenantform/certificates', emu.tenantId);
      const index = JSON.parse(readFileSync(join(base, 'index.json'), 'utf8')).certificates[stack].daemon.main as Array<{ keyId: string; state: string }>;
      const pending = index.filter((e) => e.state === 'pending' && e.keyId !== keys[0].keyId).map((e) => `main-${e.keyId}.pem`);
      assert.ok(pending.length <= 1, `${what}: ${pending.length} pending certificates`);
      const files = readdirSync(join(base, stack, 'daemon'))
        .filter((f) => f.endsWith('.pem'))
        .sort();
      assert.deepEqual(files, [`main-${keys[0].keyId}.pem`, ...pending].sort(), `${what}: private keys of removed certificates left behind`);
    }
    crashed = [];
  };

  it('--rotate-certificates: every k = 1..M; the config always names a registered certificate', async () => {
    const probe = stackCopy(EXAMPLE, 'crashc-rot-probe', withCertificate);
    assert.ok((await apply(engineOptions(emu, probe))).ok);
    const full = await applyCrashingAfter(emu, { ...probe, crashAfter: 1_000_000, rotateCertificates: true });
    assert.ok(!full.crashed && !full.stderr, full.stderr);
    // For real: right after the PATCH that registers the new certificate, before the store learns it is uploaded.
    const killAt = full.writes.findIndex((w) => w.startsWith('graph PATCH /applications/')) + 1;
    assert.ok(killAt > 0, full.writes.join('\n'));
    await pool(
      Array.from({ length: full.writes.length }, (_, i) => i + 1),
      PARALLEL,
      async (k) => {
        const stack = `crashc-rot-${k}`;
        const copy = stackCopy(EXAMPLE, stack, withCertificate);
        assert.ok((await apply(engineOptions(emu, copy))).ok);
        const input = { ...copy, crashAfter: k, rotateCertificates: true };
        const run = k === killAt ? await applyKilledAfter(emu, input) : await applyCrashingAfter(emu, input);
        const what = `rotation k=${k}${k === killAt ? ' SIGKILL' : ''} (write ${k}: ${run.writes.at(-1)})`;
        if (k === killAt) {
          assert.equal(run.signal, 'SIGKILL', `${what}: ${run.stderr}`);
          assertSameWriteKinds(run.writes, full.writes, k, `${what}: the CLI counts other writes`);
        }
        assert.ok(run.crashed && run.writes.length === k, `${what}: did not crash at write ${k} ${run.stderr}`);
        assert.ok((await toolKeys(stack)).length <= 2, `${what}: more than two tool-created certificates`);
        await checkConfig(copy.cwd, what);
        assert.match(readFileSync(join(copy.cwd, 'out/daemon-cert.pem'), 'utf8'), /BEGIN PRIVATE KEY[\s\S]+BEGIN CERTIFICATE/, `${what}: torn key file`);
        crashed.push({ stack, copy, what });
      },
    );
    await rerunAll();
  });
});
