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
  writeFileAtomic(file, content, o.sensitive ? 0o600 : 0o644);
  onWrite?.(`output ${o.path}`);
  return file;
}
