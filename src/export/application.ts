/**
 * One live application → one manifest application: every property tenantform manages, in the form whose
 * normalized desired state the planner compares as "no change" (plan/diff-app.ts, diff-sp.ts), defaults
 * left out so the file reads like a hand-written one.
 */
import { APP_ID_PLACEHOLDER, ownerOf, SIGN_IN_AUDIENCES, uniqueNameFor } from '../model/desired.js';
import type { ExportedApplication } from '../model/export.js';
import { exportPermissions } from './access.js';
import { exportClients } from './clients.js';
import { lower, Notes, type ExportContext } from './context.js';
import { exportCredentials } from './credentials.js';
import { exportAppRoles, exportOptionalClaims, exportScopes } from './entitlements.js';
import { reportUnmanaged } from './unmanaged.js';

export interface ExportedApp {
  key: string;
  appId: string;
  objectId: string;
  displayName: string;
  /** The manifest application (plain data, key order as written). */
  body: Record<string, unknown>;
  notes: Notes;
  /** `tenantform import` would take it into the stack: no other uniqueName, no other stack's tag. */
  adoptable: boolean;
}

export function exportApplication(ctx: ExportContext, a: ExportedApplication): ExportedApp {
  const app = a.app;
  const appId = lower(app.appId);
  const key = ctx.keys.get(appId)!;
  const notes = new Notes(key);
  notes.header.push(`${app.displayName} (appId ${appId})`);
  const adoptable = checkAdoptable(ctx.stack, key, a, notes);
  // The app's own appId becomes {appId}, which the planner fills in again: the manifest then works for a copy too.
  const own = (u: string) => u.split(String(app.appId)).join(APP_ID_PLACEHOLDER);
  const body: Record<string, unknown> = { displayName: app.displayName };
  if (app.description) body.description = app.description;
  if (app.signInAudience !== 'AzureADMyOrg') {
    if ((SIGN_IN_AUDIENCES as readonly string[]).includes(String(app.signInAudience))) body.signInAudience = app.signInAudience;
    else notes.warn(`has signInAudience ${JSON.stringify(app.signInAudience)}, which tenantform does not manage: the next apply sets AzureADMyOrg`);
  }
  const identifierUris = (app.identifierUris ?? []).map(own);
  if (identifierUris.length) body.identifierUris = identifierUris;
  const scopes = exportScopes(app.api?.oauth2PermissionScopes, { stack: ctx.stack, key, notes });
  const appRoles = exportAppRoles(app.appRoles, { stack: ctx.stack, key, notes });
  const api: Record<string, unknown> = {};
  const version = tokenVersion(a, identifierUris.length + scopes.length + appRoles.length > 0, notes);
  if (version !== 2) api.requestedAccessTokenVersion = version;
  const clients = exportClients(ctx, app, notes);
  if (clients.known.length) api.knownClientApplications = clients.known;
  if (clients.preAuthorized.length) api.preAuthorizedApplications = clients.preAuthorized;
  if (Object.keys(api).length) body.api = api;
  if (scopes.length) body.scopes = scopes;
  if (appRoles.length) body.appRoles = appRoles;
  const optionalClaims = exportOptionalClaims(app.optionalClaims);
  if (optionalClaims) body.optionalClaims = optionalClaims;
  const sp = servicePrincipal(a, notes);
  if (sp) body.servicePrincipal = sp;
  const uris = (list: string[] | null | undefined) => (list ?? []).map(own);
  if (uris(app.spa?.redirectUris).length) body.spa = { redirectUris: uris(app.spa?.redirectUris) };
  const grant = app.web?.implicitGrantSettings;
  const implicit = {
    ...(grant?.enableIdTokenIssuance ? { enableIdTokenIssuance: true } : {}),
    ...(grant?.enableAccessTokenIssuance ? { enableAccessTokenIssuance: true } : {}),
  };
  if (uris(app.web?.redirectUris).length || Object.keys(implicit).length) {
    body.web = {
      ...(uris(app.web?.redirectUris).length ? { redirectUris: uris(app.web?.redirectUris) } : {}),
      ...(Object.keys(implicit).length ? { implicitGrantSettings: implicit } : {}),
    };
  }
  if (uris(app.publicClient?.redirectUris).length) body.publicClient = { redirectUris: uris(app.publicClient?.redirectUris) };
  if (app.isFallbackPublicClient) body.isFallbackPublicClient = true;
  const credentials = exportCredentials({ secrets: app.passwordCredentials ?? [], keys: app.keyCredentials ?? [], fics: a.federatedCredentials, notes });
  if (credentials.secrets.length) body.secrets = credentials.secrets;
  if (credentials.certificates.length) body.certificates = credentials.certificates;
  if (credentials.federatedCredentials.length) body.federatedCredentials = credentials.federatedCredentials;
  const permissions = exportPermissions(ctx, a, notes);
  if (permissions.length) body.permissions = permissions;
  reportUnmanaged(ctx, a, notes);
  return { key, appId, objectId: String(app.id), displayName: String(app.displayName), body, notes, adoptable };
}

