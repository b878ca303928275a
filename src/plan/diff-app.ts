import type {
  AppRole,
  Application,
  ImplicitGrantSettings,
  PermissionScope,
  PreAuthorizedApplication,
  RequiredResourceAccess,
} from '@microsoft/microsoft-graph-types';
import { APP_ID_PLACEHOLDER } from '../model/desired.js';
import type { LiveApplication } from '../model/live.js';
import type { PlanApplication } from './input.js';
import {
  canonOptionalClaims,
  canonRequiredResourceAccess,
  canonRole,
  canonRoles,
  canonScope,
  canonScopes,
  canonStrings,
  mergeTags,
  same,
} from './normalize.js';
import { appRef, type Change, type FieldChange } from './types.js';

export interface AppDiffInput {
  desired: PlanApplication;
  live?: LiveApplication;
  /** The permissions as Graph stores them; a new resource's appId is a `{appId:<ref>}` placeholder. */
  requiredResourceAccess: RequiredResourceAccess[];
  /** Ids of changes that create the resource apps named by placeholders. */
  resourceDeps: string[];
  /**
   * api.knownClientApplications and api.preAuthorizedApplications as Graph should store them (entries for
   * clients the stack does not manage kept; `{appId:<ref>}` for clients this plan creates, whose create changes
   * are `deps`). Absent: none.
   */
  clients?: { known: string[]; preAuthorized: PreAuthorizedApplication[]; deps: string[] };
}

type Field = {
  name: string;
  desired: unknown;
  live: unknown;
  canon: (v: unknown) => unknown;
  body: (v: unknown) => Record<string, unknown>;
  /** Left out of the create body while it is Graph's default (platforms a daemon or an API does not use). */
  defaulted?: boolean;
};

/**
 * Plan the application object. A new app is upserted by uniqueName; what needs its own appId
 * (identifierUris `api://{appId}`) or a new resource's appId is configured in a second write
 * (reference/anchors.md §3.13). Changing or removing an enabled role/scope is preceded by a write
 * that disables it (§3.9, CannotDeleteOrUpdateEnabledEntitlement).
 */
