import { formatLocation } from '../errors.js';
import { loadManifests } from '../manifest/index.js';
import { stackSuffixOf, withStackSuffix } from '../manifest/stack-suffix.js';
import type { DesiredStack } from '../model/desired.js';

/**
 * Load and validate the manifests (every problem at once, before any network call), with the stack suffix
 * applied. Warnings come back as `file:line:column: message` lines, for the plan to show.
 */
export async function loadStacks(opts: {
  manifests: string[];
  vars?: Record<string, string>;
  env?: Record<string, string | undefined>;
  cwd: string;
  stackSuffix?: string;
}): Promise<{ stacks: DesiredStack[]; warnings: string[] }> {
  const loaded = await loadManifests(opts.manifests, { vars: opts.vars, env: opts.env, cwd: opts.cwd });
  return {
    stacks: withStackSuffix(loaded.stacks, stackSuffixOf(opts)),
    warnings: loaded.warnings.map((w) => `${formatLocation(w.location)}: ${w.message}${w.hint ? ` (${w.hint})` : ''}`),
  };
}
