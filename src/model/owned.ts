/**
 * What a destroy (or sweep) plans from: the live objects a stack owns, found by its ownership tag
 * (graph/owned.ts reads it; plan/destroy.ts decides on it). Plain data.
 */
import type { Application, AppRoleAssignment, ConditionalAccessPolicy, OAuth2PermissionGrant, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { appRef, parseUniqueName, type AppRef } from './desired.js';
import type { LiveTenant } from './live.js';

/** A live application the stack owns, with what hangs off its service principal. */
export interface OwnedApp {
  stack: string;
  ref: AppRef;
  app: Application;
  servicePrincipal?: ServicePrincipal;
  /** App role assignments where the app's SP is the principal. */
  assignments: AppRoleAssignment[];
  /** Delegated grants where the app's SP is the client. */
  grants: OAuth2PermissionGrant[];
}

/** An object of the stack already in directory/deletedItems. */
export interface DeletedObject {
  stack: string;
  ref: AppRef;
  type: 'application' | 'servicePrincipal';
  value: Application | ServicePrincipal;
}

export interface OwnedState {
  tenant: LiveTenant;
  apps: OwnedApp[];
  deleted: DeletedObject[];
  /** Conditional access policies with a stack's marker in their description (absent in older snapshots: none). */
  policies?: OwnedPolicy[];
  warnings: string[];
}

export interface OwnedPolicy {
  stack: string;
  key: string;
  policy: ConditionalAccessPolicy;
}

/** The ref of an owned app: `app:<stack>/<key>` from its uniqueName, else from its object id. */
export function refOf(stack: string, app: Application): AppRef {
  const parsed = app.uniqueName ? parseUniqueName(app.uniqueName) : undefined;
  return appRef(stack, parsed && parsed.stack === stack ? parsed.key : String(app.id));
}
