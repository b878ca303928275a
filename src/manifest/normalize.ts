/**
 * Valid manifest → desired state. Runs only when validation found no errors, so it can trust every
 * reference. Fills every default, derives ids/uniqueName/ownership tag, converts to Graph shapes.
 */
import {
  isSensitiveRef,
  outputRefs,
  ownershipTagFor,
  stableId,
  uniqueNameFor,
  type DesiredApplication,
  type DesiredClientRef,
  type DesiredOptionalClaim,
  type DesiredOutput,
  type DesiredStack,
  type OutputRef,
  type TemplatePart,
} from '../model/desired.js';
import type { SourceLocation } from '../errors.js';
import type { ManifestSource } from './load.js';
import { locate } from './locate.js';
import { classifyRef, parseTemplate } from './references.js';
import { normalizeCertificates, normalizeFederatedCredentials, normalizeSecrets } from './normalize-credentials.js';
import { outputShape } from './output-shapes.js';
import { apiRefFor } from './rules-links.js';
import { outputFormat } from './schema.js';
import { durationMs } from './duration.js';
import { LIFETIME, type Manifest, type ManifestApplication, type ManifestOptionalClaim, type ManifestPolicy } from './schema.js';
import { CA_APP_KEYWORDS, CA_USER_KEYWORDS, type DesiredPolicy, type PolicyAppRef } from '../model/policies.js';
import { keyword } from './rules-policies.js';

export { defaultRenewBeforeMs } from './normalize-credentials.js';

/** `180d` → milliseconds (duration.ts; y = 365 days). Throws on text the schema would have rejected. */
export function lifetimeMs(lifetime: string): number {
  const ms = LIFETIME.test(lifetime) ? durationMs(lifetime) : undefined;
  if (ms === undefined) throw new Error(`invalid lifetime ${lifetime}`);
  return ms;
}

export function normalizeManifest(opts: { source: ManifestSource; manifest: Manifest; variables: Map<string, string> }): DesiredStack {
  const { source, manifest } = opts;
  const stack = manifest.stack;
  const appKeys = new Set(Object.keys(manifest.applications));
  const applications = Object.entries(manifest.applications).map(([key, app]) => normalizeApplication({ source, stack, key, app, appKeys }));
  const parse = (template: string) => templateParts(template, manifest);
  const outputs = manifest.outputs.map((output, index): DesiredOutput => {
    const format = outputFormat(output);
    const values = Object.entries(output.values ?? {}).map(([key, template]) => ({ key, source: template, parts: parse(template) }));
    const shape = outputShape(output, format, manifest.applications, parse);
    return {
      path: output.path,
      format,
      values,
      shape,
      sensitive: outputRefs({ values, shape }).some(isSensitiveRef),
      ...(format === 'js' ? { esModule: output.module !== false } : {}),
      location: locate(source, ['outputs', index]),
    };
  });
  // A generated certificate's keyFile is an output too: replaced atomically once the new certificate is registered.
  for (const app of applications) {
    for (const c of app.certificates) {
      if (!c.keyFile) continue;
      const raw = `\${apps.${app.key}.certificates.${c.name}.pem}`;
      outputs.push({
        path: c.keyFile,
        format: 'pem',
        values: [{ key: 'pem', source: raw, parts: parse(raw) }],
        shape: null,
        sensitive: true,
        location: c.location,
      });
    }
  }
  const conditionalAccessPolicies = Object.entries(manifest.conditionalAccessPolicies).map(([key, p]) => normalizePolicy(source, key, p, appKeys));
  return { name: stack, file: source.file, applications, outputs, conditionalAccessPolicies, variables: Object.fromEntries(opts.variables) };
}

