import { randomUUID } from 'node:crypto';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { GraphCtx } from '../context.js';
import { graphErrors } from '../errors.js';
import { parseKey } from '../router.js';
import type { Tenant } from '../store/index.js';
import { isOwner, ownedByOnly } from './app-access.js';
import { validateBody } from './validate-body.js';
import { checkObjectId } from './app-access.js';

/**
 * Service principal building blocks shared by the servicePrincipals, appRoleAssignments and
 * oauth2PermissionGrants routes: key lookup (replica view), creation from an application, and the
 * writable/read-only property split of `PATCH /servicePrincipals/{id}`.
 */

/**
 * Properties a client may set on POST/PATCH /servicePrincipals
 * (https://learn.microsoft.com/graph/api/serviceprincipal-update — "Request body" table).
 */
export const SP_WRITABLE = new Set([
  'accountEnabled',
  'alternativeNames',
  'appRoleAssignmentRequired',
  'customSecurityAttributes',
  'description',
  'displayName',
  'homepage',
  'info',
  'keyCredentials',
  'loginUrl',
  'logoutUrl',
  'notes',
  'notificationEmailAddresses',
  'preferredSingleSignOnMode',
  'preferredTokenSigningKeyThumbprint',
  'replyUrls',
  'samlSingleSignOnSettings',
  'servicePrincipalType',
  'tags',
  'tokenEncryptionKeyId',
]);

/**
 * Properties mirrored from the application. Sending the same value back is harmless; a different value
 * is refused with the text users report (MicrosoftDocs/azure-docs#78297). UNCONFIRMED code.
 */
const SP_MIRRORED = new Set(['appRoles', 'oauth2PermissionScopes', 'servicePrincipalNames']);

/** The SP a URL key segment (`{id}` or `(appId='…')`) names, as a read replica sees it; 404 otherwise. */
export function findServicePrincipal(tenant: Tenant, segment: string): ServicePrincipal {
  const key = parseKey(segment);
  if (key.kind === 'id') {
    checkObjectId(key.value);
    const sp = tenant.servicePrincipals.visible(key.value);
    if (!sp) throw graphErrors.notFound(key.value);
    return sp;
  }
  if (key.property !== 'appId') {
    // Only appId is an alternate key of servicePrincipal in v1.0 (CSDL: alternateKeys [appId]). UNCONFIRMED message.
    throw graphErrors.badRequest(`Property '${key.property}' is not an alternate key of type 'microsoft.graph.servicePrincipal'.`);
  }
  const sp = findVisibleByAppId(tenant, key.value);
  if (!sp) throw graphErrors.notFound(`appId=${key.value}`);
  return sp;
}

export function findVisibleByAppId(tenant: Tenant, appId: string): ServicePrincipal | undefined {
  return tenant.servicePrincipals.byAppId(appId);
}

/**
 * The application of an appId as the master holds it, but only once a replica can see it: SP creation
 * right after app creation fails with "does not reference a valid application object" (reference/graph-api.md §5.1).
 */
export function replicatedApplication(tenant: Tenant, appId: string): Application {
  const visible = tenant.applications.byAppId(appId);
  if (!visible) {
    throw graphErrors.badRequest(`The appId '${appId}' of the service principal does not reference a valid application object.`);
  }
  return tenant.applications.master(visible.id!)!;
}

export function duplicateSpError(appId: string) {
  // https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals; text from reliable-web-app-pattern-java#185.
  return graphErrors.conflict(`The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`);
}

/**
 * A new home-tenant SP for an application, as POST /servicePrincipals answers it
 * (https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals, response example).
 * Its stored `tags` are its own; reads add the application's (servicePrincipalView).
 */
export function buildServicePrincipal(tenant: Tenant, app: Application, body: Record<string, unknown>): ServicePrincipal {
  const sp: ServicePrincipal = {
    id: randomUUID(),
    deletedDateTime: null,
    accountEnabled: true,
    addIns: [],
    alternativeNames: [],
    appDescription: null,
    appDisplayName: app.displayName,
    appId: app.appId,
    applicationTemplateId: null,
    appOwnerOrganizationId: tenant.tenantId,
    appRoleAssignmentRequired: false,
    appRoles: structuredClone(app.appRoles ?? []),
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: app.displayName,
    homepage: app.web?.homePageUrl ?? null,
    info: structuredClone(app.info ?? null),
    keyCredentials: [],
    loginUrl: null,
    logoutUrl: app.web?.logoutUrl ?? null,
    notes: null,
    notificationEmailAddresses: [],
    oauth2PermissionScopes: structuredClone(app.api?.oauth2PermissionScopes ?? []),
    passwordCredentials: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: [],
    resourceSpecificApplicationPermissions: [],
    samlSingleSignOnSettings: null,
    servicePrincipalNames: [app.appId!, ...(app.identifierUris ?? [])],
    servicePrincipalType: 'Application',
    signInAudience: app.signInAudience,
    tags: [],
    tokenEncryptionKeyId: null,
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
  };
  return applyWritable(sp, body);
}

