import { randomUUID } from 'node:crypto';
import type { Application, KeyCredential, PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { GraphCtx } from '../context.js';
import { graphErrors } from '../errors.js';
import type { Tenant } from '../store/index.js';
import { checkEnabledEntitlementChanges, checkPreAuthorizedApplications, normalizeAppRoles, normalizeScopes, validateEntitlements } from './entitlements.js';
import { validateIdentifierUris } from './identifier-uris.js';
import { validateRedirectUris } from './redirect-uris.js';
import { normalizeKeyCredentials } from './key-credentials.js';
import { validateBody } from './validate-body.js';

/**
 * Building and changing application objects: POST /applications, PATCH (incl. upsert) and their rules.
 * https://learn.microsoft.com/graph/api/application-post-applications, https://learn.microsoft.com/graph/api/application-update,
 * https://learn.microsoft.com/graph/api/application-upsert.
 */

type Body = Record<string, unknown>;

export const SIGN_IN_AUDIENCES = ['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];
const PERSONAL = ['AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];
/** What POST /applications stores when the body names no signInAudience (see defaultApplication). */
export const DEFAULT_SIGN_IN_AUDIENCE = 'AzureADandPersonalMicrosoftAccount';

/** Server-maintained properties: a write may repeat the current value (read-modify-write) but not change it. */
const READ_ONLY = ['id', 'appId', 'createdDateTime', 'deletedDateTime', 'publisherDomain', 'disabledByMicrosoftStatus'];

const invalid = (property: string) => graphErrors.badRequest(`Invalid value specified for property '${property}' of resource 'Application'.`);

/** The object POST /applications returns before the body is applied (shape of the docs' 201 sample). */
function defaultApplication(ctx: GraphCtx): Application {
  const app: Record<string, unknown> = {
    id: randomUUID(),
    deletedDateTime: null,
    appId: randomUUID(),
    applicationTemplateId: null,
    createdDateTime: ctx.env.clock.iso(),
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: null,
    groupMembershipClaims: null,
    identifierUris: [],
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: null,
    notes: null,
    publisherDomain: initialDomain(ctx.env.tenant),
    serviceManagementReference: null,
    // Microsoft Graph's default is multi-tenant + personal accounts (unlike AAD Graph and the portal, which
    // default to AzureADMyOrg): the create sample answers `{"displayName"}` with AzureADandPersonalMicrosoftAccount
    // and requestedAccessTokenVersion 2 (https://learn.microsoft.com/graph/api/application-post-applications),
    // confirmed by a Microsoft PM in microsoft-graph-docs-contrib#3916 and seen in azure-cli#25881,
    // msgraph-sdk-raptor#467. (The newer resource page's "AzureADMyOrg (default)" contradicts them.)
    signInAudience: DEFAULT_SIGN_IN_AUDIENCE,
    tags: [],
    tokenEncryptionKeyId: null,
    uniqueName: null,
    samlMetadataUrl: null,
    defaultRedirectUri: null,
    certification: null,
    optionalClaims: null,
    addIns: [],
    api: {
      acceptMappedClaims: null,
      knownClientApplications: [],
      requestedAccessTokenVersion: null,
      oauth2PermissionScopes: [],
      preAuthorizedApplications: [],
    },
    appRoles: [],
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    keyCredentials: [],
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
    passwordCredentials: [],
    publicClient: { redirectUris: [] },
    requiredResourceAccess: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    web: {
      homePageUrl: null,
      logoutUrl: null,
      redirectUris: [],
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
      redirectUriSettings: [],
    },
    spa: { redirectUris: [] },
  };
  return app as Application;
}

export function initialDomain(tenant: Tenant): string {
  const domains = tenant.organization().verifiedDomains ?? [];
  return (domains.find((d) => d.isInitial) ?? domains[0])?.name ?? 'unknown.onmicrosoft.com';
}

const isPlainObject = (v: unknown): v is Body => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * PATCH semantics: omitted properties keep their values, collections are replaced wholesale
 * (https://learn.microsoft.com/graph/api/application-update), and complex values such as `api` or `web`
 * are merged property by property (OData 4.01 §11.4.3: nested complex values are updated with PATCH
 * semantics), so `{"api":{"requestedAccessTokenVersion":2}}` keeps the scopes.
 */
function mergeInto(target: Body, patch: Body): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key.includes('@')) continue;
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) mergeInto(current, value);
    else target[key] = structuredClone(value);
  }
}

