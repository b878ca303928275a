import { randomBytes } from 'node:crypto';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { JWTPayload } from 'jose';
import { issuerV1, issuerV2 } from '../auth.js';
import type { EmulatorEnv } from '../context.js';
import { foreignApplication } from '../directory.js';
import { AZURE_SERVICE_MANAGEMENT_APP_ID, MICROSOFT_GRAPH_APP_ID } from '../seed.js';
import type { ClientIdentity } from './client.js';
import type { ResolvedResource } from './scope.js';

/**
 * `expires_in` of a token response: the docs' client-credentials example answers 3599 (reference/tokens.md §1.3,
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#successful-response), and
 * recorded answers of the real service say the same for default-lifetime tokens.
 */
export const TOKEN_LIFETIME_SECONDS = 3599;

/**
 * Entra back-dates an access token: `iat` = `nbf` = issue time − 5 minutes (clock-skew allowance for the resource),
 * and `exp` = `iat` + 3900 s, i.e. issue time + 60 minutes — real tokens consistently show exp − iat = 3900
 * (e.g. the samples in https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference and
 * id-token-claims-reference). Default-lifetime tokens only: no CAE 24 h tokens, no 60–90 minute randomisation
 * (different on purpose, docs/emulator.md).
 */
export const ACCESS_TOKEN_BACKDATE_SECONDS = 300;
export const ACCESS_TOKEN_SPAN_SECONDS = 3900;

/** iat, nbf and exp (unix seconds) of an access token issued at `nowSeconds`. */
export function accessTokenTimes(nowSeconds: number): { iat: number; nbf: number; exp: number } {
  const iat = nowSeconds - ACCESS_TOKEN_BACKDATE_SECONDS;
  return { iat, nbf: iat, exp: iat + ACCESS_TOKEN_SPAN_SECONDS };
}

export interface TokenRequestFacts {
  client: ClientIdentity;
  resource: ResolvedResource;
  /** How the client proved itself: "1" secret, "2" certificate (appidacr / azpacr). */
  acr: '1' | '2';
}

export interface IssuedClaims {
  version: '1.0' | '2.0';
  claims: JWTPayload;
}

/**
 * The local application behind a resource service principal (if this tenant owns it). Microsoft's
 * first-party resources (Microsoft Graph) have none here.
 */
export function resourceApplication(env: EmulatorEnv, sp: ServicePrincipal): Application | undefined {
  const local = sp.appId ? env.tenant.applications.byAppId(sp.appId) : undefined;
  if (local || !sp.appId) return local;
  // A multi-tenant API's SP in a customer tenant: the application (token version, optional claims) is the
  // one registered in its home tenant (directory.ts).
  const foreign = foreignApplication(env.tenant, sp.appId);
  return foreign && foreign.home.tenantId.toLowerCase() === sp.appOwnerOrganizationId?.toLowerCase() ? foreign.app : undefined;
}

/**
 * Values of the enabled app roles of the resource that are assigned to the client's service principal.
 * Client credentials always carry every granted application permission
 * (https://learn.microsoft.com/entra/identity-platform/scopes-oidc#client-credentials-grant-flow-and-default).
 */
export function grantedRoles(env: EmulatorEnv, clientSp: ServicePrincipal, resourceSp: ServicePrincipal): string[] {
  const ids = new Set(
    env.tenant.appRoleAssignments
      .list()
      .filter((a) => a.principalId === clientSp.id && a.resourceId === resourceSp.id)
      .map((a) => a.appRoleId),
  );
  const values = (resourceSp.appRoles ?? []).filter((r) => r.isEnabled !== false && ids.has(r.id) && r.value).map((r) => r.value!);
  return [...new Set(values)];
}

/** True when the client SP holds any assignment (any role, incl. default access) on the resource SP. */
export function hasAssignment(env: EmulatorEnv, clientSp: ServicePrincipal, resourceSp: ServicePrincipal): boolean {
  return env.tenant.appRoleAssignments.list().some((a) => a.principalId === clientSp.id && a.resourceId === resourceSp.id);
}

/** An opaque claim value (aio, rh, uti): random base64url. */
export const opaque = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * The access-token format a resource asks for: its application's api.requestedAccessTokenVersion (null/1 → v1,
 * 2 → v2; https://learn.microsoft.com/graph/api/resources/apiapplication); resources without a local application
 * (Microsoft Graph) get v1.
 */
export function accessTokenVersion(resourceApp: Application | undefined): '1.0' | '2.0' {
  return resourceApp?.api?.requestedAccessTokenVersion === 2 ? '2.0' : '1.0';
}

/**
 * Claims of an app-only access token (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 * The RESOURCE picks the format via api.requestedAccessTokenVersion (null/1 → v1, 2 → v2;
 * https://learn.microsoft.com/graph/api/resources/apiapplication); resources without a local application
 * (Microsoft Graph) get v1.
 */