export function diffApplication(input: AppDiffInput): Change[] {
  const { desired: d, live } = input;
  const ref = appRef(d.stack, d.key);
  const id = ref;
  const app = live?.app;
  const appId = app?.appId ?? undefined;

  const fields: Field[] = [
    scalar('displayName', d.displayName, app?.displayName),
    scalar('description', d.description ?? null, app?.description),
    scalar('signInAudience', d.signInAudience, app?.signInAudience),
    {
      name: 'api.requestedAccessTokenVersion',
      desired: d.requestedAccessTokenVersion,
      live: app?.api?.requestedAccessTokenVersion ?? null,
      canon: orNull,
      body: TOKEN_VERSION_BODY,
    },
    { name: 'appRoles', desired: d.appRoles, live: app?.appRoles, canon: CANON_ROLES, body: ROLES_BODY },
    { name: 'api.oauth2PermissionScopes', desired: d.oauth2PermissionScopes, live: app?.api?.oauth2PermissionScopes, canon: CANON_SCOPES, body: SCOPES_BODY },
    { name: 'optionalClaims', desired: d.optionalClaims, live: app?.optionalClaims, canon: CANON_CLAIMS, body: CLAIMS_BODY },
    { name: 'tags', desired: mergeTags(app?.tags, [d.ownershipTag]), live: app?.tags, canon: CANON_STRINGS, body: TAGS_BODY },
    {
      name: 'web.implicitGrantSettings',
      desired: d.web.implicitGrantSettings,
      live: app?.web?.implicitGrantSettings,
      canon: CANON_IMPLICIT_GRANT,
      body: IMPLICIT_GRANT_BODY,
      defaulted: true,
    },
    { ...scalar('isFallbackPublicClient', d.isFallbackPublicClient, app?.isFallbackPublicClient), canon: orFalse, defaulted: true },
  ];
  const late: Field[] = [];
  // URI lists that may hold the app's own `{appId}`: written at creation when they do not, else in the
  // configure write once the appId exists (an existing app's appId is filled in here).
  const uriList = (name: string, desired: string[], live: string[] | null | undefined, body: (v: unknown) => Record<string, unknown>, defaulted = true) => {
    const field: Field = {
      name,
      desired: appId ? desired.map((u) => u.replaceAll(APP_ID_PLACEHOLDER, appId)) : desired,
      live,
      canon: CANON_STRINGS,
      body,
      defaulted,
    };
    (app || !desired.some((u) => u.includes(APP_ID_PLACEHOLDER)) ? fields : late).push(field);
  };
  uriList('identifierUris', d.identifierUris, app?.identifierUris, IDENTIFIER_URIS_BODY, false);
  uriList('spa.redirectUris', d.spa.redirectUris, app?.spa?.redirectUris, SPA_URIS_BODY);
  uriList('web.redirectUris', d.web.redirectUris, app?.web?.redirectUris, WEB_URIS_BODY);
  uriList('publicClient.redirectUris', d.publicClient.redirectUris, app?.publicClient?.redirectUris, PUBLIC_CLIENT_URIS_BODY);
  const rraField: Field = {
    name: 'requiredResourceAccess',
    desired: input.requiredResourceAccess,
    live: app?.requiredResourceAccess,
    canon: CANON_RRA,
    body: RRA_BODY,
  };
  const clients = input.clients ?? { known: [], preAuthorized: [], deps: [] };
  const knownField: Field = {
    name: 'api.knownClientApplications',
    desired: clients.known,
    live: app?.api?.knownClientApplications,
    canon: CANON_KNOWN_CLIENTS,
    body: KNOWN_CLIENTS_BODY,
    defaulted: true,
  };
  // Fields holding `{appId…}` placeholders wait until those appIds exist; apply substitutes them.
  (hasPlaceholder(clients.known) ? late : fields).push(knownField);
  (hasPlaceholder(input.requiredResourceAccess) ? late : fields).push(rraField);

  const changes: Change[] = [];
  if (!app) {
    const after = bodyOf(fields.filter((f) => !f.defaulted || !same(f.canon(f.desired), f.canon(undefined))));
    changes.push({
      id,
      action: 'create-application',
      app: ref,
      uniqueName: d.uniqueName,
      after: { uniqueName: d.uniqueName, ...after },
      wave: 0,
      dependsOn: [],
      reason: `application "${d.key}" does not exist`,
    });
  } else {
    const changed = fields.filter((f) => !same(f.canon(f.desired), f.canon(f.live)));
    if (changed.length) {
      const disable = entitlementsToDisable(app, d);
      const dependsOn: string[] = [];
      if (disable.roles.length || disable.scopes.length) {
        changes.push({
          id: `${id}#disable`,
          action: 'disable-entitlements',
          app: ref,
          uniqueName: d.uniqueName,
          roles: disable.roles,
          scopes: disable.scopes,
          after: disable.body,
          wave: 0,
          dependsOn: [],
          reason: 'enabled app roles/scopes must be disabled before they are changed or removed',
        });
        dependsOn.push(`${id}#disable`);
      }
      changes.push({
        id,
        action: 'update-application',
        app: ref,
        uniqueName: d.uniqueName,
        fields: changed.map((f) => fieldChange(f)),
        after: bodyOf(changed),
        wave: 0,
        dependsOn,
        reason: `${changed.map((f) => f.name).join(', ')} differ${changed.length === 1 ? 's' : ''} from the manifest`,
      });
    }
  }
  const lateChanged = late.filter((f) => !app || !same(f.canon(f.desired), f.canon(f.live)));
  if (lateChanged.length) {
    changes.push({
      id: `${id}#configure`,
      action: 'configure-application',
      app: ref,
      uniqueName: d.uniqueName,
      fields: lateChanged.map((f) => fieldChange(f)),
      after: bodyOf(lateChanged),
      wave: 0,
      dependsOn: [...new Set([...(app ? [] : [id]), ...input.resourceDeps, ...clients.deps])],
      reason: 'needs appIds that exist only after creation',
    });
  }
  const preAuth: Field = {
    name: 'api.preAuthorizedApplications',
    desired: clients.preAuthorized,
    live: app?.api?.preAuthorizedApplications,
    canon: CANON_PRE_AUTHORIZED,
    body: PRE_AUTHORIZED_BODY,
  };
  if (!same(preAuth.canon(preAuth.desired), preAuth.canon(preAuth.live))) {
    changes.push({
      id: `${id}#pre-authorize`,
      action: 'pre-authorize-applications',
      app: ref,
      uniqueName: d.uniqueName,
      fields: [fieldChange(preAuth)],
      after: bodyOf([preAuth]),
      wave: 0,
      // After every write of this application (the scopes it names), and after the clients it names exist.
      dependsOn: [...new Set([...changes.map((c) => c.id), ...clients.deps])],
      reason: 'pre-authorized clients differ from the manifest (written once the scopes exist)',
    });
  }
  return changes;
}

function canonPreAuthorized(list: PreAuthorizedApplication[] | null | undefined) {
  return (list ?? [])
    .map((p) => ({ appId: String(p.appId).toLowerCase(), ids: canonStrings((p.delegatedPermissionIds ?? []).map((x) => x.toLowerCase())) }))
    .sort((a, b) => a.appId.localeCompare(b.appId));
}

function scalar(name: string, desired: unknown, live: unknown): Field {
  return { name, desired: desired ?? null, live: live ?? null, canon: orNull, body: (v) => ({ [name]: v }) };
}