const hasTokenVersion = (body: Body) => isPlainObject(body.api) && 'requestedAccessTokenVersion' in body.api;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function checkReadOnly(body: Body, current: Application | undefined): void {
  for (const p of READ_ONLY) {
    if (!(p in body)) continue;
    const cur = current ? (current as Body)[p] : undefined;
    const unchanged =
      current !== undefined && typeof body[p] === 'string' && typeof cur === 'string' ? body[p].toLowerCase() === cur.toLowerCase() : sameJson(body[p], cur);
    // Message pattern of the directory for read-only properties; exact text UNCONFIRMED.
    if (!unchanged) throw graphErrors.badRequest(`Property '${p}' is read-only and cannot be set.`);
  }
}

/**
 * passwordCredentials can't be written by POST/PATCH: "New password credentials must be generated using
 * service actions." (msgraph-bicep-types#38, ansible-collections/azure#1372). Repeating the current list
 * (read-modify-write) is harmless. The error code is UNCONFIRMED.
 */
function checkPasswordCredentials(body: Body, current: PasswordCredential[]): void {
  if (!('passwordCredentials' in body)) return;
  const sent = (body.passwordCredentials as PasswordCredential[] | null) ?? [];
  const ids = (list: PasswordCredential[]) =>
    list
      .map((p) => String(p.keyId).toLowerCase())
      .sort()
      .join(',');
  if (ids(sent) !== ids(current) || sent.some((p) => p.secretText)) {
    throw graphErrors.badRequest('New password credentials must be generated using service actions.');
  }
}

export interface WriteInput {
  ctx: GraphCtx;
  body: Body;
  /** What a read replica shows now (undefined on create): the basis of the enabled-entitlement rule. */
  visible?: Application;
  /** The write master's current value (undefined on create). */
  master?: Application;
  /** The URL's uniqueName key, for upsert. */
  uniqueNameKey?: string;
}

/** Apply a POST/PATCH body; returns the application to store. Throws GraphFault for every rule it breaks. */
export function applyApplicationWrite(input: WriteInput): Application {
  const { ctx, body, visible, master } = input;
  const creating = !master;
  validateBody('application', body);
  // In the v1.0 schema, but writing it through v1.0 fails with this 404 (reference/graph-api.md §1.3:
  // terraform-provider-azuread sets it through beta, citing microsoftgraph/msgraph-metadata#273).
  if ('oauth2RequirePostResponse' in body) throw graphErrors.notFound('');
  checkReadOnly(body, master);
  checkPasswordCredentials(body, master?.passwordCredentials ?? []);
  if (creating || 'displayName' in body) {
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '') throw invalid('displayName');
  }
  const base = (master ? structuredClone(master) : defaultApplication(ctx)) as Body;
  const patch: Body = { ...body };
  delete patch.passwordCredentials;
  for (const p of READ_ONLY) delete patch[p];
  mergeInto(base, patch);
  const next = base as Application;

  // The defaulted audience comes with v2 tokens, as in the create sample (personal accounts need them). A body
  // that names a personal audience but no token version keeps null and fails checkAudience below: whether
  // the server fills in 2 there too is UNCONFIRMED, so the emulator stays strict.
  if (creating && next.api && !('signInAudience' in body) && !hasTokenVersion(body)) next.api.requestedAccessTokenVersion = 2;
  if (next.appRoles) next.appRoles = normalizeAppRoles(next.appRoles);
  if (next.api?.oauth2PermissionScopes) next.api.oauth2PermissionScopes = normalizeScopes(next.api.oauth2PermissionScopes);
  if ('keyCredentials' in body)
    next.keyCredentials = normalizeKeyCredentials((body.keyCredentials as KeyCredential[] | null) ?? [], master?.keyCredentials ?? []);

  checkUniqueName(ctx.env.tenant, body, master, input.uniqueNameKey, next);
  const personalAccounts = PERSONAL.includes(next.signInAudience ?? '');
  checkAudience(next, personalAccounts);
  if ('identifierUris' in body) {
    validateIdentifierUris(next.identifierUris ?? [], {
      appId: next.appId!,
      tenantId: ctx.env.tenant.tenantId,
      verifiedDomains: ctx.env.tenant.verifiedDomains(),
      personalAccounts,
      existing: master?.identifierUris ?? [],
      others: [...ctx.env.tenant.applications.masters(), ...ctx.env.tenant.deletedItems.applications()].filter((a) => a.id !== next.id),
    });
  }
  validateRedirectUris(next, (platform) => creating || platform in body || (personalAccounts && 'signInAudience' in body), personalAccounts);
  const api = isPlainObject(body.api) ? body.api : {};
  const touched = { appRoles: 'appRoles' in body, scopes: 'oauth2PermissionScopes' in api };
  if (touched.appRoles || touched.scopes || creating) validateEntitlements(next, { personalAccounts });
  checkEnabledEntitlementChanges(visible, next, touched);
  if ('preAuthorizedApplications' in api) checkPreAuthorizedApplications(visible, next.api?.preAuthorizedApplications ?? []);
  return next;
}

