import type { TenantformError } from '../errors.js';
import { adminConsentUrls, defaultScope } from './consent.js';
import type { Probe } from './probes.js';
import type { TokenOutcome } from './token.js';
import type { Diagnosis } from './types.js';

/**
 * The operator's next step for each usual failure. Every branch keys on an AADSTS number from
 * `error_codes`, a Graph error code, or the token's claims — never on message text
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
export interface DiagnoseContext {
  /** The tenant the token was requested in (id). */
  tenantId: string;
  authorityHost: string;
  /** The manifest file(s), for the commands suggested. */
  manifests: string;
  /** Set when verifying a customer tenant of a multi-tenant app (apply --home-tenant). */
  homeTenant?: string;
}

export function consentUrlFor(p: Probe, ctx: DiagnoseContext): string | undefined {
  if (!p.client.appId) return undefined;
  return adminConsentUrls({ authorityHost: ctx.authorityHost, tenant: ctx.tenantId, clientId: p.client.appId }).v1;
}

const apply = (ctx: DiagnoseContext) => `tenantform apply ${ctx.manifests}${ctx.homeTenant ? ` --tenant ${ctx.tenantId} --home-tenant ${ctx.homeTenant}` : ''}`;

/** Roles the manifest asks for that the token lacks. */
export function missingRoles(p: Probe, got: string[], ctx: DiagnoseContext): Diagnosis {
  const missing = p.roles.filter((r) => !got.includes(r));
  const url = consentUrlFor(p, ctx);
  const problem =
    got.length === 0
      ? `The token has no roles: admin consent for ${missing.join(', ')} on ${p.api.label} is missing in tenant ${ctx.tenantId}.`
      : `The token lacks ${missing.join(', ')} on ${p.api.label} (it has ${got.join(', ')}).`;
  const next = p.consented
    ? `The manifest grants them (adminConsent: true) but the tenant does not hold them: re-run \`${apply(ctx)}\`${url ? `, or have an administrator of the tenant open ${url}` : ''}.`
    : `Set adminConsent: true on that permission and run \`${apply(ctx)}\`${url ? `, or have an administrator of the tenant open ${url}` : ''}.`;
  return { code: 'admin-consent-missing', problem, next, meta: { missing, consentUrl: url } };
}

/** A failed token request → the diagnosis for its AADSTS code. */
export function tokenFailure(p: Probe, o: Extract<TokenOutcome, { ok: false }>, ctx: DiagnoseContext): Diagnosis {
  const code = o.codes[0];
  const meta = { aadsts: code, error: o.error, status: o.status };
  const where = p.credential?.source ?? 'the written config';
  const resource = p.scope.value.replace(/\/\.default$/i, '');
  const slashUri = p.api.identifierUris.find((u) => u.endsWith('/') && u.slice(0, -1).toLowerCase() === resource.toLowerCase());
  // An unknown resource in `.default` is AADSTS500011 or, per the docs' example, invalid_scope AADSTS70011.
  if ((code === 500011 || code === 70011) && slashUri && p.scope.value.toLowerCase().endsWith('/.default')) return trailingSlash(p, slashUri, code, meta, ctx);
  switch (code) {
    case 1002012:
    case 70011:
      if (!p.scope.value.toLowerCase().endsWith('/.default')) {
        return {
          code: 'scope-not-default',
          problem: `The scope "${p.scope.value}" (${p.scope.source}) does not end in /.default (AADSTS${code}).`,
          next: `Client credentials take \`{resource}/.default\`: use ${defaultScope(p.api.identifierUris[0] ?? p.api.appId)} — in the manifest's output template, e.g. \${apps.${p.api.key ?? 'api'}.identifierUri}/.default — then run \`tenantform output ${ctx.manifests}\`.`,
          meta,
        };
      }
      break;
    case 500011:
      return {
        code: 'resource-not-found',
        problem: `No API answers to "${resource}" in tenant ${ctx.tenantId} (AADSTS500011).`,
        next: p.api.key
          ? `The scope must name an identifier URI or the appId of ${p.api.label}: use ${defaultScope(p.api.identifierUris[0] ?? p.api.appId)}; if the API was just created, re-run verify with a longer --timeout.`
          : `Create the API's service principal in this tenant (or consent to it), then re-run verify.`,
        meta,
      };
    case 501051:
      return {
        code: 'not-assigned',
        problem: `${p.api.label} requires an app role assignment (appRoleAssignmentRequired) and ${p.client.label} has none (AADSTS501051).`,
        next: `Grant it a role with admin consent — permissions: [{ api: ${p.api.key ?? p.api.label}, roles: [${p.roles.join(', ')}], adminConsent: true }] — and run \`${apply(ctx)}\`${consentUrlFor(p, ctx) ? ` (or have an administrator open ${consentUrlFor(p, ctx)})` : ''}; or set servicePrincipal.appRoleAssignmentRequired: false on ${p.api.label}.`,
        meta: { ...meta, consentUrl: consentUrlFor(p, ctx) },
      };
    case 7000222:
      return {
        code: 'secret-expired',
        problem: `The client secret of ${p.client.label} in ${where} has expired (AADSTS7000222).`,
        next: `Rotate it: \`tenantform apply ${ctx.manifests} --rotate-secrets\` (apply also replaces expired secrets it manages), then restart the daemon so it reads the new config.`,
        meta,
      };
    case 7000215:
      return {
        code: 'secret-invalid',
        problem: `The secret in ${where} is not a valid secret of ${p.client.label} (AADSTS7000215), even after waiting for replication.`,
        next: `Re-run \`${apply(ctx)}\` (it replaces a secret whose value it does not know) and \`tenantform output ${ctx.manifests}\` to rewrite the config; if the secret is brand new, re-run verify with a longer --timeout.`,
        meta,
      };
    case 700016:
      return clientNotInTenant(p, code, meta, ctx);
    case 700027:
    case 50012:
    case 700024:
    case 50027:
      return {
        code: 'certificate-invalid',
        problem: `The certificate credential of ${p.client.label} (${where}) was refused (AADSTS${code}, ${o.error}).`,
        next: `Check that the certificate in ${where} is the one registered on the application and not expired; \`${apply(ctx)}\` uploads the manifest's certificate.`,
        meta,
      };
  }
  return {
    code: 'token-error',
    problem: `The token endpoint answered ${o.status || 'nothing'} ${o.error}${code ? ` AADSTS${code}` : ''}: ${o.description}`,
    next: code
      ? `See https://login.microsoftonline.com/error?code=${code} for this code.`
      : 'Check the authority host, the network and the CA (--ca-file) of the target.',
    meta,
  };
}

