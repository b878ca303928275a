import { resolve } from 'node:path';
import { TenantformError } from '../errors.js';
import type { DesiredOutput } from '../model/desired.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { renderOutput, type OutputValues } from './render.js';

/** Render and write one output atomically (0600 when it holds a secret or a private key); `onWrite` observes the write. */
export function writeOutputFile(o: DesiredOutput, values: OutputValues, cwd: string, onWrite?: (what: string) => void): string {
  const content = renderOutput(o, values);
  if (content === undefined) {
    throw new TenantformError(
      'OUTPUT_FAILED',
      `Cannot render ${o.path}: a value it needs is unknown (a client secret created elsewhere or not in the cache, a certificate not registered yet, or an app that does not exist yet). Run tenantform apply to create them.`,
      { path: o.path },
    );
  }
  const file = resolve(cwd, o.path);
  try {
    writeFileAtomic(file, content, o.sensitive ? 0o600 : 0o644);
  } catch (e) {
    throw fileError(e, o.path);
  }
  onWrite?.(`output ${o.path}`);
  return file;
}

/** What a file-system failure means for the user, by its errno code. */
const FS_CAUSE: Record<string, string> = {
  EACCES: 'permission denied: make the folder writable, or choose another path',
  EPERM: 'the operation is not permitted: make the folder writable, or choose another path',
  EROFS: 'the file system is read-only: choose a path on a writable one',
  EEXIST: 'a file is in the way where a folder is needed: move it, or choose another path',
  ENOTDIR: 'a file is in the way where a folder is needed: move it, or choose another path',
  EISDIR: 'the path is a folder: name a file',
  ENOSPC: 'the disk is full: free some space',
  ENAMETOOLONG: 'the path is too long: choose a shorter one',
};

/** An output that cannot be written: OUTPUT_FAILED with the path and the next step (the tenant side is done; re-run apply). */
export function fileError(e: unknown, path: string): TenantformError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const cause = (code && FS_CAUSE[code]) ?? (e as Error)?.message ?? String(e);
  return new TenantformError(
    'OUTPUT_FAILED',
    `Cannot write ${path}: ${cause}${code ? ` (${code})` : ''}. Then run tenantform apply again; it writes the file without changing the tenant.`,
    {
      path,
      errno: code,
    },
  );
}
