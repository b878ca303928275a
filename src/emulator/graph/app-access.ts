import type { Application } from '@microsoft/microsoft-graph-types';
import { hasAny, type Caller, type GraphCtx } from '../context.js';
import { graphErrors } from '../errors.js';
import { parseKey, type EntityKey } from '../router.js';
import type { Tenant } from '../store/index.js';
import { GUID } from '../guid.js';

/**
 * Finding the application a URL names, and who may touch it.
 * Addressing: `/applications/{id}`, `/applications(appId='…')`, `/applications(uniqueName='…')`
 * (https://learn.microsoft.com/graph/api/application-get, https://learn.microsoft.com/graph/api/application-upsert).
 */

/**
 * An id segment of a directory object must be a GUID: Graph answers 400 "Invalid object identifier" for anything
 * else, not 404. `delta` and `$count` are functions, not ids: never guessed as a 404 (delta answers 501).
 */
export function checkObjectId(value: string): void {
  if (GUID.test(value)) return;
  // The collections' `$count` segments have routes of their own (counts.ts); delta is not modelled.
  if (value === 'delta' || value === '$count') throw graphErrors.notImplemented(`${value} on a directory object collection`);
  throw graphErrors.badRequest(`Invalid object identifier '${value}'.`);
}

/** Alternate keys of microsoft.graph.application in the v1.0 CSDL. */
const ALTERNATE_KEYS = ['appId', 'uniqueName'] as const;

export function applicationKey(segment: string): EntityKey {
  const key = parseKey(segment);
  if (key.kind === 'alternate' && !ALTERNATE_KEYS.some((k) => k.toLowerCase() === key.property.toLowerCase())) {
    throw graphErrors.badRequest(`The key property '${key.property}' is not an alternate key of type 'microsoft.graph.application'.`);
  }
  return key;
}

function matches(app: Application, key: EntityKey): boolean {
  if (key.kind === 'id') return app.id?.toLowerCase() === key.value.toLowerCase();
  const actual = key.property.toLowerCase() === 'appid' ? app.appId : app.uniqueName;
  return typeof actual === 'string' && actual.toLowerCase() === key.value.toLowerCase();
}

/**
 * The application as a read replica sees it now, or undefined. A just-created app is not there yet, so
 * GET/PATCH/DELETE/addPassword right after POST answer 404 like real Graph (reference/graph-api.md §5.1).
 */
export function findVisibleApplication(tenant: Tenant, key: EntityKey): Application | undefined {
  if (key.kind === 'id') {
    checkObjectId(key.value);
    const app = tenant.applications.visible(key.value);
    if (app) return app;
  }
  if (key.kind === 'alternate') {
    // Indexed: an upsert or read by alternate key must not scan the tenant (issue 13).
    const app = key.property.toLowerCase() === 'appid' ? tenant.applications.byAppId(key.value) : tenant.applications.byUniqueName(key.value);
    return app && matches(app, key) ? app : undefined;
  }
  return undefined;
}

/** The application a request names (replica view), checked against the caller's access; else 404/403. */
export function requireApplication(ctx: GraphCtx, segment: string, access: 'read' | 'write'): Application {
  const key = applicationKey(segment);
  const app = findVisibleApplication(ctx.env.tenant, key);
  if (!app) throw graphErrors.notFound(key.value);
  assertAppAccess(ctx, app, access);
  return app;
}

/** The write master's copy of an application: writes apply on top of it, never on a stale replica. */
export function masterApplication(tenant: Tenant, id: string): Application {
  const app = tenant.applications.master(id);
  if (!app) throw graphErrors.notFound(id);
  return app;
}

const BROAD_READ = ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const BROAD_WRITE = ['Application.ReadWrite.All'];

/**
 * A caller holding only Application.ReadWrite.OwnedBy may manage just the apps it owns
 * (https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby). Limiting its
 * reads to owned apps too is UNCONFIRMED (the permission text only speaks of managing them).
 */
export function ownedByOnly(caller: Caller, access: 'read' | 'write'): boolean {
  return !hasAny(caller, access === 'read' ? BROAD_READ : BROAD_WRITE) && hasAny(caller, ['Application.ReadWrite.OwnedBy']);
}

export function isOwner(tenant: Tenant, appObjectId: string, caller: Caller): boolean {
  return tenant.applications.isOwner(appObjectId, caller.principalId);
}

export function assertAppAccess(ctx: GraphCtx, app: Application, access: 'read' | 'write'): void {
  if (ownedByOnly(ctx.caller, access) && !isOwner(ctx.env.tenant, app.id!, ctx.caller)) throw graphErrors.denied();
}
