/**
 * The options every command that talks to a tenant shares (CLI flags and the programmatic API). One module,
 * imported by gather/, api/ and cli/, so no layer imports another's internals for an option type.
 */
import type { TokenCredential } from '@azure/identity';
import type { Plan } from './plan/types.js';
import type { ProgressEvent } from './apply/progress.js';

/** Options shared by plan, apply and output (CLI flags and the programmatic API). */
export interface CommonOptions {
  manifests: string[];
  vars?: Record<string, string>;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** 'local' (default), a tenant id or a domain. */
  tenant?: string;
  graphUrl?: string;
  authorityHost?: string;
  auth?: 'default' | 'device-code';
  /** The public client of `auth: 'device-code'` (default: the Azure CLI's first-party client; src/graph/target.ts). */
  clientId?: string;
  /** Where the device code instruction goes (default stderr). */
  devicePrompt?: (message: string) => void;
  credential?: TokenCredential;
  ca?: string;
  localStateFile?: string;
  localPort?: number;
  /** Where the 0600 secret cache lives (default ./.tenantform/secrets). */
  secretsDir?: string;
  /** false: keep secret values only in memory and in outputs — every apply then rotates (docs/credentials.md). */
  secretCache?: boolean;
  /** Where generated certificates live (default ./.tenantform/certificates). */
  certificatesDir?: string;
  /** apply --rotate-secrets / --rotate-certificates: replace managed credentials even if still valid. */
  rotateSecrets?: boolean;
  rotateCertificates?: boolean;
  /** Longest wait for replication, ms (default 5 minutes). */
  timeoutMs?: number;
  /** Appended to every stack name (`<stack>-<suffix>`) for ephemeral copies; default env TENANTFORM_STACK_SUFFIX (see src/manifest/stack-suffix.ts). */
  stackSuffix?: string;
  /** What to do with soft-deleted applications of the stack that hold its uniqueNames: restore and reuse them, or purge them. */
  deletedApps?: 'restore' | 'purge';
  /**
   * The tenant that registers the (multi-tenant) applications, when `tenant` is a customer tenant: then only
   * service principals and admin consent are managed there (gather/customer.ts, docs/verify.md).
   */
  homeTenant?: string;
  /** Credential for reading the home tenant (default: resolved like the target's, for the home tenant). */
  homeCredential?: TokenCredential;
  /** A line for people per step; the CLI renders `event` instead when there is one (src/cli/progress.ts). */
  progress?: (line: string, event?: ProgressEvent) => void;
  /**
   * Observer of every completed write — a Graph write (before its response is used) or a local file (secret cache,
   * certificate store, an output file); `what` names it, never a value. Crash-safety tests use it to stop a run
   * at a chosen write (src/cli/crash-observer.ts does it with SIGKILL for the real-process tests).
   */
  onWrite?: (what: string) => void;
  /** Write the plan's Snapshot (secrets redacted) to this file, to replay the planner offline (gather/save.ts). */
  saveSnapshot?: string;
}

export interface DestroyOptions extends Omit<CommonOptions, 'manifests'> {
  /** Manifests of the stacks to destroy (optional for a sweep). */
  manifests?: string[];
  /** Also delete permanently from directory/deletedItems (apps and their service principals). */
  purge?: boolean;
  /** Also delete the output files the manifests declare. */
  removeOutputs?: boolean;
  /** Sweep every stack whose name starts with this prefix (e.g. `ci-`). */
  stackPrefix?: string;
  /** With stackPrefix: only stacks whose applications were all created at least this long ago. */
  olderThanMs?: number;
  /** "Now" for olderThanMs, ms since epoch (default Date.now(); tests pass the emulator's clock). */
  now?: number;
  /** Called with a non-empty plan (and the output files removeOutputs would delete) before anything is deleted; return false to cancel. */
  confirm?: (plan: Plan, local: { outputs: string[] }) => Promise<boolean> | boolean;
  /** Abort to stop after the deletions in progress (Ctrl-C): nothing new starts; the result says what was done. */
  signal?: AbortSignal;
}

export interface ImportOptions extends CommonOptions {
  /** Application key (or `<stack>/<key>`) → appId of the existing application to adopt. */
  apps: Record<string, string>;
  /** Called with a non-empty plan before anything is written; return false to cancel. */
  confirm?: (plan: Plan) => Promise<boolean> | boolean;
  /** Abort to stop after the adoptions in progress (Ctrl-C): nothing new starts; the result says what was done. */
  signal?: AbortSignal;
}