// The fields' canonical forms and bodies, made once instead of once per application and plan (a fleet has thousands).
const orNull = (v: unknown) => v ?? null;
const orFalse = (v: unknown) => v ?? false;
const CANON_ROLES = (v: unknown) => canonRoles(v as AppRole[]);
const CANON_SCOPES = (v: unknown) => canonScopes(v as PermissionScope[]);
const CANON_CLAIMS = (v: unknown) => canonOptionalClaims(v as never);
const CANON_STRINGS = (v: unknown) => canonStrings(v as string[]);
const CANON_RRA = (v: unknown) => canonRequiredResourceAccess(v as RequiredResourceAccess[]);
const CANON_KNOWN_CLIENTS = (v: unknown) => canonStrings(((v as string[] | null) ?? []).map((x) => x.toLowerCase()));
const CANON_PRE_AUTHORIZED = (v: unknown) => canonPreAuthorized(v as PreAuthorizedApplication[] | null);
const CANON_IMPLICIT_GRANT = (v: unknown) => {
  const g = v as ImplicitGrantSettings | null | undefined;
  return { enableIdTokenIssuance: g?.enableIdTokenIssuance ?? false, enableAccessTokenIssuance: g?.enableAccessTokenIssuance ?? false };
};
const TOKEN_VERSION_BODY = (v: unknown) => ({ api: { requestedAccessTokenVersion: v } });
const ROLES_BODY = (v: unknown) => ({ appRoles: v });
const SCOPES_BODY = (v: unknown) => ({ api: { oauth2PermissionScopes: v } });
const CLAIMS_BODY = (v: unknown) => ({ optionalClaims: v });
const TAGS_BODY = (v: unknown) => ({ tags: v });
const IMPLICIT_GRANT_BODY = (v: unknown) => ({ web: { implicitGrantSettings: v } });
const IDENTIFIER_URIS_BODY = (v: unknown) => ({ identifierUris: v });
const SPA_URIS_BODY = (v: unknown) => ({ spa: { redirectUris: v } });
const WEB_URIS_BODY = (v: unknown) => ({ web: { redirectUris: v } });
const PUBLIC_CLIENT_URIS_BODY = (v: unknown) => ({ publicClient: { redirectUris: v } });
const RRA_BODY = (v: unknown) => ({ requiredResourceAccess: v });
const KNOWN_CLIENTS_BODY = (v: unknown) => ({ api: { knownClientApplications: v } });
const PRE_AUTHORIZED_BODY = (v: unknown) => ({ api: { preAuthorizedApplications: v } });

function fieldChange(f: Field): FieldChange {
  return { field: f.name, before: f.live ?? null, after: f.desired };
}

/** Merge field bodies; parts of one complex property (`api`, `web`) combine into one object. */
function bodyOf(fields: Field[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    for (const [k, v] of Object.entries(f.body(f.desired))) {
      const complex = v !== null && typeof v === 'object' && !Array.isArray(v);
      out[k] = complex ? { ...((out[k] as object) ?? {}), ...(v as object) } : v;
    }
  }
  return out;
}

/**
 * Live roles/scopes that are enabled and would be removed or changed: they must first be written back
 * with isEnabled=false (TF azuread applicationDisableAppRoles counts a change of allowedMemberTypes,
 * description, displayName or value; for scopes any difference).
 */
export function entitlementsToDisable(live: Application, d: PlanApplication): { roles: string[]; scopes: string[]; body: Record<string, unknown> } {
  const wantRoles = new Map(d.appRoles.map((r) => [String(r.id).toLowerCase(), canonRole(r)]));
  const wantScopes = new Map(d.oauth2PermissionScopes.map((p) => [String(p.id).toLowerCase(), canonScope(p)]));
  const roles: string[] = [];
  const scopes: string[] = [];
  const liveRoles = (live.appRoles ?? []).map((r) => {
    const c = canonRole(r);
    const want = wantRoles.get(c.id);
    const mustDisable = c.isEnabled && (!want || !same({ ...want, isEnabled: true }, c));
    if (mustDisable) roles.push(r.value ?? c.id);
    return mustDisable ? { ...r, isEnabled: false } : r;
  });
  const liveScopes = (live.api?.oauth2PermissionScopes ?? []).map((p) => {
    const c = canonScope(p);
    const want = wantScopes.get(c.id);
    const mustDisable = c.isEnabled && (!want || !same({ ...want, isEnabled: true }, c));
    if (mustDisable) scopes.push(p.value ?? c.id);
    return mustDisable ? { ...p, isEnabled: false } : p;
  });
  const body: Record<string, unknown> = {};
  if (roles.length) body.appRoles = liveRoles;
  if (scopes.length) body.api = { oauth2PermissionScopes: liveScopes };
  return { roles, scopes, body };
}

/** True when a value still holds an `{appId}` / `{appId:<ref>}` placeholder that apply must fill in. */
export function hasPlaceholder(v: unknown): boolean {
  return JSON.stringify(v ?? null).includes('{appId');
}
