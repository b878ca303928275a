import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The one atomic file writer. It imports only node:*, so both the tool and the emulator can use it without
 * importing each other (the emulator stands apart, see docs/architecture.md).
 *
 * Write a file atomically: a temp file in the same directory (created with the final mode, so a secret
 * is never briefly world-readable), fsync, rename over the target, fsync the directory. A crash leaves
 * either the old complete file or the new complete file, never a torn one. Temp files a crashed run left
 * beside the target (they may hold a secret) are removed by the next write of that target.
 */
export function writeFileAtomic(path: string, content: string | Buffer, mode: 0o600 | 0o644): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const prefix = `.${basename(path)}.`;
  for (const f of readdirSync(dir)) {
    if (f.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(f.slice(prefix.length))) rmSync(join(dir, f), { force: true });
  }
  const tmp = join(dir, `${prefix}${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    // Make the rename itself durable (POSIX); not supported on every platform, and not needed for atomicity.
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    /* best effort */
  }
}
