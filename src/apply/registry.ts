/**
 * execute: the handler registry. One handler per Change action, typed so that a missing one is a compile
 * error (DESIGN.md style 12) — apply, destroy and import plans all run through it.
 */
import type { Change } from '../plan/types.js';
import { createAssignment, createGrant, deleteAssignment, deleteGrant, updateGrant } from './access.js';
import { adoptApplication } from './adopt.js';
import {
  createApplication,
  createServicePrincipal,
  disableEntitlements,
  preAuthorizeApplications,
  updateApplication,
  updateServicePrincipal,
} from './applications.js';
import type { ApplyContext } from './context.js';
import { deleteApplication, deleteServicePrincipal, purgeDeletedObject, restoreDeletedApplication } from './destroy.js';
import { createFederatedCredential, deleteFederatedCredential, updateFederatedCredential } from './fic.js';
import { addCertificate, removeCertificate } from './keys.js';
import { createPolicy, deletePolicy, updatePolicy } from './policies.js';
import { addSecret, removeSecret } from './secrets.js';

export type Handler<A extends Change['action']> = (ctx: ApplyContext, change: Extract<Change, { action: A }>) => Promise<void>;
export type HandlerRegistry = { [A in Change['action']]: Handler<A> };

/** `app:<stack>/<key>` → its parts. */
function splitRef(ref: string): { stack: string; key: string } {
  const [stack, key] = ref.slice('app:'.length).split('/');
  return { stack, key };
}

export const handlers: HandlerRegistry = {
  'create-application': createApplication,
  'update-application': updateApplication,
  'configure-application': updateApplication,
  'pre-authorize-applications': preAuthorizeApplications,
  'disable-entitlements': disableEntitlements,
  'create-service-principal': createServicePrincipal,
  'update-service-principal': updateServicePrincipal,
  'add-secret': (ctx, c) => addSecret(ctx, c, splitRef(c.app).stack, splitRef(c.app).key),
  'remove-secret': removeSecret,
  'add-certificate': (ctx, c) => addCertificate(ctx, c, splitRef(c.app).stack, splitRef(c.app).key),
  'remove-certificate': (ctx, c) => removeCertificate(ctx, c, splitRef(c.app).stack, splitRef(c.app).key),
  'create-federated-credential': createFederatedCredential,
  'update-federated-credential': updateFederatedCredential,
  'delete-federated-credential': deleteFederatedCredential,
  'create-app-role-assignment': createAssignment,
  'delete-app-role-assignment': deleteAssignment,
  'create-delegated-grant': createGrant,
  'update-delegated-grant': updateGrant,
  'delete-delegated-grant': deleteGrant,
  'create-conditional-access-policy': createPolicy,
  'update-conditional-access-policy': updatePolicy,
  'delete-conditional-access-policy': deletePolicy,
  'write-output': (ctx, c) => ctx.writeOutput(c),
  'delete-service-principal': deleteServicePrincipal,
  'delete-application': deleteApplication,
  'purge-deleted-object': purgeDeletedObject,
  'restore-deleted-application': restoreDeletedApplication,
  'adopt-application': adoptApplication,
};

/** Run one change through its handler (the cast is safe: the registry is keyed by the change's own action). */
export function runChange(ctx: ApplyContext, c: Change): Promise<void> {
  return (handlers[c.action] as Handler<typeof c.action>)(ctx, c as never);
}
