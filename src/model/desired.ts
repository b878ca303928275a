/**
 * The desired state: what the manifests ask for, validated and normalized. This is what graph/, plan/,
 * apply/ and outputs/ consume. It is plain data (JSON round-trippable: no classes, Maps, Dates or
 * undefined-vs-missing distinctions that matter), so plans can embed it and tests can build it with
 * test/helpers/builders.ts.
 *
 * Conventions
 * - Every list is in manifest order, and every default is filled in: consumers never re-apply defaults.
 * - GUIDs are lowercase.
 * - `location` fields point into the manifest, for error messages at plan/apply time.
 * - Nothing here is secret. Secret *values* never enter the model; `secrets` only names credentials.
 */
import { v5 as uuidv5 } from 'uuid';
import type { SourceLocation } from '../errors.js';

/** Who can sign in; https://learn.microsoft.com/graph/api/resources/application (signInAudience). */
export const SIGN_IN_AUDIENCES = [
  'AzureADMyOrg',
  'AzureADMultipleOrgs',
  'AzureADandPersonalMicrosoftAccount',
  'PersonalMicrosoftAccount',
] as const;

export type SignInAudience = (typeof SIGN_IN_AUDIENCES)[number];

/** Audiences that include personal Microsoft accounts: stricter rules (token v2, shorter URIs and scopes). */
export function includesPersonalAccounts(audience: SignInAudience): boolean {
  return audience === 'AzureADandPersonalMicrosoftAccount' || audience === 'PersonalMicrosoftAccount';
}

export interface DesiredStack {
  /** Stack name: [a-z0-9] words joined by single hyphens, ≤ 40 chars. Namespace and ownership. */
  name: string;
  /** The manifest file, as the user named it. */
  file: string;
  applications: DesiredApplication[];
  outputs: DesiredOutput[];
  /** Every declared variable with its resolved value (from --var, TENANTFORM_VAR_<name> or default). */
  variables: Record<string, string>;
}

/** Graph appRole, in the shape we PATCH (minus `origin`, which is read-only). */
export interface DesiredAppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: Array<'Application' | 'User'>;
  isEnabled: boolean;
}

/** Graph permissionScope (api.oauth2PermissionScopes), minus the read-only `origin`. */
export interface DesiredScope {
  id: string;
  value: string;
  /** Who may consent: 'Admin' (admins only) or 'User' (users and admins). */
  type: 'Admin' | 'User';
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName: string | null;
  userConsentDescription: string | null;
  isEnabled: boolean;
}

/** Graph optionalClaim; https://learn.microsoft.com/graph/api/resources/optionalclaim */
export interface DesiredOptionalClaim {
  name: string;
  /** null for built-in claims; 'user' for directory extension attributes. */
  source: string | null;
  essential: boolean;
  additionalProperties: string[];
}

/**
 * Always the full Graph shape. A live application often reads `optionalClaims: null`; the planner should
 * treat null as equal to three empty lists, so an app without optional claims plans no change.
 */
export interface DesiredOptionalClaims {
  accessToken: DesiredOptionalClaim[];
  idToken: DesiredOptionalClaim[];
  saml2Token: DesiredOptionalClaim[];
}

export interface DesiredServicePrincipal {
  appRoleAssignmentRequired: boolean;
  /** The user's tags, without the ownership tag; see servicePrincipalTags(). */
  tags: string[];
}

export interface DesiredSecret {
  /** Unique within the application; becomes the passwordCredential displayName (see secretDisplayName()). */
  name: string;
  /** The lifetime as written (e.g. '180d'), for display. */
  lifetime: string;
  lifetimeMs: number;
}

/** The resource API of a permission. */
export type DesiredApiRef =
  /** An application of the same stack, by its key. Its roles/scopes were checked at validate time. */
  | { kind: 'stack'; key: string }
  /**
   * An API that already exists in the tenant, resolved against the live tenant's service principals
   * (never a bundled list): by appId when `match` is 'appId', else by exact displayName (e.g. "Microsoft Graph").
   */
  | { kind: 'tenant'; name: string; match: 'appId' | 'displayName' };