/**
 * Graph stores null until a token version is set, and null means v1 tokens; tenantform always writes one (the
 * manifest has no null). An app that publishes an API keeps v1 (`1`); one that publishes nothing gets the
 * default 2, which changes no token anyone asks for. Either way the next apply writes it: reported.
 */
function tokenVersion(a: ExportedApplication, publishes: boolean, notes: Notes): 1 | 2 {
  const v = a.app.api?.requestedAccessTokenVersion;
  if (v === 1 || v === 2) return v;
  if (v !== null && v !== undefined) notes.warn(`has api.requestedAccessTokenVersion ${JSON.stringify(v)}; the manifest says 2`);
  else {
    notes.warn(
      publishes
        ? 'has no api.requestedAccessTokenVersion (null: v1 tokens); the manifest says 1, which the next apply writes (same tokens)'
        : 'has no api.requestedAccessTokenVersion (null); it publishes no API, so the manifest keeps the default 2, which the next apply writes',
    );
  }
  return publishes ? 1 : 2;
}

/** appRoleAssignmentRequired and the SP's own tags (Graph copies the app's tags to a new SP: those are not the SP's). */
function servicePrincipal(a: ExportedApplication, notes: Notes): Record<string, unknown> | undefined {
  const sp = a.servicePrincipal;
  if (!sp) {
    notes.warn('has no service principal: tenantform always manages one, so the next apply creates it');
    return undefined;
  }
  const appTags = new Set(a.app.tags ?? []);
  const tags = (sp.tags ?? []).filter((t) => !t.startsWith('tenantform:') && !appTags.has(t));
  const out = { ...(sp.appRoleAssignmentRequired ? { appRoleAssignmentRequired: true } : {}), ...(tags.length ? { tags } : {}) };
  return Object.keys(out).length ? out : undefined;
}

/** What `tenantform import` would refuse, said up front: another uniqueName (never changes) or another stack's tag. */
function checkAdoptable(stack: string, key: string, a: ExportedApplication, notes: Notes): boolean {
  const owner = ownerOf(a.app.tags);
  const target = uniqueNameFor(stack, key);
  let ok = true;
  // An app of another stack carries that stack's uniqueName too: one warning says both.
  const ofOwner = !!owner && lower(a.app.uniqueName).startsWith(`${owner}--`);
  if (a.app.uniqueName && lower(a.app.uniqueName) !== lower(target) && !ofOwner) {
    notes.warn(
      `has uniqueName ${a.app.uniqueName}, which Graph never changes: it cannot be adopted into stack ${stack} (use this file as a template, or export into the stack that name belongs to)`,
    );
    ok = false;
  }
  if (owner && owner !== stack) {
    notes.warn(`belongs to stack "${owner}": it cannot be adopted into stack ${stack}; this file can serve as a template for a new stack or tenant`);
    ok = false;
  }
  return ok;
}