export function accessTokenClaims(env: EmulatorEnv, facts: TokenRequestFacts): IssuedClaims {
  const { client, resource, acr } = facts;
  const tid = env.tenant.tenantId;
  const resourceApp = resourceApplication(env, resource.sp);
  const version = accessTokenVersion(resourceApp);
  const now = Math.floor(env.clock.now() / 1000);
  const roles = grantedRoles(env, client.sp, resource.sp);
  // idtyp is an optional claim the resource must ask for (https://learn.microsoft.com/entra/identity-platform/optional-claims-reference).
  const wantsIdtyp =
    (resourceApp?.optionalClaims?.accessToken ?? []).some((c) => c.name === 'idtyp') ||
    // Microsoft's first-party resources configure it themselves: real app-only tokens for them carry
    // idtyp "app" (observed on ARM and agent tokens, e.g. the sample token in Microsoft's agent identity
    // docs). That Microsoft Graph's do too is UNCONFIRMED by a published Graph token, but follows the same rule.
    resource.sp.appId === MICROSOFT_GRAPH_APP_ID ||
    resource.sp.appId === AZURE_SERVICE_MANAGEMENT_APP_ID;
  const graph = resource.sp.appId === MICROSOFT_GRAPH_APP_ID;
  const claims: JWTPayload & Record<string, unknown> = {
    aud: audience(version, resource),
    iss: version === '2.0' ? issuerV2(env.authorityHost, tid) : issuerV1(tid),
    ...accessTokenTimes(now),
    aio: opaque(48),
  };
  // app_displayname is a v1 claim: real v1 app-only tokens (Microsoft Graph's, ARM's) carry it, and the observed v2
  // app-only payload keys of a custom API have none (reference/tokens.md §4.2, [ISS-msgraph149]). That v1 tokens of
  // a custom API carry it too is UNCONFIRMED (kept: the v1 format is the same).
  if (version === '1.0') claims.app_displayname = client.sp.appDisplayName ?? client.app.displayName ?? undefined;
  if (version === '2.0') {
    Object.assign(claims, { azp: client.app.appId, azpacr: acr });
  } else {
    // idp = the v1 issuer in app-only v1 tokens (observed in real tokens; UNCONFIRMED in the reference).
    Object.assign(claims, { appid: client.app.appId, appidacr: acr, idp: issuerV1(tid) });
  }
  if (wantsIdtyp) claims.idtyp = 'app';
  Object.assign(claims, {
    oid: client.sp.id,
    rh: `0.${opaque(60)}.`,
    ...(roles.length > 0 ? { roles } : {}),
    sub: client.sp.id,
    ...(graph ? { tenant_region_scope: TENANT_REGION_SCOPE } : {}),
    tid,
    uti: opaque(16),
    ver: version,
    ...(graph ? graphAppOnlyClaims(env) : {}),
  });
  return { version, claims };
}

/**
 * The tenant's region as its discovery document and its tokens name it. Real tenants say NA, EU, AS, … (their
 * tokens and documents agree); the emulator's tenant is worldwide, as its discovery document says (discovery.ts).
 */
export const TENANT_REGION_SCOPE = 'WW';

/**
 * The role template id every app-only token for Microsoft Graph carries in `wids`: it is not a directory role (no
 * role definition has it) but stands for the app-only caller itself; an SP that holds directory roles gets their
 * template ids beside it (the emulator assigns none to SPs). Seen in every published decoded app-only Graph token
 * found (the agent identity blueprint samples of Microsoft's agent identity docs, SharePoint Sites.Selected and
 * mail-daemon walkthroughs, all v1 with `tenant_region_scope` between `sub` and `tid`); after `wids` comes `xms_tcdt`,
 * the tenant's creation time (unix seconds). Claim order follows those tokens. The docs' claims reference
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#payload-claims) lists `wids` as
 * the tenant-wide roles of the caller; that the app-only id is the same in every tenant is observed, not documented.
 */
export const APP_ONLY_WIDS = ['0997a1d0-0d1d-4acb-b408-d5ca73121e90'];

function graphAppOnlyClaims(env: EmulatorEnv): Record<string, unknown> {
  const created = Date.parse(env.tenant.organization().createdDateTime ?? '');
  return { wids: APP_ONLY_WIDS, ...(Number.isFinite(created) ? { xms_tcdt: Math.floor(created / 1000) } : {}) };
}

/**
 * v2: always the resource's appId. v1: the identifier the client asked for (as registered), or the appId
 * when it asked by appId; Microsoft Graph's v1 audience is https://graph.microsoft.com (reference/tokens.md §4.2).
 */
function audience(version: '1.0' | '2.0', resource: ResolvedResource): string {
  const appId = resource.sp.appId!;
  if (version === '2.0') return appId;
  if (appId === MICROSOFT_GRAPH_APP_ID) return 'https://graph.microsoft.com';
  return resource.matchedName;
}
