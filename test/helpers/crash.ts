import assert from 'node:assert/strict';
/**
 * Crash-test plumbing. A crash after the k-th write (a Graph write, the secret cache, the certificate store, an
 * output file) is simulated in this process through the engine's write observer (CommonOptions.onWrite), or
 * done for real: the built CLI in a child process with TENANTFORM_TEST_CRASH_AFTER_WRITES=k SIGKILLs itself
 * (src/cli/crash-observer.ts). Both run against an emulator living in this process, so children must be
 * spawned asynchronously: the emulator answers them from this process's event loop.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { apply, type ApplyOptions } from '../../src/index.js';
import { credentialEnv, remoteArgs, runCli } from './cli-engine.js';
import { engineOptions } from './engine.js';
import { tempDir } from './temp.js';

export interface CrashRun {
  /** The writes the run made, in order (names only); the last is the one it "died" after. */
  writes: string[];
  /** true when the run stopped at its k-th write (a limit beyond its writes lets it finish). */
  crashed: boolean;
  /** SIGKILL runs only: the child's signal and everything it printed. */
  signal?: NodeJS.Signals | null;
  code?: number | null;
  stderr: string;
}

export interface CrashInput {
  cwd: string;
  manifests: string[];
  crashAfter: number;
  rotateSecrets?: boolean;
  rotateCertificates?: boolean;
}

/** The stand-in for SIGKILL in process: thrown from the write observer; nothing of the run may act on it. */
export class SimulatedCrash extends Error {}

/**
 * `apply` in this process, "killed" right after its k-th write. A process killed by SIGKILL does nothing more:
 * the write's caller never sees its result, no other change of the wave goes on, no other file is written. In
 * process that takes three things:
 *   - the observer throws at the k-th write (its caller stops there), and at every later one;
 *   - from then on the Graph credential hands out a token the emulator refuses, so no change of the wave (or
 *     one started after) reaches the tenant; requests already on the wire complete, as they would after a kill;
 *   - the working directory (outputs, secret cache, certificate store) is copied at the instant of the k-th
 *     write, synchronously, and put back once the run has unwound: the disk is what the crash left.
 */
export async function applyCrashingAfter(emu: Emulator, o: CrashInput): Promise<CrashRun> {
  const writes: string[] = [];
  let dead = false;
  const disk = join(tempDir('tenantform-crash-disk-'), 'cwd');
  const onWrite = (what: string) => {
    if (dead) throw new SimulatedCrash(`write after the crash: ${what}`);
    writes.push(what);
    if (writes.length === o.crashAfter) {
      dead = true;
      cpSync(o.cwd, disk, { recursive: true });
      throw new SimulatedCrash(`crash after write ${writes.length}: ${what}`);
    }
  };
  const base = engineOptions(emu, { cwd: o.cwd, manifests: o.manifests });
  const opts: ApplyOptions = {
    ...base,
    credential: cutOff(base.credential!, () => dead),
    timeoutMs: 30_000,
    rotateSecrets: o.rotateSecrets,
    rotateCertificates: o.rotateCertificates,
    onWrite,
  };
  let stderr = '';
  try {
    const r = await apply(opts);
    if (!dead && !r.ok) stderr = JSON.stringify(r.results.filter((x) => x.status !== 'done'));
  } catch (e) {
    if (!dead) throw e;
  }
  if (dead) {
    for (const f of readdirSync(o.cwd)) rmSync(join(o.cwd, f), { recursive: true, force: true });
    cpSync(disk, o.cwd, { recursive: true });
    // The crash's stack lock names this (living) process; a killed one's would name a dead pid, which the next run
    // takes over (test/e2e/stack-lock.test.ts) — so it goes, as the takeover would remove it.
    rmSync(join(o.cwd, '.tenantform', 'locks'), { recursive: true, force: true });
  }
  return { writes, crashed: dead, stderr };
}

/** A credential that, once `dead()`, returns a token the emulator rejects (401): no request gets through. */
function cutOff(inner: TokenCredential, dead: () => boolean): TokenCredential {
  return {
    getToken: (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> =>
      dead() ? Promise.resolve({ token: 'the-process-is-dead', expiresOnTimestamp: Date.now() + 3_600_000 }) : inner.getToken(scopes, options),
  };
}

const WRITE_LINE = /^\[crash-observer\] write \d+: /;

/** The real thing: `tenantform apply` (built CLI) in a child process that SIGKILLs itself after its k-th write. */
export async function applyKilledAfter(emu: Emulator, o: CrashInput): Promise<CrashRun> {
  const args = ['apply', ...o.manifests, '--yes', '--timeout', '30', ...remoteArgs(emu)];
  if (o.rotateSecrets) args.push('--rotate-secrets');
  if (o.rotateCertificates) args.push('--rotate-certificates');
  const run = await runCli(args, { cwd: o.cwd, env: { ...credentialEnv(emu), TENANTFORM_TEST_CRASH_AFTER_WRITES: String(o.crashAfter) } });
  const stderr = run.stdout + run.stderr;
  const writes = run.stderr
    .split('\n')
    .filter((l) => WRITE_LINE.test(l))
    .map((l) => l.replace(WRITE_LINE, ''));
  return { writes, crashed: run.signal === 'SIGKILL', signal: run.signal, code: run.code, stderr };
}

/** A working directory with a copy of `manifest` whose stack is renamed (one stack per crash point, one emulator). */
export function stackCopy(manifest: string, stack: string, edit: (y: string) => string = (y) => y): { cwd: string; manifests: string[] } {
  const cwd = tempDir(`tenantform-${stack}-`);
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

/**
 * The CLI's observer counts writes as the programmatic run does: k writes, each one the full run also makes.
 * Not the same first k: writes of one wave run in parallel, so which of them come first differs between runs.
 */
export function assertSameWriteKinds(run: string[], full: string[], k: number, message: string): void {
  const named = (w: string) => w.replace(/[0-9a-f-]{36}/g, 'ID').replace(/uniqueName='[^']*--/g, "uniqueName='STACK--");
  assert.equal(run.length, k, `${message}: ${run.length} writes counted`);
  const left = full.map(named);
  for (const w of run.map(named)) {
    const i = left.indexOf(w);
    assert.ok(i >= 0, `${message}: the CLI counted a write the full run does not make: ${w}`);
    left.splice(i, 1);
  }
}
