/**
 * A Snapshot is everything a plan depends on, gathered once by gather/ (all the I/O) and handed to the pure
 * `createPlan(snapshot)` (plan/index.ts): the desired stacks, what the tenant holds, what this machine knows
 * (secret and certificate caches, the current content of every output file), tenant facts, the clock and the
 * flags. Plain JSON data: `plan --save-snapshot FILE` writes it (secrets redacted, gather/save.ts) so a planner
 * bug can be replayed offline, and the golden tests in test/unit/plan-golden.test.ts plan from saved ones.
 */
import type { ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { CertificateField, DesiredApplication, DesiredStack } from './desired.js';
import type { LiveState, LiveTenant } from './live.js';
import type { CertificateCache, SecretCache } from './local.js';
import type { OwnedState } from './owned.js';
import type { Application } from '@microsoft/microsoft-graph-types';

export const SNAPSHOT_FORMAT_VERSION = 2;

/** The tenant and the identity acting on it, as plans show them. */
export interface TenantFacts {
  id: string;
  kind: 'local' | 'remote';
  identity: string;
  type?: string;
  /** The authority host apps are told to use (outputs' `${tenant.authority}`). */
  authorityHost: string;
  /** The Graph permissions in the acting identity's token (absent in older snapshots: unknown). */
  permissions?: TokenPermissions;
}

/** Application permissions (`roles`) of an app-only token, or delegated scopes (`scp`) of a user's token. */
export interface TokenPermissions {
  kind: 'application' | 'delegated';
  values: string[];
}

/** Template fields of one certificate as the store and files hold them now, or why it could not be read. */
export type CertificateFields = Partial<Record<CertificateField, string>> | { error: string };

/** By stack → app key → certificate name. */
export type CertificateFieldTable = Record<string, Record<string, Record<string, CertificateFields>>>;

/** What this machine knows. `outputs`: each output file by its manifest path, with its content, or null if absent. */
export interface LocalState {
  secrets: SecretCache;
  certificates: CertificateCache;
  certificateFields: CertificateFieldTable;
  outputs: Record<string, string | null>;
}

interface SnapshotBase {
  formatVersion: typeof SNAPSHOT_FORMAT_VERSION;
  /** "Now", ms since the epoch: expiry, rotation windows and the plan's createdAt. */
  now: number;
  tenant: TenantFacts;
}

/** plan / apply / output: make the tenant match the stacks. */
export interface ApplySnapshot extends SnapshotBase {
  operation: 'apply';
  stacks: DesiredStack[];
  /** The manifests' validation warnings (`file:line:column: message`), shown with the plan. */
  manifestWarnings: string[];
  live: LiveState;
  local: LocalState;
  flags: { rotateSecrets?: boolean; rotateCertificates?: boolean; deletedApps?: 'restore' | 'purge' };
  /** Deleted service principals of soft-deleted holders, by appId (read only when `deletedApps` is set). */
  deletedServicePrincipals?: Record<string, ServicePrincipal>;
  /** `--home-tenant`: this is a customer tenant of these multi-tenant apps; only SPs and consent are managed. */
  customer?: { homeTenantId: string };
}

/** destroy / sweep: remove what the stacks own. */
export interface DestroySnapshot extends SnapshotBase {
  operation: 'destroy';
  owned: OwnedState;
  purge: boolean;
}

/** One application to adopt, as the tenant holds it (import). */
export interface Adoption {
  stack: string;
  desired: DesiredApplication;
  app: Application;
  servicePrincipal?: ServicePrincipal;
  /** A live application that already holds the uniqueName the desired one gets. */
  holder?: Application;
  /** A soft-deleted application holding that uniqueName. */
  deletedHolder?: Application;
}

/** import: adopt existing applications into a stack. */
export interface ImportSnapshot extends SnapshotBase {
  operation: 'import';
  adoptions: Adoption[];
}

export type Snapshot = ApplySnapshot | DestroySnapshot | ImportSnapshot;

export type { LiveTenant };
