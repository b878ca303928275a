import type { Application, AppRoleAssignment, ConditionalAccessPolicy, OAuth2PermissionGrant, ServicePrincipal, User } from '@microsoft/microsoft-graph-types';
import type { AppInternals, DeletedItem, TenantState, Versioned } from './state.js';
import { versioned, visibleValue } from './state.js';

const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
/**
 * What the stores need of their tenant (and of the emulator's other tenants): service principals that follow
 * an application. A structural type, not Tenant itself, so the store files do not import tenant.ts back.
 */
export interface TenantLink {
  readonly servicePrincipals: { followApplication(app: Application, ownerTenantId?: string): void };
  directory?: { all(): TenantLink[] };
}

/** What every write needs: the clock, the configured lag, and the save hook of the state file. */
export interface Replication {
  now(): number;
  lagMs(): number;
  /**
   * How long replicas still serve an object deleted now: 0 unless the DELETE is under a `lag` fault rule (Graph's
   * deletes replicate too — anchors.md gotcha 7 — but by default the emulator lags only writes that create or change).
   */
  deleteLagMs(): number;
  /** Schedule a save of the state file (a no-op for an in-memory tenant). */
  changed(): void;
}

/**
 * One collection of directory objects with replication lag: reads see a replica (`visible`, `list`), writes
 * go to the write master (`put`), so a read right after a write can miss it. `master`/`masters` are for
 * server-side invariants (uniqueness), which the real directory checks on the master too.
 * Store-internal: handlers reach objects only through the operations of the stores built on it.
 */
export class Collection<T> {
  /** field → lower-cased value → ids that held it in some version (built on first use; stale ids are filtered on read). */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  /**
   * Objects deleted under replication lag: the write master has dropped them (uniqueness checks, the recycle bin),
   * while every read replica still serves the last visible value until `until` — by id, in lists and through the
   * indexes alike. In memory only: lag is a matter of seconds.
   */
  private readonly tombstones = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly records: Record<string, Versioned<T>>,
    private readonly rep: Replication,
  ) {}

  /**
   * The visible values whose `field` equals `value` (case-insensitively), through an index: a lookup by appId,
   * uniqueName or principal costs the matches, not a scan of the tenant (issue 13: the no-op plan of 200 stacks).
   */
  where(field: keyof T & string, value: string): T[] {
    const now = this.rep.now();
    return this.candidates(field, value).flatMap((id) => {
      const v = this.replicaValue(id, now);
      return v && same(v[field], value) ? [v] : [];
    });
  }

  /** What a replica serves for `id` at `now`: the record's visible version, else a tombstone still replicating. */
  private replicaValue(id: string, now: number): T | undefined {
    const rec = this.records[id];
    if (rec) return visibleValue(rec, now);
    const t = this.tombstones.get(id);
    if (!t) return undefined;
    if (now < t.until) return t.value;
    this.tombstones.delete(id);
    return undefined;
  }

  /** The same on the write master (no lag). */
  masterWhere(field: keyof T & string, value: string): T[] {
    return this.candidates(field, value).flatMap((id) => {
      const v = this.records[id]?.value;
      return v && same(v[field], value) ? [v] : [];
    });
  }

  private candidates(field: string, value: string): string[] {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      this.indexes.set(field, index);
      for (const [id, rec] of Object.entries(this.records)) this.addKeys(index, field, id, rec);
    }
    return [...(index.get(value.toLowerCase()) ?? [])];
  }

  private addKeys(index: Map<string, Set<string>>, field: string, id: string, rec: Versioned<T> | undefined): void {
    for (const v of [rec?.value, rec?.prev]) {
      const key = (v as Record<string, unknown> | null | undefined)?.[field];
      if (typeof key !== 'string') continue;
      const k = key.toLowerCase();
      (index.get(k) ?? index.set(k, new Set()).get(k)!).add(id);
    }
  }

  private reindex(id: string): void {
    for (const [field, index] of this.indexes) this.addKeys(index, field, id, this.records[id]);
  }

  /** The value a read replica returns for this id right now. */
  visible(id: string): T | undefined {
    return this.replicaValue(id, this.rep.now());
  }

  /** Every value a replica can see. */
  list(): T[] {
    const now = this.rep.now();
    const out: T[] = [];
    for (const v of Object.values(this.records)) {
      const value = visibleValue(v, now);
      if (value) out.push(value);
    }
    for (const id of [...this.tombstones.keys()]) {
      const value = this.replicaValue(id, now);
      if (value) out.push(value);
    }
    return out;
  }

  /** The write master's value (no lag). */
  master(id: string): T | undefined {
    return this.records[id]?.value;
  }

  masters(): T[] {
    return Object.values(this.records).map((v) => v.value);
  }

  put(id: string, value: T): void {
    this.tombstones.delete(id); // restored or written again: the master's value is what replicates now
    this.records[id] = versioned(value, this.records[id], this.rep.now(), this.rep.lagMs());
    this.reindex(id);
    this.rep.changed();
  }

  /**
   * A write every replica sees at once (no lag): for objects the emulator provisions itself before any client
   * can look (seeded test users), as the seeded admin client and Microsoft Graph service principal are.
   */
  putReplicated(id: string, value: T): void {
    this.tombstones.delete(id);
    this.records[id] = { value, prev: null, visibleAt: this.rep.now() };
    this.reindex(id);
    this.rep.changed();
  }

  remove(id: string): void {
    const now = this.rep.now();
    const lag = this.rep.deleteLagMs();
    const last = lag > 0 ? visibleValue(this.records[id], now) : undefined;
    if (last) this.tombstones.set(id, { value: last, until: now + lag });
    delete this.records[id];
    this.rep.changed();
  }
}