function trailingSlash(p: Probe, uri: string, code: number, meta: Record<string, unknown>, ctx: DiagnoseContext): Diagnosis {
  return {
    code: 'trailing-slash',
    problem: `The identifier URI of ${p.api.label} ends in "/" (${uri}), so "${p.scope.value}" (${p.scope.source}) names another resource (AADSTS${code}).`,
    next: `Keep the URI's slash and add /.default after it: the scope is ${defaultScope(uri)} (double slash; https://learn.microsoft.com/entra/identity-platform/scopes-oidc#trailing-slash-and-default). Fix the output template, then run \`tenantform output ${ctx.manifests}\`.`,
    meta: { ...meta, scope: defaultScope(uri) },
  };
}

function clientNotInTenant(p: Probe, code: number, meta: Record<string, unknown>, ctx: DiagnoseContext): Diagnosis {
  const url = consentUrlFor(p, ctx);
  return {
    code: 'client-not-in-tenant',
    problem: `Tenant ${ctx.tenantId} has no service principal for ${p.client.label} (appId ${p.client.appId ?? 'unknown'}) (AADSTS${code}).`,
    next: ctx.homeTenant
      ? `Create it and grant the roles with \`${apply(ctx)}\`${url ? `, or have an administrator of that tenant open ${url}` : ''}.`
      : `Run \`${apply(ctx)}\`; for a customer tenant of a multi-tenant app, use --home-tenant${url ? ` or have its administrator open ${url}` : ''}.`,
    meta: { ...meta, consentUrl: url },
  };
}

/**
 * Directory roles that carry each Graph permission the tool needs, for people who prefer a role to an
 * application permission (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference,
 * https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent#prerequisites: granting
 * Microsoft Graph app roles needs Privileged Role Administrator).
 */
const ROLE_FOR: Record<string, string> = {
  'Organization.Read.All': 'Directory Readers',
  'Application.Read.All': 'Directory Readers',
  'Application.ReadWrite.All': 'Cloud Application Administrator',
  'Application.ReadWrite.OwnedBy': 'Cloud Application Administrator',
  'AppRoleAssignment.ReadWrite.All': 'Privileged Role Administrator (for Microsoft Graph roles) or Cloud Application Administrator (other APIs)',
  'DelegatedPermissionGrant.ReadWrite.All': 'Cloud Application Administrator',
};

/** The tool's own identity could not read (or sign in to) the tenant. */
export function toolFailure(e: TenantformError): Diagnosis {
  if (e.code === 'AUTH_FAILED') {
    return {
      code: 'tool-auth',
      problem: e.message,
      next: 'Sign in (az login, workload identity, or --auth device-code), or check --tenant / --authority-host, then re-run.',
    };
  }
  const needs = (Array.isArray(e.meta.needs) ? (e.meta.needs as string[]) : []).map((n) => n.replace(/\s*\(.*\)$/, ''));
  const perms = [...new Set([...needs, 'Application.Read.All'])];
  const roles = [...new Set(perms.map((n) => ROLE_FOR[n]).filter(Boolean))];
  return {
    code: 'tool-permission',
    problem: `The identity tenantform runs as cannot ${String(e.meta.action ?? 'read the tenant')}: Microsoft Graph answered ${String(e.meta.status ?? 403)} ${String(e.meta.graphCode ?? 'Authorization_RequestDenied')}.`,
    next: `Grant it the Microsoft Graph application permission${perms.length > 1 ? 's' : ''} ${perms.join(' and ')} with admin consent (verify only reads; apply also needs Application.ReadWrite.All and AppRoleAssignment.ReadWrite.All), or the directory role ${roles.join(' / ')}.`,
    meta: { needs: perms, roles },
  };
}
