import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../../src/emulator/index.js';

/** The repository: the nearest folder up with a package.json (tests also run compiled, from build/test/). */
export const REPO_ROOT = repoRoot(fileURLToPath(new URL('.', import.meta.url)));
/**
 * The built CLI. Child processes run dist/, not the sources through tsx (whose start-up costs ~2 s of CPU per
 * process); `npm test` builds first, so dist/ is never older than src/.
 */
export const MAIN = join(REPO_ROOT, 'dist/cli/main.js');

/** The JSON line `tenantform emulator` prints on stdout once it is serving. */
export interface EmulatorLine {
  graphUrl: string;
  authorityHost: string;
  tenantId: string;
  caFile: string;
  adminClientId: string;
  adminClientSecret: string;
}

export interface CliEmulator {
  child: ChildProcess;
  line: EmulatorLine;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name when killed by one). */
  exited: Promise<number | string>;
  /** Send a signal and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Environment for the child without any TENANTFORM_EMULATOR_* of the test process leaking in. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // GITHUB_*: CLI tests run inside GitHub Actions would otherwise print workflow groups and write the real job summary.
  for (const k of Object.keys(env)) {
    if (k.startsWith('TENANTFORM_EMULATOR_') || k === 'NODE_EXTRA_CA_CERTS' || ['GITHUB_ACTIONS', 'GITHUB_STEP_SUMMARY', 'GITHUB_OUTPUT'].includes(k))
      delete env[k];
  }
  return { ...env, ...extra };
}

/** Run `tenantform emulator …` (the built CLI) as a child process and wait for its JSON line. */
export async function startCliEmulator(args: string[], options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<CliEmulator> {
  const child = spawn(process.execPath, [MAIN, 'emulator', ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));

  const line = await new Promise<EmulatorLine>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tenantform emulator printed no JSON line in time. stderr: ${err}`));
    }, options.timeoutMs ?? 30_000);
    const check = () => {
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      try {
        resolve(JSON.parse(out.slice(0, nl)) as EmulatorLine);
      } catch (e) {
        reject(e as Error);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tenantform emulator exited (${code}) before printing its JSON line. stderr: ${err}`));
    });
  });

  return {
    child,
    line,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}

/** The handles the SDK helpers need, for an emulator running in another process (trust comes from its caFile). */
export function remoteEmulator(line: EmulatorLine): Emulator {
  return { ...line, ca: readFileSync(line.caFile, 'utf8') } as unknown as Emulator;
}

/** Run a short node script in a child process and collect its output. */
export function runNode(script: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function repoRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error('no package.json above the test helpers');
    dir = dirname(dir);
  }
  return dir;
}