/**
 * The SP as Graph returns it. `tags` "is the union of strings set here and on the associated application
 * entity's tags property" (https://learn.microsoft.com/graph/api/resources/serviceprincipal, tags), so the
 * stored value keeps only the SP's own tags and every read adds the application's, as a replica sees them.
 * That the union is computed on read (an app tag removed later leaves the SP too) rather than copied once is
 * how the docs read; UNCONFIRMED by observation.
 */
export function servicePrincipalView(tenant: Tenant, sp: ServicePrincipal): ServicePrincipal {
  if (sp.appOwnerOrganizationId !== tenant.tenantId) return sp;
  const app = sp.appId ? tenant.applications.byAppId(sp.appId) : undefined;
  const appTags = app?.tags ?? [];
  if (appTags.length === 0) return sp;
  return { ...sp, tags: [...new Set([...(sp.tags ?? []), ...appTags])] };
}

/** Check a POST/PATCH body against the writable set; returns the SP with the body applied (a copy). */
export function applyWritable(sp: ServicePrincipal, body: Record<string, unknown>): ServicePrincipal {
  // Shape first (unknown properties, JSON kinds, GUIDs, enums), as Graph's OData reader does; then the SP rules.
  validateBody('servicePrincipal', body);
  const out = structuredClone(sp) as Record<string, unknown>;
  for (const [k, v] of Object.entries(body)) {
    if (k === '@odata.type') continue;
    if (k.endsWith('@odata.bind')) throw graphErrors.notImplemented(`${k} on servicePrincipals (SP owners are not modelled)`);
    if (k.includes('@')) continue; // other instance/property annotations carry no data
    if (k === 'appId') {
      if (typeof v !== 'string' || v.toLowerCase() !== String(sp.appId).toLowerCase()) throw readOnly(k);
      continue;
    }
    if (SP_MIRRORED.has(k)) {
      if (canonical(v) !== canonical(out[k])) {
        throw graphErrors.badRequest('One or more properties on the service principal does not match the application object.');
      }
      continue;
    }
    if (k === 'passwordCredentials') {
      // Same rule as applications: secrets come only from addPassword (reference/graph-api.md §1.3).
      throw graphErrors.badRequest('New password credentials must be generated using service actions.');
    }
    if (!SP_WRITABLE.has(k)) throw readOnly(k);
    if (k === 'customSecurityAttributes') {
      // Needs attribute definitions and CustomSecAttributeAssignment.ReadWrite.All, and is returned only on
      // $select (https://learn.microsoft.com/graph/api/serviceprincipal-get, example 3): not modelled.
      throw graphErrors.notImplemented('customSecurityAttributes on servicePrincipals');
    }
    out[k] = structuredClone(v);
  }
  return out as ServicePrincipal;
}

/** JSON with object keys sorted, so an echoed-back collection compares equal whatever its key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

// The directory's text for writing a read-only property; UNCONFIRMED for every property listed here.
const readOnly = (p: string) => graphErrors.badRequest(`Property '${p}' is read-only and cannot be set.`);

/**
 * Application.ReadWrite.OwnedBy only manages what the caller owns; Application.ReadWrite.All manages all.
 * https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby
 * SP ownership is modelled through the owners of the SP's application.
 */
export function assertCanManageApp(ctx: GraphCtx, appId: string | null | undefined): void {
  if (!ownedByOnly(ctx.caller, 'write')) return;
  const tenant = ctx.env.tenant;
  const app = tenant.applications.masters().find((a) => a.appId?.toLowerCase() === String(appId).toLowerCase());
  if (!app || !isOwner(tenant, app.id!, ctx.caller)) throw graphErrors.denied();
}

/** A JSON object body, or 400 as Graph answers for a missing/non-object payload. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw graphErrors.badRequest('Empty Payload. JSON content expected.');
  }
  return body as Record<string, unknown>;
}
