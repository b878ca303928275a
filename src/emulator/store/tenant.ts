import type { Organization } from '@microsoft/microsoft-graph-types';
import type { Clock } from '../faults.js';
import { ApplicationStore } from './applications.js';
import { StoreCore } from './collection.js';
import { AssignmentStore, GrantStore } from './consents.js';
import { RecycleBin } from './recycle-bin.js';
import { ServicePrincipalStore } from './service-principals.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { licenseLevel, type LicenseSku, type TenantLicenses } from '../licenses.js';
import { ConditionalAccessPolicyStore } from './policies.js';
import { RefreshTokenStore } from './refresh-tokens.js';
import { upgradeState, type SigningKey, type TenantState } from './state.js';
import { UserStore } from './users.js';

export interface TenantOptions {
  clock: Clock;
  /** The replication lag in effect now (faults can change it at run time). */
  lagMs: () => number;
  /** How long replicas still serve an object deleted now (collection.ts tombstones); default none. */
  deleteLagMs?: () => number;
  /** Persist the state here (the primary tenant only); omit for an in-memory tenant. */
  file?: string;
}

/**
 * One tenant's store: an interface of whole operations (in the manner of Azurite's IBlobMetadataStore).
 * Each operation mutates the state, models replication lag (reads see a replica, writes go to the master)
 * and schedules its own save; handlers never see the TenantState.
 *
 * Extra tenants (multi-tenant applications, directory.ts) live inside the primary tenant's state file, so
 * their changes save the primary.
 */
export class Tenant {
  readonly applications: ApplicationStore;
  readonly servicePrincipals: ServicePrincipalStore;
  readonly appRoleAssignments: AssignmentStore;
  readonly oauth2PermissionGrants: GrantStore;
  readonly conditionalAccessPolicies: ConditionalAccessPolicyStore;
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly deletedItems: RecycleBin;
  /** Every tenant of this emulator (this one included), set by createEmulator; see directory.ts. */
  directory?: { all(): Tenant[] };
  private readonly extras: Tenant[] = [];
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: TenantState,
    private readonly options: TenantOptions,
    private readonly parent?: Tenant,
  ) {
    upgradeState(state);
    const core = new StoreCore(
      state,
      { now: () => options.clock.now(), lagMs: options.lagMs, deleteLagMs: options.deleteLagMs ?? (() => 0), changed: () => this.changed() },
      this,
    );
    this.applications = new ApplicationStore(core);
    this.servicePrincipals = new ServicePrincipalStore(core);
    this.appRoleAssignments = new AssignmentStore(core);
    this.oauth2PermissionGrants = new GrantStore(core);
    this.conditionalAccessPolicies = new ConditionalAccessPolicyStore(core);
    this.users = new UserStore(core);
    this.refreshTokens = new RefreshTokenStore(core);
    this.deletedItems = new RecycleBin(core);
    if (!parent) for (const extra of state.extraTenants ?? []) this.extras.push(new Tenant(extra, options, this));
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  /** A copy of the organization object (GET /organization). */
  organization(): Organization {
    return structuredClone(this.state.organization);
  }

  /** The names of the tenant's verified domains (the initial *.onmicrosoft.com one included). */
  verifiedDomains(): string[] {
    return (this.state.organization.verifiedDomains ?? []).map((d) => d.name!).filter(Boolean);
  }

  /** The tenant's Entra ID licenses (SKU part numbers), as GET /subscribedSkus lists them. */
  get licenses(): LicenseSku[] {
    return [...this.state.licenses];
  }

  /** What the licenses allow conditional access to use. */
  get licenseLevel(): TenantLicenses {
    return licenseLevel(this.state.licenses);
  }

  /** Replace the tenant's licenses (the `licenses` option / TENANTFORM_EMULATOR_LICENSES on start); saved. */
  setLicenses(skus: readonly LicenseSku[]): void {
    this.state.licenses = [...skus];
    this.changed();
  }

  /** The bootstrap admin client (its secret is kept so every start can print it). */
  get admin(): { appId: string; clientSecret: string } {
    return { ...this.state.admin };
  }

  /** The token-signing key (shared by every tenant of an emulator). */
  get signingKey(): SigningKey {
    return this.state.signingKey;
  }

  /** The other tenants kept in this (primary) tenant's state file, in the order they were added. */
  get extraTenants(): Tenant[] {
    return [...this.extras];
  }

  /** Host one more tenant inside this tenant's state file, and save it at once. */
  addExtraTenant(state: TenantState): Tenant {
    if (this.parent) return this.parent.addExtraTenant(state);
    (this.state.extraTenants ??= []).push(state);
    const extra = new Tenant(state, this.options, this);
    this.extras.push(extra);
    this.saveNow();
    return extra;
  }

  /** Write the state file now (no-op for an in-memory tenant), e.g. on close. */
  saveNow(): void {
    if (this.parent) return this.parent.saveNow();
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    if (!this.options.file) return;
    writeFileAtomic(this.options.file, JSON.stringify(this.state, null, 1), 0o600);
  }

  /** Schedule an atomic save of the state file; every store operation calls it. */
  private changed(): void {
    if (this.parent) return this.parent.changed();
    if (!this.options.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 20);
  }
}
