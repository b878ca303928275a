/**
 * Temporary folders for tests, removed when the test file's process exits (each test file runs in a process
 * of its own under `node --test`), whatever order its tests ran in and whether they passed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs = new Set<string>();
let hooked = false;

/** A fresh empty folder under the OS temp dir (`<prefix>XXXXXX`), removed at exit. */
export function tempDir(prefix = 'tenantform-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  if (!hooked) {
    hooked = true;
    // 'exit' handlers must be synchronous: rmSync. Nothing of the test runs any more at this point.
    process.once('exit', () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
