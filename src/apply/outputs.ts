import type { CertificateStore } from '../credentials/store.js';
import type { DesiredStack } from '../model/desired.js';
import type { LiveState } from '../model/live.js';
import { readCertificateFields } from '../outputs/certificates.js';
import type { SecretStore } from '../outputs/secret-cache.js';
import { outputValues, type ValueSources } from '../outputs/values.js';
import { writeOutputFile } from '../outputs/write.js';
import type { OutputValues } from '../outputs/render.js';
import type { AppIds } from './context.js';

export interface OutputSources {
  stacks: DesiredStack[];
  live: LiveState;
  authorityHost: string;
  local: boolean;
  secrets: SecretStore;
  certificates?: CertificateStore;
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** appIds: live ones, and those apply has just created (ApplyContext.refs). */
  refs: Map<string, AppIds>;
}

/**
 * Values of one stack's templates NOW, during execution: appIds from the id map, secrets and certificates from
 * the stores as apply has just filled them (read at the moment of writing, unlike the plan's snapshot).
 */
export function currentValues(src: OutputSources, stack: DesiredStack): OutputValues {
  const sources: ValueSources = {
    tenant: src.live.tenant,
    authorityHost: src.authorityHost,
    local: src.local,
    appIdOf: (key) => src.refs.get(`app:${stack.name}/${key}`)?.appId,
    secrets: src.secrets.snapshot(),
    certificates: readCertificateFields([stack], src.live, { cwd: src.cwd, env: src.env, certificates: src.certificates }),
  };
  return outputValues(stack, sources);
}

/** The write-output handler: render every output with that path and write it atomically; returns the paths written. */
export function outputWriter(src: OutputSources, onWrite?: (what: string) => void): { write(path: string): void; written: string[] } {
  const written: string[] = [];
  return {
    written,
    write(path) {
      for (const stack of src.stacks) {
        const o = stack.outputs.find((x) => x.path === path);
        if (!o) continue;
        writeOutputFile(o, currentValues(src, stack), src.cwd, onWrite);
        written.push(o.path);
      }
    },
  };
}
