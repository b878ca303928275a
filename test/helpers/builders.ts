/**
 * Builders of desired-state objects for table-driven tests (diff, ordering, outputs). Each returns a
 * complete, valid object with the defaults normalization would fill in; pass overrides for what the
 * test is about. Ids, uniqueName and ownership tag are derived exactly like normalize.ts does.
 *
 *   const api = desiredApp({ key: 'api', appRoles: [appRole({ value: 'Read.All' })] });
 *   const stack = desiredStack({ applications: [api, desiredApp({ key: 'daemon', permissions: [permission({ api: stackApi('api'), roles: ['Read.All'] })] })] });
 *
 * Roles and scopes built outside desiredApp() get ids for stack "test"/app "app"; desiredApp() re-derives
 * the ids of roles/scopes whose id was not given explicitly, for its own stack and key.
 */
import type { SourceLocation } from '../../src/errors.js';
import { defaultRenewBeforeMs, lifetimeMs } from '../../src/manifest/normalize.js';
import {
  ownershipTagFor,
  stableId,
  uniqueNameFor,
  type DesiredApiRef,
  type DesiredApplication,
  type DesiredAppRole,
  type DesiredOptionalClaim,
  type DesiredOutput,
  type DesiredPermission,
  type DesiredScope,
  type DesiredSecret,
  type DesiredStack,
  type OutputRef,
  type TemplatePart,
} from '../../src/model/desired.js';

export const TEST_STACK = 'test';

export function location(line = 1, column = 1, file = 'manifests/test.yaml'): SourceLocation {
  return { file, line, column };
}

const DERIVED = Symbol('derived-id');
type Built<T> = T & { [DERIVED]?: true };

export function appRole(o: Partial<DesiredAppRole> & { value?: string } = {}): DesiredAppRole {
  const value = o.value ?? 'Data.Read.All';
  const role: Built<DesiredAppRole> = {
    id: o.id ?? stableId({ stack: TEST_STACK, app: 'app', kind: 'appRole', value }),
    value,
    displayName: o.displayName ?? value,
    description: o.description ?? `Allows ${value}`,
    allowedMemberTypes: o.allowedMemberTypes ?? ['Application'],
    isEnabled: o.isEnabled ?? true,
  };
  if (!o.id) Object.defineProperty(role, DERIVED, { value: true, enumerable: false });
  return role;
}

export function scope(o: Partial<DesiredScope> & { value?: string } = {}): DesiredScope {
  const value = o.value ?? 'Data.Read';
  const s: Built<DesiredScope> = {
    id: o.id ?? stableId({ stack: TEST_STACK, app: 'app', kind: 'scope', value }),
    value,
    type: o.type ?? 'Admin',
    adminConsentDisplayName: o.adminConsentDisplayName ?? `Read data (${value})`,
    adminConsentDescription: o.adminConsentDescription ?? `Allows the app to ${value} for the signed-in user`,
    userConsentDisplayName: o.userConsentDisplayName ?? null,
    userConsentDescription: o.userConsentDescription ?? null,
    isEnabled: o.isEnabled ?? true,
  };
  if (!o.id) Object.defineProperty(s, DERIVED, { value: true, enumerable: false });
  return s;
}

export function optionalClaim(name: string, o: Partial<DesiredOptionalClaim> = {}): DesiredOptionalClaim {
  return { name, source: o.source ?? null, essential: o.essential ?? false, additionalProperties: o.additionalProperties ?? [] };
}

export function secret(name = 'main', lifetime = '180d', renewBefore?: string): DesiredSecret {
  const ms = lifetimeMs(lifetime);
  return { name, lifetime, lifetimeMs: ms, renewBeforeMs: renewBefore ? lifetimeMs(renewBefore) : defaultRenewBeforeMs(ms) };
}

export function stackApi(key: string): DesiredApiRef {
  return { kind: 'stack', key };
}

export function tenantApi(name: string): DesiredApiRef {
  return /^[0-9a-f-]{36}$/i.test(name) ? { kind: 'tenant', name: name.toLowerCase(), match: 'appId' } : { kind: 'tenant', name, match: 'displayName' };
}

export function permission(o: Partial<DesiredPermission> = {}): DesiredPermission {
  return {
    api: o.api ?? tenantApi('Microsoft Graph'),
    roles: o.roles ?? [],
    scopes: o.scopes ?? [],
    adminConsent: o.adminConsent ?? false,
    location: o.location ?? location(),
    ...(o.sources ? { sources: o.sources } : {}),
  };
}

