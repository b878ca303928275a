import { loadManifests } from '../manifest/index.js';
import { stackSuffixOf, withStackSuffix } from '../manifest/stack-suffix.js';
import type { DesiredStack } from '../model/desired.js';

/** Load and validate the manifests (every problem at once, before any network call), with the stack suffix applied. */
export async function loadStacks(opts: {
  manifests: string[];
  vars?: Record<string, string>;
  env?: Record<string, string | undefined>;
  cwd: string;
  stackSuffix?: string;
}): Promise<DesiredStack[]> {
  const loaded = await loadManifests(opts.manifests, { vars: opts.vars, env: opts.env, cwd: opts.cwd });
  return withStackSuffix(loaded.stacks, stackSuffixOf(opts));
}
