import type { ManifestSource } from './load.js';
import type { ManifestApplication, ManifestOutput, ManifestPolicy } from './schema.js';

/** A manifest after the schema: the parts that parsed, and the names of all that exist. */
export interface CheckedManifest {
  source: ManifestSource;
  /** The stack name when it is valid. */
  stack?: string;
  /** Applications that passed the schema, by key, in manifest order. */
  apps: Map<string, ManifestApplication>;
  /** Every key under `applications:`, valid or not (a reference to a broken app is not dangling). */
  appKeys: Set<string>;
  /** Outputs that passed the schema, with their index in the manifest. */
  outputs: Array<{ index: number; output: ManifestOutput }>;
  /** Conditional access policies that passed the schema, by key. */
  policies: Map<string, ManifestPolicy>;
  /** Every key under `conditionalAccessPolicies:`. */
  policyKeys: Set<string>;
}