export interface DesiredPermission {
  api: DesiredApiRef;
  /** App role values (application permissions). With adminConsent they become app role assignments. */
  roles: string[];
  /** Scope values (delegated permissions). With adminConsent they become an AllPrincipals oauth2PermissionGrant. */
  scopes: string[];
  adminConsent: boolean;
  location: SourceLocation;
}

export interface DesiredApplication {
  /** Logical name in the manifest (the key under `applications:`). */
  key: string;
  /** Graph's immutable alternate key; see uniqueNameFor(). */
  uniqueName: string;
  /** Placed on the application and its service principal; see ownershipTagFor(). */
  ownershipTag: string;
  displayName: string;
  description: string | null;
  signInAudience: SignInAudience;
  /** Templates: may contain APP_ID_PLACEHOLDER, substituted with identifierUrisFor() once the appId is known. */
  identifierUris: string[];
  /** Defaults to 2. (Graph's own default is null = v1; we always manage it explicitly.) */
  requestedAccessTokenVersion: 1 | 2;
  appRoles: DesiredAppRole[];
  oauth2PermissionScopes: DesiredScope[];
  optionalClaims: DesiredOptionalClaims;
  servicePrincipal: DesiredServicePrincipal;
  secrets: DesiredSecret[];
  permissions: DesiredPermission[];
  location: SourceLocation;
}

export type OutputFormat = 'dotenv' | 'json';

/** What a `${...}` in an output value refers to. Resolved from the live tenant after apply. */
export type OutputRef =
  | { kind: 'tenant'; field: 'id' | 'subdomain' | 'authority' }
  | { kind: 'appId'; app: string }
  /** The application's first identifier URI with its appId substituted. */
  | { kind: 'identifierUri'; app: string }
  /** The secret value of the named client secret (sensitive). `${apps.x.secret}` is normalized to its only secret. */
  | { kind: 'secret'; app: string; secret: string };

/** A parsed template: literal text and references, in order. */
export type TemplatePart = { text: string } | { ref: OutputRef };

export interface DesiredOutputValue {
  key: string;
  /** The template as written (after variable substitution), for display. */
  source: string;
  parts: TemplatePart[];
}

export interface DesiredOutput {
  /**
   * As written. Relative paths are relative to the current working directory of the command (like
   * Terraform's local_file), not to the manifest file.
   */
  path: string;
  format: OutputFormat;
  values: DesiredOutputValue[];
  /** True when any value references a secret: the file must be written with mode 0600. */
  sensitive: boolean;
  location: SourceLocation;
}

// ---------------------------------------------------------------------------------------------------
// Identity and ownership helpers

/** The placeholder for the application's own appId in identifierUris, e.g. `api://{appId}`. */
export const APP_ID_PLACEHOLDER = '{appId}';

/** Fixed namespace of tenantform's UUIDv5 ids. Never change it: every derived role/scope id depends on it. */
export const TENANTFORM_ID_NAMESPACE = '8f0c6d5e-3b0a-4a57-9d55-5e2f1c7a9b41';

export type IdKind = 'appRole' | 'scope';

/**
 * Stable id of an app role or scope that the manifest gives no id for: UUIDv5 of
 * `<stack>/<app>/<kind>/<value>`. The same manifest always yields the same ids, so re-applying never
 * churns roles (Graph requires a disable-then-remove dance for every id change). Changing a value yields a
 * new id, which is right: to Graph a role with another value is another permission.
 */
export function stableId(opts: { stack: string; app: string; kind: IdKind; value: string }): string {
  return uuidv5(`${opts.stack}/${opts.app}/${opts.kind}/${opts.value}`, TENANTFORM_ID_NAMESPACE);
}

/** Separator between stack and app key in a uniqueName. Stack names cannot contain it (single hyphens only). */
export const UNIQUE_NAME_SEPARATOR = '--';

