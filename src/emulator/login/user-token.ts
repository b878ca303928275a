import { createHmac } from 'node:crypto';
import type { Application, User } from '@microsoft/microsoft-graph-types';
import type { JWTPayload } from 'jose';
import { issuerV1, issuerV2 } from '../auth.js';
import type { EmulatorEnv } from '../context.js';
import { json, type EmuResponse } from '../http.js';
import { requireConditionalAccess, type ClientAppType } from './ca-evaluation.js';
import { accessTokenTimes, accessTokenVersion, opaque, resourceApplication, TOKEN_LIFETIME_SECONDS } from './claims.js';
import type { ClaimsRequest } from './claims-request.js';
import type { ClientIdentity } from './client.js';
import type { ClientAcr } from './client-auth.js';
import { consentedScopes } from './consent.js';
import { isMicrosoftGraph, type DelegatedScopes } from './delegated-scope.js';
import { LoginNotImplemented } from './not-implemented.js';
import { userFlowErrors } from './oauth-errors.js';
import { sessionAio } from './obo-session.js';

/**
 * Delegated (user) token issuance, shared by every grant a user takes part in (password now; authorization code,
 * refresh token, device code and On-Behalf-Of next): given the tenant, the client, the user, the requested scopes
 * and the authentication done, it evaluates conditional access (ca-evaluation.ts), checks consent (consent.ts) and
 * issues the access token for the one resource (v1 or v2 claims as the resource asks), an ID token when `openid` was
 * requested and a refresh token when `offline_access` was.
 *
 * Claims follow https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference and
 * id-token-claims-reference; what no source settles is marked UNCONFIRMED below and in docs/emulator-fidelity.md.
 */

/** amr values (v1 access tokens): a password, and multi-factor on top of it. */
export type AuthMethod = 'pwd' | 'mfa';

export interface UserTokenRequest {
  client: ClientIdentity;
  /** How the client authenticated: "0" public client, "1" secret, "2" certificate (appidacr / azpacr). */
  clientAcr: ClientAcr;
  user: User;
  scopes: DelegatedScopes;
  /** What the user's authentication included, e.g. ['pwd'] or ['pwd', 'mfa']. */
  authMethods: AuthMethod[];
  /** The conditional access client app type of the flow (the password grant: mobileAppsAndDesktopClients). */
  clientAppType: ClientAppType;
  claims: ClaimsRequest;
  /** The client sent client_info=1 (msal does): answer client_info, base64url of {uid, utid}. */
  clientInfo: boolean;
  /** The authorize request's nonce, echoed in the ID token. */
  nonce?: string;
  /** Unix seconds of the authentication (default now): kept in the refresh token for later redemptions. */
  authTime?: number;
  /** Issued through a single-page-app redirect: the refresh token lives 24 hours, not 90 days. */
  spa?: boolean;
  /**
   * When the refresh token expires (Unix ms), instead of now + its lifetime: a single-page app's refresh tokens carry
   * the first one's expiry over ("Additional refresh tokens acquired using the initial refresh token carries over that
   * expiration time", v2-oauth2-auth-code-flow).
   */
  refreshExpiresAt?: number;
}

