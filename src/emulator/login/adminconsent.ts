import { randomBytes } from 'node:crypto';
import type { Application, AppRoleAssignment, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { EmulatorEnv } from '../context.js';
import { foreignApplication, isMultiTenant } from '../directory.js';
import { OAuthFault } from '../errors.js';
import { json, type EmuRequest, type EmuResponse } from '../http.js';
import { buildServicePrincipal } from '../graph/sp-model.js';
import type { Tenant } from '../store/index.js';
import { LoginNotImplemented } from './not-implemented.js';
import { oauthErrors } from './oauth-errors.js';
import { resourceFromScope } from './scope.js';
import type { TenantSegment } from './tenant.js';

/**
 * GET /{tenant}/adminconsent?client_id=…[&redirect_uri=…&state=…] and GET /{tenant}/v2.0/adminconsent?…&scope=…
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#request-the-permissions-from-a-directory-admin,
 * https://learn.microsoft.com/entra/identity-platform/v2-admin-consent).
 *
 * DELIBERATELY DIFFERENT: the real endpoint signs an administrator in and shows a consent page. The emulator
 * has no users, so opening the URL IS the administrator's "Accept": it does what that consent does — creates
 * the client's service principal in the tenant (from a multi-tenant app of another tenant too) and the app role
 * assignments for every application permission (`type: Role`) the app lists in requiredResourceAccess (v2:
 * only the `scope` resource's) — then redirects to redirect_uri with `admin_consent=True&tenant=…` as the
 * service does, or answers that JSON when no redirect_uri is given. Delegated permissions are not modelled
 * (501), nor is `/common/adminconsent`.
 */
export function handleAdminConsent(req: EmuRequest, env: EmulatorEnv, t: TenantSegment, version: '1.0' | '2.0'): EmuResponse {
  if (t.kind !== 'tenant') throw new LoginNotImplemented(`admin consent on /${t.name}`);
  const clientId = req.query.get('client_id');
  if (!clientId) throw oauthErrors.missingParameter('client_id');
  const scope = req.query.get('scope');
  if (version === '2.0' && !scope) throw oauthErrors.missingParameter('scope');
  const only = scope ? resourceFromScope(scope) : undefined;
  const tenant = env.tenant;
  const app = clientApplication(tenant, clientId);
  const clientSp = ensureServicePrincipal(tenant, app.app, app.home);
  for (const rra of app.app.requiredResourceAccess ?? []) {
    const resource = resourceServicePrincipal(tenant, rra.resourceAppId ?? '');
    if (only && !matchesResource(resource, only)) continue;
    for (const access of rra.resourceAccess ?? []) {
      if (access.type === 'Scope') throw new LoginNotImplemented('admin consent to delegated permissions (the emulator models app-only flows)');
      if (access.type === 'Role' && access.id) assign(env, clientSp, resource, access.id);
    }
  }
  const answer: Record<string, string> = { admin_consent: 'True', tenant: tenant.tenantId };
  if (scope) answer.scope = scope;
  const state = req.query.get('state');
  if (state) answer.state = state;
  const redirect = req.query.get('redirect_uri');
  if (redirect) {
    const url = new URL(redirect);
    for (const [k, v] of Object.entries(answer)) url.searchParams.set(k, v);
    return { status: 302, headers: { Location: url.toString(), 'Cache-Control': 'no-store' } };
  }
  return json(200, answer, { 'Content-Type': 'application/json; charset=utf-8' });
}

/** The application consented to: this tenant's own, or a multi-tenant app of another tenant (AADSTS700016 otherwise). */
function clientApplication(tenant: Tenant, appId: string): { app: Application; home: Tenant } {
  const local = tenant.applications.byAppId(appId);
  if (local) return { app: local, home: tenant };
  const foreign = foreignApplication(tenant, appId);
  if (foreign && isMultiTenant(foreign.app)) return foreign;
  throw oauthErrors.unknownClient(appId, tenant.tenantId);
}

function ensureServicePrincipal(tenant: Tenant, app: Application, home: Tenant): ServicePrincipal {
  const existing = tenant.servicePrincipals.home(app.appId!);
  if (existing) return existing;
  const sp = { ...buildServicePrincipal(tenant, app, {}), appOwnerOrganizationId: home.tenantId };
  tenant.servicePrincipals.create(sp);
  return sp;
}

/**
 * The resource's SP in this tenant; consent also provisions a multi-tenant resource app's SP. A resource the
 * tenant cannot have is AADSTS650052 (error value UNCONFIRMED; invalid_request chosen).
 */
function resourceServicePrincipal(tenant: Tenant, resourceAppId: string): ServicePrincipal {
  const existing = tenant.servicePrincipals.home(resourceAppId);
  if (existing) return existing;
  const local = tenant.applications.byAppId(resourceAppId);
  if (local) return ensureServicePrincipal(tenant, local, tenant);
  const foreign = foreignApplication(tenant, resourceAppId);
  if (foreign && isMultiTenant(foreign.app)) return ensureServicePrincipal(tenant, foreign.app, foreign.home);
  throw new OAuthFault(
    'invalid_request',
    650052,
    `The app needs access to a service ("${resourceAppId}") that your organization "${tenant.tenantId}" has not subscribed to or enabled.`,
  );
}

function matchesResource(sp: ServicePrincipal, resource: string): boolean {
  const r = resource.toLowerCase();
  return sp.appId?.toLowerCase() === r || (sp.servicePrincipalNames ?? []).some((n) => n.toLowerCase() === r);
}

/** An app role assignment, unless the client already holds it or the role is not an enabled application role (skipped; UNCONFIRMED). */
function assign(env: EmulatorEnv, client: ServicePrincipal, resource: ServicePrincipal, appRoleId: string): void {
  const tenant = env.tenant;
  const role = (resource.appRoles ?? []).find((r) => r.id?.toLowerCase() === appRoleId.toLowerCase());
  if (!role || role.isEnabled === false || !(role.allowedMemberTypes ?? []).includes('Application')) return;
  const held = tenant.appRoleAssignments
    .masters()
    .some((a) => a.principalId === client.id && a.resourceId === resource.id && a.appRoleId?.toLowerCase() === appRoleId.toLowerCase());
  if (held) return;
  const assignment: AppRoleAssignment = {
    id: randomBytes(32).toString('base64url'),
    appRoleId: appRoleId.toLowerCase(),
    createdDateTime: env.clock.iso(),
    deletedDateTime: null,
    principalDisplayName: client.displayName,
    principalId: client.id,
    principalType: 'ServicePrincipal',
    resourceDisplayName: resource.displayName,
    resourceId: resource.id,
  };
  tenant.appRoleAssignments.create(assignment);
}
