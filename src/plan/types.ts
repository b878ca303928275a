/**
 * The plan: plain, versioned, JSON round-trippable data. Changes are a discriminated union on `action`;
 * execution lives in src/apply. Nothing secret is ever placed in a plan.
 */
export const PLAN_FORMAT_VERSION = 1;

/** `app:<stack>/<key>` — how changes refer to applications whose object ids may not exist yet. */
export type AppRef = string;

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

export type Change =
  | (ChangeBase & { action: 'create-application'; app: AppRef; uniqueName: string; after: AppBody })
  | (ChangeBase & { action: 'update-application'; app: AppRef; uniqueName: string; fields: FieldChange[]; after: AppBody })
  /** Roles/scopes that must be disabled before they can be changed or removed (CannotDeleteOrUpdateEnabledEntitlement). */
  | (ChangeBase & { action: 'disable-entitlements'; app: AppRef; uniqueName: string; roles: string[]; scopes: string[]; after: AppBody })
  /** Fields that need appIds that only exist after creation (identifierUris `api://{appId}`, requiredResourceAccess). */
  | (ChangeBase & { action: 'configure-application'; app: AppRef; uniqueName: string; fields: FieldChange[]; after: AppBody })
  | (ChangeBase & { action: 'create-service-principal'; app: AppRef; after: Record<string, unknown> })
  | (ChangeBase & { action: 'update-service-principal'; app: AppRef; fields: FieldChange[]; after: Record<string, unknown> })
  | (ChangeBase & { action: 'add-secret'; app: AppRef; name: string; displayName: string; lifetimeMs: number })
  | (ChangeBase & { action: 'remove-secret'; app: AppRef; keyId: string; displayName: string })
  | (ChangeBase & { action: 'create-app-role-assignment'; app: AppRef; resource: ResourceRef; appRoleId: string; role: string })
  | (ChangeBase & { action: 'delete-app-role-assignment'; app: AppRef; assignmentId: string; resourceId: string; appRoleId: string; role: string })
  | (ChangeBase & { action: 'create-delegated-grant'; app: AppRef; resource: ResourceRef; scope: string })
  | (ChangeBase & { action: 'update-delegated-grant'; app: AppRef; grantId: string; before: string; scope: string })
  | (ChangeBase & { action: 'delete-delegated-grant'; app: AppRef; grantId: string; before: string })
  | (ChangeBase & { action: 'write-output'; path: string; sensitive: boolean; reason: string; status: 'create' | 'update' });

export type ChangeAction = Change['action'];

/** A resource API: an application of a stack (by ref) or a service principal already in the tenant. */
export type ResourceRef = { kind: 'stack'; app: AppRef; display: string } | { kind: 'tenant'; servicePrincipalId: string; display: string };

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  createdAt: string;
  tenant: { id: string; kind: 'local' | 'remote'; identity: string; type?: string };
  stacks: string[];
  changes: Change[];
  warnings: string[];
}

export function appRef(stack: string, key: string): AppRef {
  return `app:${stack}/${key}`;
}

export function isEmpty(plan: Plan): boolean {
  return plan.changes.length === 0;
}
