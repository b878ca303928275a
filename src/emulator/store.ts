import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  Application,
  AppRoleAssignment,
  FederatedIdentityCredential,
  OAuth2PermissionGrant,
  Organization,
  ServicePrincipal,
} from '@microsoft/microsoft-graph-types';
import type { Clock } from './faults.js';

/**
 * One stored object with replication lag modelled: `value` is what the write master holds; a read
 * before `visibleAt` sees `prev` (a stale replica), or nothing when the object is new.
 * https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra
 */
export interface Versioned<T> {
  value: T;
  prev: T | null;
  visibleAt: number;
}

/** Emulator-only facts about an application that Graph never returns. */
export interface AppInternals {
  /** sha256 (hex) of each client secret, by keyId; the secret itself is never stored. */
  secrets: Array<{ keyId: string; sha256: string }>;
  /** Object ids of the service principals that own the app (creator under Application.ReadWrite.OwnedBy). */
  owners: string[];
  federatedIdentityCredentials: Array<Versioned<FederatedIdentityCredential>>;
}

export interface DeletedItem {
  type: 'application' | 'servicePrincipal';
  value: Application | ServicePrincipal;
  internals?: AppInternals;
  /** For a service principal: the assignments and grants that go and come back with it. */
  appRoleAssignments?: AppRoleAssignment[];
  oauth2PermissionGrants?: OAuth2PermissionGrant[];
}

export interface SigningKey {
  kid: string;
  privatePem: string;
  certPem: string;
}

export interface TenantState {
  version: 1;
  tenantId: string;
  organization: Organization;
  applications: Record<string, Versioned<Application>>;
  appInternals: Record<string, AppInternals>;
  servicePrincipals: Record<string, Versioned<ServicePrincipal>>;
  appRoleAssignments: Record<string, Versioned<AppRoleAssignment>>;
  oauth2PermissionGrants: Record<string, Versioned<OAuth2PermissionGrant>>;
  deletedItems: Record<string, DeletedItem>;
  signingKey: SigningKey;
  /** The bootstrap admin client (its secret is kept so every start can print it). */
  admin: { appId: string; clientSecret: string };
  /**
   * Other tenants hosted by the same emulator (only on the first tenant's state, which is what the state
   * file holds). Each is a complete TenantState of its own; see directory.ts.
   */
  extraTenants?: TenantState[];
}

export type CollectionName = 'applications' | 'servicePrincipals' | 'appRoleAssignments' | 'oauth2PermissionGrants';

/**
 * The tenant's state with read/write helpers that apply replication lag. Handlers read with `visible`
 * (what a replica answers) and write with `put` (the master), so a read right after a write can miss it.
 */
export class Tenant {
  private saveTimer: NodeJS.Timeout | undefined;
  /** Every tenant of this emulator (this one included), set by createEmulator; see directory.ts. */
  directory?: { all(): Tenant[] };
  constructor(
    readonly state: TenantState,
    private readonly clock: Clock,
    private readonly lagMs: () => number,
    private readonly file?: string,
    /** An extra tenant lives inside its parent's state file: its changes save the parent. */
    private readonly parent?: Tenant,
  ) {}

  get tenantId(): string {
    return this.state.tenantId;
  }

  now(): number {
    return this.clock.now();
  }

  /** What a read replica returns for this object right now. */
  visibleValue<T>(v: Versioned<T> | undefined): T | undefined {
    if (!v) return undefined;
    return this.clock.now() >= v.visibleAt ? v.value : (v.prev ?? undefined);
  }

  /** True when the latest write to this object has not replicated yet. */
  isLagging(v: Versioned<unknown> | undefined): boolean {
    return !!v && this.clock.now() < v.visibleAt;
  }

  get<T extends CollectionName>(collection: T, id: string): TenantState[T][string] | undefined {
    return this.state[collection][id] as TenantState[T][string] | undefined;
  }

  /** Visible value by object id. */
  read<T extends CollectionName>(collection: T, id: string): TenantState[T][string]['value'] | undefined {
    return this.visibleValue(this.get(collection, id) as Versioned<TenantState[T][string]['value']> | undefined);
  }

  /** All visible values of a collection. */
  list<T extends CollectionName>(collection: T): Array<TenantState[T][string]['value']> {
    const out: Array<TenantState[T][string]['value']> = [];
    for (const v of Object.values(this.state[collection])) {
      const value = this.visibleValue(v as Versioned<TenantState[T][string]['value']>);
      if (value) out.push(value);
    }
    return out;
  }

  /** Master values (no lag) — for uniqueness checks and other server-side invariants. */
  all<T extends CollectionName>(collection: T): Array<TenantState[T][string]['value']> {
    return Object.values(this.state[collection]).map((v) => v.value) as Array<TenantState[T][string]['value']>;
  }

  put<T extends CollectionName>(collection: T, id: string, value: TenantState[T][string]['value']): void {
    const existing = this.state[collection][id] as Versioned<unknown> | undefined;
    const entry = versioned(value, existing, this.clock.now(), this.lagMs());
    (this.state[collection] as Record<string, Versioned<unknown>>)[id] = entry;
    this.changed();
  }

  remove(collection: CollectionName, id: string): void {
    delete this.state[collection][id];
    this.changed();
  }

  /** Schedule an atomic save of the state file (no-op for an in-memory tenant). */
  changed(): void {
    if (this.parent) return this.parent.changed();
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 20);
  }

  saveNow(): void {
    if (this.parent) return this.parent.saveNow();
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    if (!this.file) return;
    writeFileAtomic(this.file, JSON.stringify(this.state, null, 1), 0o600);
  }
}

/** A new version of an object: the previous visible value stays readable until the lag has passed. */
export function versioned<T>(value: T, existing: Versioned<T> | undefined, now: number, lagMs: number): Versioned<T> {
  const prevVisible = existing ? (now >= existing.visibleAt ? existing.value : existing.prev) : null;
  return { value, prev: lagMs > 0 ? prevVisible : null, visibleAt: now + lagMs };
}

export function writeFileAtomic(file: string, content: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

export function loadState(file: string): TenantState | undefined {
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as TenantState;
  if (state.version !== 1) throw new Error(`${file}: unsupported emulator state version ${String(state.version)}`);
  return state;
}
