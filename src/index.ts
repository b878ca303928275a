/**
 * tenantform's programmatic API: the same code paths as the CLI, with typed results.
 *   import { validate, plan, apply, output, destroy } from 'tenantform';
 * Each command is gather (all I/O, once) → createPlan (pure, once) → execute; see docs/architecture.md.
 */
export type { CommonOptions, DestroyOptions, ImportOptions } from './options.js';
export type { Plan, Change } from './plan/types.js';
export type { ChangeResult } from './apply/execute.js';
export type { Snapshot } from './model/snapshot.js';
export { TenantformError, isTenantformError } from './errors.js';
export { createEmulator } from './local/emulator.js';
// Offline: every problem of the manifests at once, with file:line:column (tenantform validate).
export { validate, type ValidateOptions, type ValidationResult } from './api/validate.js';
export type { Problem } from './manifest/problems.js';
export { plan, apply, output, type PlanResult, type ApplyResult, type ApplyOptions } from './api/apply.js';
// Teardown, sweeps of ephemeral stacks, and adoption (tenantform destroy / import).
export { destroy, planDestroy, type DestroyResult, type DestroyPlanResult } from './api/destroy.js';
export { adopt, planImport, type ImportResult } from './api/import.js';
// Bring registrations made elsewhere under management (tenantform export): a manifest, then adoption.
export { exportStack, type ExportOptions, type ExportResult } from './api/export.js';
export { createPlan } from './plan/index.js';
export { PlanSchema, planJsonSchema } from './plan/schema.js';
// Prove the registration works end to end (tenantform verify, consent-url); see docs/verify.md.
export { verify, adminConsentUrls, type VerifyOptions, type VerifyResult, type VerifyCheck, type Diagnosis } from './verify/index.js';
export { consentUrl, type ConsentUrlOptions, type ConsentUrlResult } from './verify/consent-url.js';
