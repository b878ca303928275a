import { validateManifests, type ManifestOptions, type ValidationResult } from '../manifest/index.js';

export interface ValidateOptions extends ManifestOptions {
  /** Manifest files or directories (their *.yaml / *.yml), as for plan and apply. */
  manifests: readonly string[];
}

/**
 * `tenantform validate` as a function: every problem of the manifests at once, located, offline (no tenant, no
 * network). `ok` is false when there is an error; warnings do not fail it. A missing file throws
 * MANIFEST_NOT_FOUND, no paths USAGE; anything wrong inside a manifest is a problem, never a throw.
 */
export function validate(opts: ValidateOptions): Promise<ValidationResult> {
  const { manifests, ...rest } = opts;
  return validateManifests(manifests, rest);
}

export type { ValidationResult };
