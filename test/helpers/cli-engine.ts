/**
 * Run the real tenantform CLI (the built dist/cli/main.js, as installed) as a child process, from a temp
 * working directory, without a TTY: what a CI job does. For the CLI end-to-end tests (test/e2e/cli-*.test.ts).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { childEnv, MAIN, REPO_ROOT } from './cli.js';
import { tempDir } from './temp.js';

export { MAIN } from './cli.js';
export const EXAMPLE_MANIFEST = join(REPO_ROOT, 'manifests/todolist-daemon.yaml');

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;

export interface CliRun {
  code: number | null;
  /** The signal that ended the process (e.g. SIGKILL from the crash observer), else null. */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Everything every run printed, for the "no secret ever printed" scan. */
export const transcript: CliRun[] = [];

/**
 * `tenantform <args>` in `cwd` with a clean environment (no AZURE_*, colour or emulator variables of the
 * developer's shell) plus `env`. stdin/stdout are pipes, so the CLI sees no TTY. Bounded by `timeoutMs`.
 */
export function runCli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number; onStderr?: (soFar: string) => void },
): Promise<CliRun> {
  const base = childEnv();
  for (const k of Object.keys(base)) {
    if (k.startsWith('AZURE_') || k.startsWith('TENANTFORM_') || ['NO_COLOR', 'FORCE_COLOR', 'TERM'].includes(k)) delete base[k];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: opts.cwd, env: { ...base, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      opts.onStderr?.(stderr);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tenantform ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60_000} ms. stderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const run = { code, signal, stdout, stderr };
      transcript.push(run);
      resolve(run);
    });
  });
}

/** Flags that point the CLI at a separately started emulator. */
export function remoteArgs(emu: Emulator): string[] {
  return ['--tenant', emu.tenantId, '--graph-url', emu.graphUrl, '--authority-host', emu.authorityHost, '--ca-file', emu.caFile];
}

/** EnvironmentCredential's variables (the first credential DefaultAzureCredential tries): a CI job's service principal. */
export function credentialEnv(emu: Emulator, clientId = emu.adminClientId, secret = emu.adminClientSecret): Record<string, string> {
  return { AZURE_TENANT_ID: emu.tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: secret };
}

/** A temp working directory, removed when the test file's process exits. */
export function tempCwd(prefix = 'tenantform-cli-'): string {
  return tempDir(prefix);
}

/** A TCP port that was free a moment ago (for TENANTFORM_LOCAL_PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Lines of a stack trace (`    at fn (file:line:col)`), which users must never see. */
export const STACK_LINE = /^\s+at .+[:(]/m;