/**
 * The shared insides of one tenant's stores: its state, split into lagged collections, plus the
 * emulator-only records (application internals, the recycle bin). Built by Tenant; never handed to handlers.
 */
export class StoreCore implements Replication {
  readonly applications: Collection<Application>;
  readonly servicePrincipals: Collection<ServicePrincipal>;
  readonly appRoleAssignments: Collection<AppRoleAssignment>;
  readonly oauth2PermissionGrants: Collection<OAuth2PermissionGrant>;
  readonly conditionalAccessPolicies: Collection<ConditionalAccessPolicy>;
  readonly users: Collection<User>;

  constructor(
    readonly state: TenantState,
    private readonly rep: Replication,
    /** The tenant these stores belong to. */
    readonly tenant: TenantLink,
  ) {
    this.applications = new Collection(state.applications, this);
    this.servicePrincipals = new Collection(state.servicePrincipals, this);
    this.appRoleAssignments = new Collection(state.appRoleAssignments, this);
    this.oauth2PermissionGrants = new Collection(state.oauth2PermissionGrants, this);
    this.conditionalAccessPolicies = new Collection(state.conditionalAccessPolicies, this);
    this.users = new Collection(state.users, this);
  }

  /** Every tenant of the emulator (this one included), for multi-tenant applications; see directory.ts. */
  tenants(): TenantLink[] {
    return this.tenant.directory?.all() ?? [this.tenant];
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  get deletedItems(): Record<string, DeletedItem> {
    return this.state.deletedItems;
  }

  now(): number {
    return this.rep.now();
  }

  lagMs(): number {
    return this.rep.lagMs();
  }

  deleteLagMs(): number {
    return this.rep.deleteLagMs();
  }

  changed(): void {
    this.rep.changed();
  }

  /** The stored secret hashes of an application or a service principal, by keyId (the secrets themselves are never stored). */
  storedSecrets(objectId: string): Array<{ keyId: string; sha256: string }> {
    return (this.state.appInternals[objectId]?.secrets ?? []).map((s) => ({ ...s }));
  }

  /** Drop the stored hash of a removed secret. */
  forgetSecret(objectId: string, keyId: string): void {
    const internals = this.internals(objectId);
    internals.secrets = internals.secrets.filter((s) => s.keyId.toLowerCase() !== keyId.toLowerCase());
    this.changed();
  }

  /** Object ids of an application's or a service principal's owners (users and service principals), in the order added. */
  owners(objectId: string): string[] {
    return [...(this.state.appInternals[objectId]?.owners ?? [])];
  }

  addOwner(objectId: string, ownerId: string): void {
    this.internals(objectId).owners.push(ownerId);
    this.changed();
  }

  removeOwner(objectId: string, ownerId: string): void {
    const internals = this.internals(objectId);
    internals.owners = internals.owners.filter((o) => o !== ownerId);
    this.changed();
  }

  /** The internals of an application, created empty on first use. */
  internals(appObjectId: string): AppInternals {
    const existing = this.state.appInternals[appObjectId];
    if (existing) return existing;
    const created: AppInternals = { secrets: [], owners: [], federatedIdentityCredentials: [] };
    this.state.appInternals[appObjectId] = created;
    return created;
  }
}