/** The success body of the token endpoint (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc#successful-authentication-response). */
export interface UserTokenBody {
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/** ID tokens last an hour (https://learn.microsoft.com/entra/identity-platform/id-tokens; exact lifetime UNCONFIRMED). */
export const ID_TOKEN_LIFETIME_SECONDS = 3600;
/** Default refresh token lifetime (90 days) and a single-page app's (24 hours): configurable-token-lifetimes. */
export const REFRESH_TOKEN_LIFETIME_MS = 90 * 86_400_000;
export const SPA_REFRESH_TOKEN_LIFETIME_MS = 86_400_000;

export async function issueUserTokens(env: EmulatorEnv, req: UserTokenRequest): Promise<UserTokenBody> {
  const { client, user, scopes } = req;
  const tenant = env.tenant;
  const resource = scopes.resource;
  if (user.accountEnabled === false) throw userFlowErrors.userDisabled();
  // User assignment (AADSTS50105) needs app role assignments to users, which the emulator does not model.
  if (client.sp.appRoleAssignmentRequired || resource.sp.appRoleAssignmentRequired) {
    throw new LoginNotImplemented('user sign-in to an application whose service principal has appRoleAssignmentRequired (user assignments are not modelled)');
  }
  const credentials = tenant.users.credentials(user.id!);
  const ca = requireConditionalAccess(tenant, {
    userId: user.id!,
    resourceAppId: resource.sp.appId!,
    clientAppType: req.clientAppType,
    mfaDone: req.authMethods.includes('mfa'),
    userHasMfaMethod: !!credentials?.totpSecret,
    requestedAuthContexts: req.claims.acrs,
  });
  let granted = consentedScopes(env, { client, resource: resource.sp, userId: user.id!, requested: scopes.values });

  const graph = isMicrosoftGraph(resource);
  // offline_access asks for a refresh token; it is not a permission the access token carries (UNCONFIRMED for Graph's scp).
  if (graph) granted = granted.filter((s) => s !== 'offline_access');
  // Graph tokens and the response `scope` carry the OIDC scopes too ("User.Read profile openid email" in the docs'
  // password-grant example); other resources' do not (their response lists only their scopes). UNCONFIRMED beyond that example.
  const oidcInScope = graph && scopes.oidc.has('openid') ? ['profile', 'openid', 'email'] : [];
  const scp = [...granted, ...oidcInScope.filter((s) => !granted.includes(s))];

  const now = Math.floor(env.clock.now() / 1000);
  const resourceApp = resourceApplication(env, resource.sp);
  const version = accessTokenVersion(resourceApp);
  const accessClaims = accessTokenClaims(env, req, { version, resourceApp, graph, scp, iat: now, authContexts: ca.authContexts });
  const body: UserTokenBody = {
    token_type: 'Bearer',
    scope: responseScope(req, granted, oidcInScope, graph),
    expires_in: TOKEN_LIFETIME_SECONDS,
    ext_expires_in: TOKEN_LIFETIME_SECONDS,
    access_token: await env.keys.sign(accessClaims, version),
  };
  if (scopes.oidc.has('offline_access')) {
    const issuedAt = env.clock.now();
    body.refresh_token = tenant.refreshTokens.issue({
      clientId: client.app.appId!,
      userId: user.id!,
      scopes: scopes.raw.split(/\s+/).filter(Boolean),
      authMethods: [...req.authMethods],
      authTime: req.authTime ?? now,
      issuedAt,
      expiresAt: req.refreshExpiresAt ?? issuedAt + (req.spa ? SPA_REFRESH_TOKEN_LIFETIME_MS : REFRESH_TOKEN_LIFETIME_MS),
      ...(req.spa ? { spa: true } : {}),
      publicClient: req.clientAcr === '0',
      clientAppType: req.clientAppType,
    });
  }
  if (scopes.oidc.has('openid')) body.id_token = await env.keys.sign(idTokenClaims(env, req, now), '2.0');
  if (req.clientInfo) body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.tenantId })).toString('base64url');
  return body;
}