export function desiredApp(o: Partial<DesiredApplication> & { stack?: string } = {}): DesiredApplication {
  const stack = o.stack ?? TEST_STACK;
  const key = o.key ?? 'app';
  const rederive = <T extends DesiredAppRole | DesiredScope>(item: Built<T>, kind: 'appRole' | 'scope'): T =>
    item[DERIVED] ? { ...item, id: stableId({ stack, app: key, kind, value: item.value }) } : item;
  return {
    key,
    uniqueName: o.uniqueName ?? uniqueNameFor(stack, key),
    ownershipTag: o.ownershipTag ?? ownershipTagFor(stack),
    displayName: o.displayName ?? `${stack} ${key}`,
    description: o.description ?? null,
    signInAudience: o.signInAudience ?? 'AzureADMyOrg',
    identifierUris: o.identifierUris ?? [],
    requestedAccessTokenVersion: o.requestedAccessTokenVersion ?? 2,
    appRoles: (o.appRoles ?? []).map((r) => rederive(r, 'appRole')),
    oauth2PermissionScopes: (o.oauth2PermissionScopes ?? []).map((s) => rederive(s, 'scope')),
    optionalClaims: o.optionalClaims ?? { accessToken: [], idToken: [], saml2Token: [] },
    servicePrincipal: o.servicePrincipal ?? { appRoleAssignmentRequired: false, tags: [] },
    secrets: o.secrets ?? [],
    certificates: o.certificates ?? [],
    federatedCredentials: o.federatedCredentials ?? [],
    permissions: o.permissions ?? [],
    knownClientApplications: o.knownClientApplications ?? [],
    preAuthorizedApplications: o.preAuthorizedApplications ?? [],
    spa: o.spa ?? { redirectUris: [] },
    web: o.web ?? { redirectUris: [], implicitGrantSettings: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false } },
    publicClient: o.publicClient ?? { redirectUris: [] },
    isFallbackPublicClient: o.isFallbackPublicClient ?? false,
    location: o.location ?? location(),
  };
}

export function ref(r: OutputRef): TemplatePart {
  return { ref: r };
}

export function text(t: string): TemplatePart {
  return { text: t };
}

export function output(o: Partial<DesiredOutput> & { values?: Array<{ key: string; parts: TemplatePart[]; source?: string }> } = {}): DesiredOutput {
  const values = (o.values ?? []).map((v) => ({
    key: v.key,
    parts: v.parts,
    source: v.source ?? v.parts.map((p) => ('text' in p ? p.text : '${…}')).join(''),
  }));
  return {
    path: o.path ?? 'out/test.env',
    format: o.format ?? 'dotenv',
    values,
    shape: o.shape ?? null,
    sensitive: o.sensitive ?? values.some((v) => v.parts.some((p) => 'ref' in p && p.ref.kind === 'secret')),
    location: o.location ?? location(),
  };
}

export function desiredStack(o: Partial<DesiredStack> = {}): DesiredStack {
  return {
    name: o.name ?? TEST_STACK,
    file: o.file ?? 'manifests/test.yaml',
    applications: o.applications ?? [],
    outputs: o.outputs ?? [],
    conditionalAccessPolicies: o.conditionalAccessPolicies ?? [],
    variables: o.variables ?? {},
  };
}

/** The example scenario (manifests/todolist-daemon.yaml) as built objects, for engine tests without YAML. */
export function todolistDaemonStack(): DesiredStack {
  const stack = 'todolist-daemon';
  const api = desiredApp({
    stack,
    key: 'api',
    displayName: 'ciam-ToDoList-api',
    identifierUris: ['api://{appId}'],
    appRoles: [
      appRole({ value: 'ToDoList.Read.All', description: "Allow the app to read every user's ToDo list using the 'TodoListApi'" }),
      appRole({ value: 'ToDoList.ReadWrite.All', description: "Allow the app to read and write every user's ToDo list using the 'ToDoListApi'" }),
    ],
    optionalClaims: { accessToken: [optionalClaim('idtyp')], idToken: [], saml2Token: [] },
  });
  const daemon = desiredApp({
    stack,
    key: 'daemon',
    displayName: 'ciam-client-app',
    secrets: [secret('main', '180d')],
    permissions: [permission({ api: stackApi('api'), roles: ['ToDoList.Read.All', 'ToDoList.ReadWrite.All'], adminConsent: true })],
  });
  return desiredStack({ name: stack, file: 'manifests/todolist-daemon.yaml', applications: [api, daemon] });
}
