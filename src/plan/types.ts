/**
 * The plan: plain, versioned, JSON round-trippable data. Changes are a discriminated union on `action`;
 * execution lives in src/apply. Nothing secret is ever placed in a plan.
 */
export const PLAN_FORMAT_VERSION = 1;

// `app:<stack>/<key>`: how changes refer to applications whose object ids may not exist yet (model/desired.ts).
import type { AppRef } from '../model/desired.js';
import type { PolicyRef } from '../model/policies.js';
export { appRef, type AppRef } from '../model/desired.js';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

interface ChangeBase {
  /** Stable address, e.g. `app:todolist-daemon/api`, `sp:…`, `assignment:…`. */
  id: string;
  /** Dependency wave, computed by order.ts: wave n only depends on waves < n. */
  wave: number;
  dependsOn: string[];
  /** Why this change is needed, in words. */
  reason: string;
}

/** Properties of an application body as the plan shows them; `{appId}` may still be a placeholder. */
export type AppBody = Record<string, unknown>;

/** The user of a per-user delegated grant: its object id and, for people, its userPrincipalName. */
export interface GrantUser {
  id: string;
  userPrincipalName: string;
}

export type Change =
  | (ChangeBase & { action: 'create-application'; app: AppRef; uniqueName: string; after: AppBody })
  | (ChangeBase & { action: 'update-application'; app: AppRef; uniqueName: string; fields: FieldChange[]; after: AppBody })
  /** Roles/scopes that must be disabled before they can be changed or removed (CannotDeleteOrUpdateEnabledEntitlement). */
  | (ChangeBase & { action: 'disable-entitlements'; app: AppRef; uniqueName: string; roles: string[]; scopes: string[]; after: AppBody })
  /** Fields that need appIds that only exist after creation (identifierUris `api://{appId}`, requiredResourceAccess). */
  | (ChangeBase & { action: 'configure-application'; app: AppRef; uniqueName: string; fields: FieldChange[]; after: AppBody })
  /**
   * api.preAuthorizedApplications, its own write after the scopes it names exist: Graph refuses scopes added in
   * the same request or not yet replicated (microsoft-graph-docs-contrib#1395), so this write is retried.
   */
  | (ChangeBase & { action: 'pre-authorize-applications'; app: AppRef; uniqueName: string; fields: FieldChange[]; after: AppBody })
  | (ChangeBase & { action: 'create-service-principal'; app: AppRef; after: Record<string, unknown> })
  | (ChangeBase & { action: 'update-service-principal'; app: AppRef; fields: FieldChange[]; after: Record<string, unknown> })
  | (ChangeBase & { action: 'add-secret'; app: AppRef; name: string; displayName: string; lifetimeMs: number })
  /** `afterOutputs`: the secret may be what a config file holds, so it goes only once the outputs hold its successor. */
  | (ChangeBase & { action: 'remove-secret'; app: AppRef; keyId: string; displayName: string; afterOutputs?: boolean })
  /**
   * Register a certificate (read-modify-write of keyCredentials). Generated: apply creates it (or reuses the
   * one a crashed run stored as `keyId`) and stores the private key 0600 BEFORE uploading. File: the public
   * certificate of `file`, which must still have `thumbprintSha256`. Never carries key material.
   */
  | (ChangeBase & {
      action: 'add-certificate';
      app: AppRef;
      name: string;
      displayName: string;
      source: 'generate' | 'file';
      keyId: string | null;
      thumbprintSha256: string | null;
      subject: string | null;
      lifetimeMs: number | null;
      file: string | null;
      /** PFX files: the environment variable holding the password (its name, never its value). */
      passwordEnv: string | null;
    })
  | (ChangeBase & { action: 'remove-certificate'; app: AppRef; keyId: string; displayName: string; afterOutputs?: boolean })
  | (ChangeBase & { action: 'create-federated-credential'; app: AppRef; name: string; after: FederatedCredentialBody })
  /** Name is immutable in Graph; a rename is planned as delete + create instead. */
  | (ChangeBase & { action: 'update-federated-credential'; app: AppRef; name: string; ficId: string; fields: FieldChange[]; after: FederatedCredentialBody })
  | (ChangeBase & { action: 'delete-federated-credential'; app: AppRef; name: string; ficId: string })
  | (ChangeBase & { action: 'create-app-role-assignment'; app: AppRef; resource: ResourceRef; appRoleId: string; role: string })
  // resourceDisplayName: the API's name as Graph records it on the assignment (absent in plans of older versions).
  | (ChangeBase & {
      action: 'delete-app-role-assignment';
      app: AppRef;
      assignmentId: string;
      resourceId: string;
      resourceDisplayName?: string;
      appRoleId: string;
      role: string;
    })
  // `user`: a per-user (consentType Principal) grant for that user; without it the tenant-wide (AllPrincipals) one.
  | (ChangeBase & { action: 'create-delegated-grant'; app: AppRef; resource: ResourceRef; scope: string; user?: GrantUser })
  | (ChangeBase & { action: 'update-delegated-grant'; app: AppRef; grantId: string; before: string; scope: string; user?: GrantUser })
  | (ChangeBase & { action: 'delete-delegated-grant'; app: AppRef; grantId: string; before: string })
  // Conditional access policies (src/model/policies.ts): found by the marker in their description, written last.
  | (ChangeBase & { action: 'create-conditional-access-policy'; policy: PolicyRef; displayName: string; after: Record<string, unknown> })
  | (ChangeBase & {
      action: 'update-conditional-access-policy';
      policy: PolicyRef;
      policyId: string;
      displayName: string;
      fields: FieldChange[];
      after: Record<string, unknown>;
    })
  | (ChangeBase & { action: 'delete-conditional-access-policy'; policy: PolicyRef; policyId: string; displayName: string })
  | (ChangeBase & { action: 'write-output'; path: string; sensitive: boolean; reason: string; status: 'create' | 'update' })
  // Teardown and the recycle bin (src/destroy). Deletes are soft: objects go to directory/deletedItems for 30 days.
  | (ChangeBase & { action: 'delete-service-principal'; app: AppRef; servicePrincipalId: string; displayName: string })
  | (ChangeBase & { action: 'delete-application'; app: AppRef; uniqueName: string | null; objectId: string; appId: string; displayName: string })
  /** Permanent deletion from directory/deletedItems (frees the uniqueName at once). */
  | (ChangeBase & { action: 'purge-deleted-object'; app: AppRef; objectType: 'application' | 'servicePrincipal'; objectId: string; displayName: string })
  /** Restore a soft-deleted application of the stack (and its service principal) to reuse it. */
  | (ChangeBase & {
      action: 'restore-deleted-application';
      app: AppRef;
      uniqueName: string;
      objectId: string;
      appId: string;
      servicePrincipalId: string | null;
      deletedDateTime: string | null;
    })
  /** Adopt an existing application (tenantform import): set its uniqueName once and the ownership tag. */
  | (ChangeBase & {
      action: 'adopt-application';
      app: AppRef;
      uniqueName: string;
      objectId: string;
      appId: string;
      fields: FieldChange[];
      after: AppBody;
      servicePrincipalId: string | null;
      servicePrincipalTags: string[] | null;
    });

export type ChangeAction = Change['action'];

/** The body of a federated identity credential (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential). */
export interface FederatedCredentialBody {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description: string;
}

/** A resource API: an application of a stack (by ref) or a service principal already in the tenant. */
export type ResourceRef = { kind: 'stack'; app: AppRef; display: string } | { kind: 'tenant'; servicePrincipalId: string; display: string };

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** What executing the plan does: absent or 'apply' for apply, else 'destroy' or 'import' (docs/plan.schema.json). */
  operation?: 'apply' | 'destroy' | 'import';
  createdAt: string;
  tenant: { id: string; kind: 'local' | 'remote'; identity: string; type?: string };
  stacks: string[];
  changes: Change[];
  warnings: string[];
}

export function isEmpty(plan: Plan): boolean {
  return plan.changes.length === 0;
}