/** The 200 answer with the token endpoint's headers. */
export function userTokenResponse(body: UserTokenBody): EmuResponse {
  return json(200, body, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' });
}

/**
 * `sub`: "a pairwise identifier that's unique to a particular application ID" — stable for a user and a client
 * application, different across clients (access-token-claims-reference). Keyed here by the client's appId for both
 * access and ID tokens (whether access tokens key it by client or resource is UNCONFIRMED); an HMAC under the
 * tenant's signing key, so it survives restarts of a persisted tenant and cannot be computed from outside.
 */
export function pairwiseSubject(env: EmulatorEnv, clientAppId: string, userId: string): string {
  return createHmac('sha256', env.tenant.signingKey.privatePem)
    .update(`${env.tenant.tenantId.toLowerCase()}|${clientAppId.toLowerCase()}|${userId.toLowerCase()}`)
    .digest('base64url');
}

interface AccessFacts {
  version: '1.0' | '2.0';
  resourceApp: Application | undefined;
  graph: boolean;
  scp: string[];
  iat: number;
  authContexts: string[];
}

function accessTokenClaims(env: EmulatorEnv, req: UserTokenRequest, f: AccessFacts): JWTPayload {
  const { client, user, scopes, claims } = req;
  const tid = env.tenant.tenantId;
  const optional = f.resourceApp?.optionalClaims?.accessToken ?? [];
  const optionalClaim = (name: string) => optional.find((c) => c.name === name);
  // idtyp for a user token needs the resource's optional claim with include_user_token (optional-claims-reference);
  // Microsoft Graph configures it (a Graph user token with idtyp "user": microsoft-authentication-library-for-java#464).
  const idtyp = f.graph || (optionalClaim('idtyp')?.additionalProperties ?? []).includes('include_user_token');
  // xms_cc only when the resource asks for it and the client declared capabilities (claims-challenge). Graph is a
  // CAE resource that asks for it (UNCONFIRMED: real Graph tokens have been seen with "CP1" upper-cased).
  const xmsCc = (f.graph || !!optionalClaim('xms_cc')) && claims.xmsCc.length > 0 ? claims.xmsCc : undefined;
  const out: Record<string, unknown> = {
    // v2: the resource's appId. v1: the identifier as requested — Microsoft Graph by bare values (`User.Read`) is its
    // appId, as Graph Explorer's tokens show (UNCONFIRMED by a doc); `https://graph.microsoft.com/User.Read` gives the URI.
    aud: f.version === '2.0' ? scopes.resource.sp.appId : scopes.resource.matchedName,
    iss: f.version === '2.0' ? issuerV2(env.authorityHost, tid) : issuerV1(tid),
    ...accessTokenTimes(f.iat), // back-dated 5 minutes, 3900 s span, as Entra issues them (claims.ts)
  };
  if (f.version === '1.0') out.acr = '1';
  if (f.authContexts.length > 0) out.acrs = f.authContexts;
  // How the user signed in, sealed in Entra's internal `aio` claim: On-Behalf-Of reads it back (login/obo-session.ts).
  out.aio = sessionAio(env, { authMethods: req.authMethods, authTime: req.authTime ?? f.iat, clientAppType: req.clientAppType });
  if (f.version === '1.0') {
    out.amr = [...req.authMethods];
    // Microsoft Graph's user tokens carry app_displayname (as its app-only ones do); custom APIs' v1 user tokens do
    // not by default (UNCONFIRMED).
    if (f.graph) out.app_displayname = client.sp.appDisplayName ?? client.app.displayName ?? undefined;
    Object.assign(out, { appid: client.app.appId, appidacr: req.clientAcr });
    if (user.surname) out.family_name = user.surname;
    if (user.givenName) out.given_name = user.givenName;
  } else {
    Object.assign(out, { azp: client.app.appId, azpacr: req.clientAcr });
  }
  if (idtyp) out.idtyp = 'user';
  // v1 basic claim: every request reaches the emulator over loopback.
  if (f.version === '1.0') out.ipaddr = '127.0.0.1';
  // name, preferred_username and oid are documented as "use the profile scope"; access tokens always carry them
  // here (UNCONFIRMED either way; msal always asks for profile).
  out.name = user.displayName ?? undefined;
  out.oid = user.id;
  if (f.version === '2.0') out.preferred_username = user.userPrincipalName;
  out.rh = `0.${opaque(60)}.`;
  if (f.scp.length > 0) out.scp = f.scp.join(' ');
  out.sub = pairwiseSubject(env, client.app.appId!, user.id!);
  out.tid = tid;
  if (f.version === '1.0') Object.assign(out, { unique_name: user.userPrincipalName, upn: user.userPrincipalName });
  out.uti = opaque(16);
  out.ver = f.version;
  if (xmsCc) out.xms_cc = xmsCc;
  return out as JWTPayload;
}

/** A v2 ID token for the client (id-token-claims-reference): profile claims with `profile`, email with `email`. */
function idTokenClaims(env: EmulatorEnv, req: UserTokenRequest, iat: number): JWTPayload {
  const { client, user, scopes } = req;
  const profile = scopes.oidc.has('profile');
  const out: Record<string, unknown> = {
    aud: client.app.appId,
    iss: issuerV2(env.authorityHost, env.tenant.tenantId),
    iat,
    nbf: iat,
    exp: iat + ID_TOKEN_LIFETIME_SECONDS,
    aio: opaque(48),
  };
  if (scopes.oidc.has('email') && user.mail) out.email = user.mail;
  if (profile) out.name = user.displayName ?? undefined;
  if (req.nonce !== undefined) out.nonce = req.nonce;
  if (profile) Object.assign(out, { oid: user.id, preferred_username: user.userPrincipalName });
  Object.assign(out, {
    rh: `0.${opaque(60)}.`,
    sub: pairwiseSubject(env, client.app.appId!, user.id!),
    tid: env.tenant.tenantId,
    uti: opaque(16),
    ver: '2.0',
  });
  return out as JWTPayload;
}

/**
 * The response's `scope`: the scopes the access token is valid for. Microsoft Graph's are bare values plus the OIDC
 * scopes; another resource's are prefixed with the identifier the request used (`api://…/Read`, as a real answer for
 * a custom API shows: `"scope":"api://…/files.read"`).
 */
function responseScope(req: UserTokenRequest, granted: string[], oidc: string[], graph: boolean): string {
  const prefix = req.scopes.prefix ?? req.scopes.resource.sp.appId!;
  const values = graph ? granted : granted.map((v) => `${prefix}/${v}`);
  return [...values, ...oidc.filter((s) => !granted.includes(s))].join(' ');
}