/**
 * uniqueName: an alternate key, settable once (on create, by upsert, or by PATCH while it is null) and then
 * immutable (https://learn.microsoft.com/graph/api/application-update, concept-uniquely-named-resources).
 * Unique in the tenant, soft-deleted apps included (anchors.md §3.17: 400 Request_BadRequest, not 409).
 * Codes for a change attempt and a key/body mismatch are UNCONFIRMED.
 */
function checkUniqueName(tenant: Tenant, body: Body, master: Application | undefined, urlKey: string | undefined, next: Application): void {
  const sent = 'uniqueName' in body ? (body.uniqueName as string | null) : undefined;
  if (urlKey !== undefined && sent !== undefined && sent?.toLowerCase() !== urlKey.toLowerCase()) {
    throw graphErrors.badRequest(`The value of property 'uniqueName' in the request body does not match the key '${urlKey}' in the request URL.`);
  }
  const current = master?.uniqueName ?? null;
  const wanted = sent !== undefined ? sent : (urlKey ?? current);
  if (current !== null) {
    if (wanted?.toLowerCase() !== current.toLowerCase()) throw graphErrors.badRequest("Property 'uniqueName' is immutable once it is set.");
    next.uniqueName = current;
    return;
  }
  next.uniqueName = wanted ?? null;
  if (wanted === null || wanted === undefined) return;
  if (wanted.trim() === '') throw invalid('uniqueName');
  const lower = wanted.toLowerCase();
  const deleted = tenant.deletedItems.list('application').map((d) => d.value as Application);
  const taken = [...tenant.applications.masters(), ...deleted].some((a) => a.id !== next.id && a.uniqueName?.toLowerCase() === lower);
  if (taken) throw graphErrors.badRequest('Another object with the same value for property uniqueName already exists.');
}

/**
 * signInAudience values, and: personal Microsoft accounts need v2 access tokens
 * (https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation). Error text UNCONFIRMED.
 */
function checkAudience(next: Application, personalAccounts: boolean): void {
  if (!SIGN_IN_AUDIENCES.includes(next.signInAudience ?? '')) throw invalid('signInAudience');
  const version = next.api?.requestedAccessTokenVersion ?? null;
  if (version !== null && version !== 1 && version !== 2) throw graphErrors.badRequest('Property api.requestedAccessTokenVersion is invalid.');
  if (personalAccounts && version !== 2) throw graphErrors.badRequest('Property api.requestedAccessTokenVersion is invalid.');
}

/**
 * `owners@odata.bind` on create (https://learn.microsoft.com/graph/api/application-post-applications example 2):
 * `https://graph.microsoft.com/v1.0/directoryObjects/{id}` for service principals in this tenant.
 */
export function ownersFromBind(tenant: Tenant, body: Body): string[] {
  const raw = body['owners@odata.bind'];
  if (raw === undefined) return [];
  const refs = Array.isArray(raw) ? (raw as string[]) : [raw as string];
  return refs.map((ref) => {
    const id = /([0-9a-f-]{36})['")]*\/?$/i.exec(ref)?.[1];
    if (!id || !tenant.servicePrincipals.visible(id)) throw graphErrors.notFound(id ?? '');
    return id;
  });
}

/** Navigation binds other than owners on create are not modelled. */
export function rejectOtherBinds(body: Body, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (key.endsWith('@odata.bind') && !allowed.includes(key)) throw graphErrors.notImplemented(`'${key}' on applications`);
  }
}
