import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { StoreCore } from './collection.js';
import { softDeleteServicePrincipal } from './recycle-bin.js';

const sameId = (a: string | null | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/** Service principals: one per appId in a tenant. Reads see a replica; operations write the master and save. */
export class ServicePrincipalStore {
  constructor(private readonly core: StoreCore) {}

  visible(id: string): ServicePrincipal | undefined {
    return this.core.servicePrincipals.visible(id);
  }

  list(): ServicePrincipal[] {
    return this.core.servicePrincipals.list();
  }

  /** The service principal of an appId, as a replica sees it. */
  byAppId(appId: string): ServicePrincipal | undefined {
    return this.core.servicePrincipals.where('appId', appId)[0];
  }

  /** The write master's copy (it may not have replicated yet). */
  master(id: string): ServicePrincipal | undefined {
    return this.core.servicePrincipals.master(id);
  }

  /**
   * The (master, unlagged) service principal of an appId in this tenant: uniqueness is decided on the master,
   * so it also finds an SP that has not replicated yet.
   */
  home(appId: string): ServicePrincipal | undefined {
    return this.core.servicePrincipals.masterWhere('appId', appId)[0];
  }

  create(sp: ServicePrincipal): void {
    this.core.servicePrincipals.put(sp.id!, sp);
  }

  update(sp: ServicePrincipal): void {
    this.core.servicePrincipals.put(sp.id!, sp);
  }

  /** Object ids of the service principal's owners (service principals and users), in the order they were added. */
  owners(id: string): string[] {
    return this.core.owners(id);
  }

  addOwner(id: string, objectId: string): void {
    this.core.addOwner(id, objectId);
  }

  removeOwner(id: string, objectId: string): void {
    this.core.removeOwner(id, objectId);
  }

  /**
   * servicePrincipal addPassword: the credential's metadata on the SP, the sha256 of its secret in the internals
   * kept by object id (as an application's are; the two never share an id).
   */
  addPassword(id: string, credential: PasswordCredential, secretSha256: string): void {
    const sp = this.core.servicePrincipals.master(id);
    if (!sp) return;
    this.update({ ...sp, passwordCredentials: [...(sp.passwordCredentials ?? []), credential] });
    this.core.internals(id).secrets.push({ keyId: credential.keyId!, sha256: secretSha256 });
    this.core.changed();
  }

  /** servicePrincipal removePassword: false (and nothing changed) when the SP has no credential with that keyId. */
  removePassword(id: string, keyId: string): boolean {
    const sp = this.core.servicePrincipals.master(id);
    const before = sp?.passwordCredentials ?? [];
    const after = before.filter((p) => !sameId(p.keyId, keyId));
    if (!sp || after.length === before.length) return false;
    this.update({ ...sp, passwordCredentials: after });
    this.core.forgetSecret(id, keyId);
    return true;
  }

  /** The stored secret hashes of a service principal, by keyId (the secrets themselves are never stored). */
  storedSecrets(id: string): Array<{ keyId: string; sha256: string }> {
    return this.core.storedSecrets(id);
  }

  /** DELETE /servicePrincipals/{id}: to the recycle bin, with its app role assignments and grants. */
  softDelete(id: string): void {
    softDeleteServicePrincipal(this.core, id);
  }

  /**
   * Keep the service principal of `app` in step with it (appRoles, scopes, names, audience). With
   * `ownerTenantId` (another tenant's multi-tenant app), only an SP that tenant's organization owns follows.
   */
  followApplication(app: Application, ownerTenantId?: string): void {
    const sp = this.home(app.appId!);
    if (!sp) return;
    if (ownerTenantId !== undefined && !sameId(sp.appOwnerOrganizationId, ownerTenantId)) return;
    this.core.servicePrincipals.put(sp.id!, {
      ...sp,
      appDisplayName: app.displayName,
      appRoles: structuredClone(app.appRoles ?? []),
      oauth2PermissionScopes: structuredClone(app.api?.oauth2PermissionScopes ?? []),
      servicePrincipalNames: [app.appId!, ...(app.identifierUris ?? [])],
      signInAudience: app.signInAudience,
    });
  }
}
