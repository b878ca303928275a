/**
 * Crash-test plumbing: run `apply` in a child process (test/helpers/crash-child.ts) that SIGKILLs itself after
 * its k-th write (src/apply/crash-hook.ts), against an emulator living in this process. Children must be
 * spawned asynchronously: the emulator answers them from this process's event loop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { childEnv, REPO_ROOT } from './cli.js';
import type { ChildInput } from './crash-child.js';

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the crash hook reported: one line per write, names only. */
  writes: string[];
  stderr: string;
}

export function runApplyChild(emu: Emulator, o: { cwd: string; manifests: string[]; crashAfter: number; rotateSecrets?: boolean; rotateCertificates?: boolean }): Promise<ChildRun> {
  const input: ChildInput = {
    tenantId: emu.tenantId,
    graphUrl: emu.graphUrl,
    authorityHost: emu.authorityHost,
    caFile: emu.caFile,
    clientId: emu.adminClientId,
    clientSecret: emu.adminClientSecret,
    cwd: o.cwd,
    manifests: o.manifests,
    rotateSecrets: o.rotateSecrets,
    rotateCertificates: o.rotateCertificates,
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/crash-child.ts'], {
      cwd: REPO_ROOT,
      env: childEnv({ TENANTFORM_TEST_CRASH_AFTER_WRITES: String(o.crashAfter), TENANTFORM_TEST_CHILD: JSON.stringify(input) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('exit', (code, signal) => resolve({ code, signal, stderr, writes: stderr.split('\n').filter((l) => l.startsWith('[crash-hook] write ')) }));
  });
}

/** A working directory with a copy of `manifest` whose stack is renamed (one stack per crash point, one emulator). */
export function stackCopy(manifest: string, stack: string, edit: (y: string) => string = (y) => y): { cwd: string; manifests: string[] } {
  const cwd = mkdtempSync(join(tmpdir(), `tenantform-${stack}-`));
  const file = join(cwd, 'stack.yaml');
  writeFileSync(file, edit(readFileSync(manifest, 'utf8').replace(/^stack: .*$/m, `stack: ${stack}`)));
  return { cwd, manifests: [file] };
}

/** Run `fn` for every item with at most `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
