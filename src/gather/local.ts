import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CertificateStore } from '../credentials/store.js';
import type { DesiredStack } from '../model/desired.js';
import type { LiveState } from '../model/live.js';
import type { LocalState } from '../model/snapshot.js';
import { certificateInputs, onceReader, readCertificateFields } from '../outputs/certificates.js';
import type { SecretStore } from '../outputs/secret-cache.js';

/** The current content of every output file the stacks declare, by manifest path (null: the file does not exist). */
export function readOutputFiles(stacks: DesiredStack[], cwd: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const o of stacks.flatMap((s) => s.outputs)) {
    const file = resolve(cwd, o.path);
    out[o.path] = existsSync(file) ? readFileSync(file, 'utf8') : null;
  }
  return out;
}

/** Everything this machine knows that a plan depends on (gather's local half). */
export function readLocalState(o: {
  stacks: DesiredStack[];
  live: LiveState;
  secrets: SecretStore;
  certificates?: CertificateStore;
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
}): LocalState {
  const env = { cwd: o.cwd, env: o.env, certificates: o.certificates, read: onceReader() };
  return {
    secrets: o.secrets.snapshot(),
    certificates: certificateInputs(o.stacks, env),
    certificateFields: readCertificateFields(o.stacks, o.live, env),
    outputs: readOutputFiles(o.stacks, o.cwd),
  };
}
