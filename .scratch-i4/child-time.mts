import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulator } from '../test/helpers/emulator.js';
const emu = await startEmulator({ retryAfterSeconds: 0 });
const run = (k: string, cwd: string) => new Promise<{ code: number | null; signal: string | null; stderr: string }>((res) => {
  const c = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/crash-child.ts'], { env: { ...process.env, TENANTFORM_TEST_CRASH_AFTER_WRITES: k, TENANTFORM_TEST_CHILD: JSON.stringify({ tenantId: emu.tenantId, graphUrl: emu.graphUrl, authorityHost: emu.authorityHost, caFile: emu.caFile, clientId: emu.adminClientId, clientSecret: emu.adminClientSecret, cwd, manifests: [resolve('manifests/todolist-daemon.yaml')] }) } });
  let stderr = ''; c.stderr.on('data', (d) => (stderr += d)); c.stdout.on('data', (d) => (stderr += d));
  c.on('exit', (code, signal) => res({ code, signal, stderr }));
});
for (const k of ['1000', '3']) {
  const t = Date.now();
  const r = await run(k, mkdtempSync(join(tmpdir(), 'tf-crash-')));
  console.log(k, Date.now() - t, 'ms', r.code, r.signal, r.stderr);
}
await emu.close();
