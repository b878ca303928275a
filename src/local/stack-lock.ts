import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TenantformError } from '../errors.js';

/**
 * One writer per stack and tenant at a time: two applies of the same stack at once (a double-clicked CI job, a
 * developer and a watcher) would plan against the same state and then race — one half-way through a rotation
 * removes the secret the other just wrote. Each apply/destroy/import takes `.tenantform/locks/<tenant>--<stack>.lock`
 * (created with O_EXCL, so exactly one process wins) before it reads the tenant, and removes it when it ends. A lock
 * whose process is gone (SIGKILL, a crash, a reboot) is taken over: on this host the pid is checked; a lock from
 * another host (a shared folder) is refused with the way out. Plans take no lock: they write nothing.
 *
 * Runs from different folders or machines against one tenant are not seen here (Graph has no lock to take, and a
 * marker in the tenant would be a write). Their writes still converge, as every create is reconciled before it is
 * retried, and the trace they leave — the secret this folder holds replaced by one it never made — is named in the
 * plan (src/plan/other-writer.ts).
 */
export interface StackLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export function lockStacks(o: { cwd: string; tenant: string; stacks: string[]; command: string }): StackLock {
  const dir = join(o.cwd, '.tenantform', 'locks');
  const taken: string[] = [];
  const release = () => {
    for (const file of taken.splice(0)) rmSync(file, { force: true });
    process.off('exit', release);
  };
  try {
    mkdirSync(dir, { recursive: true });
    for (const stack of [...new Set(o.stacks)].sort()) {
      const file = join(dir, `${safe(o.tenant)}--${stack}.lock`);
      take(file, stack, o);
      taken.push(file);
    }
  } catch (e) {
    release();
    throw e;
  }
  // A process that exits without running its finally blocks (process.exit after Ctrl-C) still leaves no lock.
  process.on('exit', release);
  return { release };
}

function take(file: string, stack: string, o: { tenant: string; command: string }): void {
  const me: Holder = { pid: process.pid, host: hostname(), command: o.command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw lockFailed(file, e);
    }
    const holder = readHolder(file);
    if (holder && isRunning(holder)) {
      throw new TenantformError(
        'CONFLICT',
        `Another ${holder.command} of stack ${stack} in tenant ${o.tenant} is running (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}). Wait for it to finish and run again; if that process is gone, delete ${file}.`,
        { stack, lock: file, pid: holder.pid, host: holder.host },
      );
    }
    // Its process is gone (or the file is garbled): the lock is stale; take it over.
    rmSync(file, { force: true });
  }
  throw new TenantformError('CONFLICT', `Could not take the lock ${file} of stack ${stack}: another run took it at the same moment. Run again.`, {
    stack,
    lock: file,
  });
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/** A holder on this host runs while its pid does (signal 0 tests without signalling); another host's is taken as running. */
function isRunning(h: Holder): boolean {
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockFailed(file: string, e: unknown): TenantformError {
  const code = (e as NodeJS.ErrnoException).code;
  return new TenantformError('OUTPUT_FAILED', `Cannot create the stack lock ${file} (${code ?? String(e)}): check that .tenantform/ is writable.`, {
    lock: file,
    errno: code,
  });
}

/** The tenant as given (`local`, a GUID or a domain) as a file name part. */
function safe(tenant: string): string {
  return tenant.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
}