/**
 * Graph `uniqueName` of an application: `<stack>--<key>`, e.g. `todolist-daemon--api`.
 * The identity of a managed application: upserted with `PATCH /applications(uniqueName='…')` +
 * `Prefer: create-if-missing`. Graph sets it once and never lets it change
 * (https://learn.microsoft.com/graph/api/application-upsert), so this rule must never change either.
 * Stack names are single-hyphen words, so the first `--` splits the name unambiguously and two stacks
 * can never derive the same uniqueName (with a single `-`, stack "a-b"/key "c" and stack "a"/key "b-c"
 * would collide).
 */
export function uniqueNameFor(stack: string, key: string): string {
  return `${stack}${UNIQUE_NAME_SEPARATOR}${key}`;
}

/** Inverse of uniqueNameFor(); undefined when the name was not made by tenantform. */
export function parseUniqueName(uniqueName: string): { stack: string; key: string } | undefined {
  const at = uniqueName.indexOf(UNIQUE_NAME_SEPARATOR);
  if (at <= 0) return undefined;
  const key = uniqueName.slice(at + UNIQUE_NAME_SEPARATOR.length);
  return key ? { stack: uniqueName.slice(0, at), key } : undefined;
}

export const OWNERSHIP_TAG_PREFIX = 'tenantform:stack=';

/** The ownership marker placed in `tags` of every application and service principal a stack creates. */
export function ownershipTagFor(stack: string): string {
  return `${OWNERSHIP_TAG_PREFIX}${stack}`;
}

/** The stack that owns an object, from its tags; undefined when it has no ownership tag. */
export function ownerOf(tags: readonly string[] | null | undefined): string | undefined {
  const tag = tags?.find((t) => t.startsWith(OWNERSHIP_TAG_PREFIX));
  return tag?.slice(OWNERSHIP_TAG_PREFIX.length);
}

/** Desired `tags` of the application object (only the ownership tag: app tags also show on its SP). */
export function applicationTags(app: Pick<DesiredApplication, 'ownershipTag'>): string[] {
  return [app.ownershipTag];
}

/** Desired `tags` of the service principal: the ownership tag, then the user's tags (deduplicated). */
export function servicePrincipalTags(app: Pick<DesiredApplication, 'ownershipTag' | 'servicePrincipal'>): string[] {
  return [...new Set([app.ownershipTag, ...app.servicePrincipal.tags])];
}

/** The identifier URIs with the placeholder replaced by the real appId. */
export function identifierUrisFor(app: Pick<DesiredApplication, 'identifierUris'>, appId: string): string[] {
  return app.identifierUris.map((u) => u.split(APP_ID_PLACEHOLDER).join(appId));
}

/** True when some identifier URI needs the appId, i.e. can only be written after the app exists. */
export function needsAppId(app: Pick<DesiredApplication, 'identifierUris'>): boolean {
  return app.identifierUris.some((u) => u.includes(APP_ID_PLACEHOLDER));
}

/** passwordCredential displayName of a managed secret; the name is how apply recognises its own secrets. */
export function secretDisplayName(secret: Pick<DesiredSecret, 'name'>): string {
  return `tenantform:${secret.name}`;
}

/** Every reference in a template, in order. */
export function templateRefs(parts: readonly TemplatePart[]): OutputRef[] {
  return parts.flatMap((p) => ('ref' in p ? [p.ref] : []));
}

/** Render a template with a resolver for its references (the resolver decides how to treat secrets). */
export function renderTemplate(parts: readonly TemplatePart[], resolve: (ref: OutputRef) => string): string {
  return parts.map((p) => ('ref' in p ? resolve(p.ref) : p.text)).join('');
}

/** The application of a stack with this key, or undefined. */
export function findApplication(stack: Pick<DesiredStack, 'applications'>, key: string): DesiredApplication | undefined {
  return stack.applications.find((a) => a.key === key);
}