function normalizeApplication(opts: {
  source: ManifestSource;
  stack: string;
  key: string;
  app: ManifestApplication;
  appKeys: Set<string>;
}): DesiredApplication {
  const { source, stack, key, app } = opts;
  const id = (kind: 'appRole' | 'scope', value: string, given?: string): string => (given ?? stableId({ stack, app: key, kind, value })).toLowerCase();
  return {
    key,
    uniqueName: uniqueNameFor(stack, key),
    ownershipTag: ownershipTagFor(stack),
    displayName: app.displayName,
    description: app.description ?? null,
    signInAudience: app.signInAudience,
    identifierUris: [...app.identifierUris],
    requestedAccessTokenVersion: app.api?.requestedAccessTokenVersion ?? 2,
    appRoles: app.appRoles.map((r) => ({
      id: id('appRole', r.value, r.id),
      value: r.value,
      displayName: r.displayName,
      description: r.description,
      allowedMemberTypes: [...r.allowedMemberTypes],
      isEnabled: r.enabled,
    })),
    oauth2PermissionScopes: app.scopes.map((s) => ({
      id: id('scope', s.value, s.id),
      value: s.value,
      type: s.type,
      adminConsentDisplayName: s.adminConsentDisplayName,
      adminConsentDescription: s.adminConsentDescription,
      userConsentDisplayName: s.userConsentDisplayName ?? null,
      userConsentDescription: s.userConsentDescription ?? null,
      isEnabled: s.enabled,
    })),
    optionalClaims: {
      accessToken: (app.optionalClaims?.accessToken ?? []).map(claim),
      idToken: (app.optionalClaims?.idToken ?? []).map(claim),
      saml2Token: (app.optionalClaims?.saml2Token ?? []).map(claim),
    },
    servicePrincipal: {
      appRoleAssignmentRequired: app.servicePrincipal?.appRoleAssignmentRequired ?? false,
      tags: [...(app.servicePrincipal?.tags ?? [])],
    },
    secrets: normalizeSecrets(app, lifetimeMs),
    certificates: normalizeCertificates({ source, key, app, lifetimeMs }),
    federatedCredentials: normalizeFederatedCredentials({ source, stack, key, app }),
    permissions: app.permissions.map((p, i) => ({
      api: apiRefFor(p.api, opts.appKeys),
      roles: [...p.roles],
      scopes: [...p.scopes],
      adminConsent: p.adminConsent,
      ...(p.userConsent.length
        ? { userConsent: p.userConsent.map((user, j) => ({ user, location: locate(source, ['applications', key, 'permissions', i, 'userConsent', j]) })) }
        : {}),
      location: locate(source, ['applications', key, 'permissions', i]),
      sources: {
        api: locate(source, ['applications', key, 'permissions', i, 'api']),
        roles: p.roles.map((_, j) => locate(source, ['applications', key, 'permissions', i, 'roles', j])),
        scopes: p.scopes.map((_, j) => locate(source, ['applications', key, 'permissions', i, 'scopes', j])),
      },
    })),
    knownClientApplications: (app.api?.knownClientApplications ?? []).map((c, i) =>
      clientRef(c, opts.appKeys, locate(source, ['applications', key, 'api', 'knownClientApplications', i])),
    ),
    preAuthorizedApplications: (app.api?.preAuthorizedApplications ?? []).map((p, i) => ({
      client: clientRef(p.app, opts.appKeys, locate(source, ['applications', key, 'api', 'preAuthorizedApplications', i, 'app'])),
      scopeIds: p.scopes.map((value) => id('scope', value, app.scopes.find((s) => s.value === value)?.id)),
    })),
    spa: { redirectUris: [...(app.spa?.redirectUris ?? [])] },
    web: {
      redirectUris: [...(app.web?.redirectUris ?? [])],
      implicitGrantSettings: {
        enableIdTokenIssuance: app.web?.implicitGrantSettings?.enableIdTokenIssuance ?? false,
        enableAccessTokenIssuance: app.web?.implicitGrantSettings?.enableAccessTokenIssuance ?? false,
      },
    },
    publicClient: { redirectUris: [...(app.publicClient?.redirectUris ?? [])] },
    isFallbackPublicClient: app.isFallbackPublicClient,
    location: locate(source, ['applications', key], { target: 'key' }),
  };
}

/** Graph's shape of a policy's parts; keywords in Graph's spelling, GUIDs lower-case (rules-policies.ts checked them). */
function normalizePolicy(source: ManifestSource, key: string, p: ManifestPolicy, appKeys: Set<string>): DesiredPolicy {
  const app = (name: string): PolicyAppRef =>
    appKeys.has(name) ? { kind: 'stack', key: name } : { kind: 'value', value: keyword(name, CA_APP_KEYWORDS) ?? name.toLowerCase() };
  const user = (name: string) => keyword(name, CA_USER_KEYWORDS) ?? name.toLowerCase();
  const lower = (ids: string[]) => ids.map((id) => id.toLowerCase());
  return {
    key,
    displayName: p.displayName,
    description: p.description ?? null,
    state: p.state,
    users: {
      includeUsers: p.users.include.map(user),
      excludeUsers: p.users.exclude.map(user),
      includeGroups: lower(p.users.includeGroups),
      excludeGroups: lower(p.users.excludeGroups),
      includeRoles: lower(p.users.includeRoles),
      excludeRoles: lower(p.users.excludeRoles),
    },
    applications: { include: p.applications.include.map(app), exclude: p.applications.exclude.map(app) },
    clientAppTypes: [...p.clientAppTypes],
    grant: { operator: p.grant.operator, builtInControls: [...p.grant.controls] },
    location: locate(source, ['conditionalAccessPolicies', key], { target: 'key' }),
  };
}

/** Validation checked it: a key of the manifest's applications, else an appId. */
function clientRef(name: string, appKeys: Set<string>, location: SourceLocation): DesiredClientRef {
  return appKeys.has(name) ? { kind: 'stack', key: name } : { kind: 'appId', appId: name.toLowerCase(), location };
}

/** Graph optionalClaim shape (https://learn.microsoft.com/graph/api/resources/optionalclaim). */
function claim(c: ManifestOptionalClaim): DesiredOptionalClaim {
  if (typeof c === 'string') return { name: c, source: null, essential: false, additionalProperties: [] };
  return { name: c.name, source: c.source ?? null, essential: c.essential ?? false, additionalProperties: [...(c.additionalProperties ?? [])] };
}

function templateParts(template: string, manifest: Manifest): TemplatePart[] {
  const parts: TemplatePart[] = [];
  for (const t of parseTemplate(template).tokens) {
    if (t.kind === 'text') {
      const last = parts[parts.length - 1];
      if (last && 'text' in last) last.text += t.text;
      else parts.push({ text: t.text });
    } else parts.push({ ref: outputRef(t.path, manifest) });
  }
  return parts;
}

function outputRef(path: string[], manifest: Manifest): OutputRef {
  const ref = classifyRef(path);
  switch (ref.kind) {
    case 'tenant':
      return { kind: 'tenant', field: ref.field };
    case 'app':
      if (ref.field === 'secrets') return { kind: 'secret', app: ref.app, secret: ref.secret };
      if (ref.field === 'secret') return { kind: 'secret', app: ref.app, secret: manifest.applications[ref.app].secrets[0].name };
      if (ref.field === 'scope') return { kind: 'scope', app: ref.app, value: ref.scope };
      if (ref.field === 'certificate') {
        return { kind: 'certificate', app: ref.app, certificate: ref.certificate ?? manifest.applications[ref.app].certificates[0].name, field: ref.certField };
      }
      return { kind: ref.field, app: ref.app };
    default:
      // Validation rejects every other reference before normalization runs.
      throw new Error(`internal: unexpected reference \${${path.join('.')}} in a validated output`);
  }
}
