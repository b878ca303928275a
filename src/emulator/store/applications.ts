import type { Application, FederatedIdentityCredential, PasswordCredential } from '@microsoft/microsoft-graph-types';
import { graphErrors } from '../errors.js';
import type { StoreCore } from './collection.js';
import { softDeleteApplication } from './recycle-bin.js';
import { versioned, visibleValue } from './state.js';

const sameId = (a: string | null | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/**
 * Applications and what hangs off them: client secrets (hashes only), owners and federated identity
 * credentials. Reads see a replica; every operation writes the master, keeps the home service principal
 * in step and schedules the save of the state file.
 */
export class ApplicationStore {
  constructor(private readonly core: StoreCore) {}

  /** By object id, as a replica sees it (a just-created app is not there yet). */
  visible(id: string): Application | undefined {
    return this.core.applications.visible(id);
  }

  /** Every application a replica can see. */
  list(): Application[] {
    return this.core.applications.list();
  }

  /** The application of an appId, as a replica sees it. */
  byAppId(appId: string): Application | undefined {
    return this.core.applications.where('appId', appId)[0];
  }

  /** The application with this uniqueName, as a replica sees it. */
  byUniqueName(uniqueName: string): Application | undefined {
    return this.core.applications.where('uniqueName', uniqueName)[0];
  }

  /** A copy of the write master's application (writes apply on top of it, never on a stale replica). */
  master(id: string): Application | undefined {
    const app = this.core.applications.master(id);
    return app ? structuredClone(app) : undefined;
  }

  /** Every application on the write master (no lag): for tenant-wide uniqueness and ownership checks. */
  masters(): Application[] {
    return this.core.applications.masters();
  }

  /** POST /applications: the new app, owned by `owners` (service principal object ids). */
  create(app: Application, owners: string[]): void {
    this.update(app);
    this.core.internals(app.id!).owners = owners;
    this.core.changed();
  }

  /** A write to an existing application (PATCH); its service principals follow it. */
  update(app: Application): void {
    this.core.applications.put(app.id!, app);
    this.core.internals(app.id!);
    syncServicePrincipals(this.core, app);
  }

  /** DELETE /applications/{id}: the app and its home service principal go to the recycle bin. */
  softDelete(id: string): void {
    softDeleteApplication(this.core, id);
  }

  /** Object ids of the app's owners (service principals and users), in the order they were added. */
  owners(id: string): string[] {
    return this.core.owners(id);
  }

  addOwner(id: string, objectId: string): void {
    this.core.addOwner(id, objectId);
  }

  removeOwner(id: string, objectId: string): void {
    this.core.removeOwner(id, objectId);
  }

  isOwner(id: string, servicePrincipalId: string): boolean {
    return (this.core.state.appInternals[id]?.owners ?? []).includes(servicePrincipalId);
  }

  /** addPassword: the credential's metadata on the application, the sha256 of its secret in the internals. */
  addPassword(id: string, credential: PasswordCredential, secretSha256: string): void {
    const app = this.requireMaster(id);
    app.passwordCredentials = [...(app.passwordCredentials ?? []), credential];
    this.update(app);
    this.core.internals(id).secrets.push({ keyId: credential.keyId!, sha256: secretSha256 });
    this.core.changed();
  }

  /** removePassword: false (and nothing changed) when the app has no credential with that keyId. */
  removePassword(id: string, keyId: string): boolean {
    const app = this.requireMaster(id);
    const before = app.passwordCredentials ?? [];
    const after = before.filter((p) => !sameId(p.keyId, keyId));
    if (after.length === before.length) return false;
    app.passwordCredentials = after;
    this.update(app);
    this.core.forgetSecret(id, keyId);
    return true;
  }

  /** The stored secret hashes of an application, by keyId (the secrets themselves are never stored). */
  storedSecrets(id: string): Array<{ keyId: string; sha256: string }> {
    return this.core.storedSecrets(id);
  }

  /** Federated identity credentials a replica shows (one created moments ago is not listed yet). */
  federatedCredentials(id: string): FederatedIdentityCredential[] {
    const now = this.core.now();
    return (this.core.state.appInternals[id]?.federatedIdentityCredentials ?? [])
      .map((v) => visibleValue(v, now))
      .filter((v): v is FederatedIdentityCredential => !!v);
  }

  /** The write master's federated identity credentials (for the per-app limits and uniqueness rules). */
  masterFederatedCredentials(id: string): FederatedIdentityCredential[] {
    return (this.core.state.appInternals[id]?.federatedIdentityCredentials ?? []).map((v) => v.value);
  }

  /** Create or replace (by id) a federated identity credential. */
  putFederatedCredential(id: string, fic: FederatedIdentityCredential): void {
    const list = this.core.internals(id).federatedIdentityCredentials;
    const i = list.findIndex((v) => v.value.id === fic.id);
    const entry = versioned(fic, i >= 0 ? list[i] : undefined, this.core.now(), this.core.lagMs());
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    this.core.changed();
  }

  removeFederatedCredential(id: string, ficId: string): void {
    const internals = this.core.internals(id);
    internals.federatedIdentityCredentials = internals.federatedIdentityCredentials.filter((v) => v.value.id !== ficId);
    this.core.changed();
  }

  private requireMaster(id: string): Application {
    const app = this.master(id);
    if (!app) throw graphErrors.notFound(id);
    return app;
  }
}

/**
 * Graph keeps a home-tenant service principal in step with its application: appRoles,
 * oauth2PermissionScopes, servicePrincipalNames (appId + identifierUris) and appDisplayName.
 * https://learn.microsoft.com/entra/identity-platform/app-objects-and-service-principals
 * A multi-tenant app's service principals in other tenants of the emulator follow it too (directory.ts).
 */
function syncServicePrincipals(core: StoreCore, app: Application): void {
  for (const other of core.tenants()) {
    if (other !== core.tenant) other.servicePrincipals.followApplication(app, core.tenantId);
  }
  core.tenant.servicePrincipals.followApplication(app);
}
