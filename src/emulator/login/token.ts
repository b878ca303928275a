import type { EmulatorEnv } from '../context.js';
import { OAuthFault, renderOAuthFault } from '../errors.js';
import { json, type EmuRequest, type EmuResponse } from '../http.js';
import { accessTokenClaims, hasAssignment, TOKEN_LIFETIME_SECONDS } from './claims.js';
import { basicCredentials, findClient } from './client.js';
import { checkClientCredential } from './client-auth.js';
import { LoginNotImplemented } from './not-implemented.js';
import { oauthErrors } from './oauth-errors.js';
import { handlePasswordGrant } from './password-grant.js';
import { handleAuthorizationCodeGrant } from './code-grant.js';
import { DEVICE_CODE_GRANTS, handleDeviceCodeGrant } from './device-code.js';
import { handleRefreshTokenGrant } from './refresh-grant.js';
import { findResource, resourceFromScope } from './scope.js';
import type { TenantSegment } from './tenant.js';
import { GUID } from '../guid.js';

/** Real grant types Entra serves that the emulator does not (answered "not implemented", never a guess). */
const OTHER_REAL_GRANTS = new Set([
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml1_1-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
]);

const INTERACTIVE_GRANTS = new Set(['authorization_code', 'refresh_token', ...DEVICE_CODE_GRANTS]);

/**
 * POST /{tenant}/oauth2/v2.0/token. Every answer, error or not, echoes the `client-request-id` the client sent as a
 * response header, as Entra does (MSAL reads it back to match answers to requests: MSAL.NET warns when the echoed id
 * differs from the one sent). Taken from the header, else msal's query parameter or form field; UNCONFIRMED that
 * Entra echoes one sent only in the query or the body.
 */
export async function handleToken(req: EmuRequest, env: EmulatorEnv, tenant: TenantSegment): Promise<EmuResponse> {
  const sent = clientRequestId(req);
  let out: EmuResponse;
  try {
    out = await grant(req, env, tenant);
  } catch (e) {
    if (!(e instanceof OAuthFault) || !sent) throw e;
    out = renderOAuthFault(e, env.authorityHost, sent);
  }
  return sent ? { ...out, headers: { ...out.headers, 'client-request-id': sent } } : out;
}

function clientRequestId(req: EmuRequest): string | undefined {
  const header = req.headers['client-request-id'];
  const value = (typeof header === 'string' ? header : undefined) ?? req.query.get('client-request-id') ?? formFields(req.body)['client-request-id'];
  return value || undefined;
}

/**
 * The grants: client credentials (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow),
 * password (password-grant.ts), the interactive ones and On-Behalf-Of. Unknown form fields (msal's x-client-*,
 * client-request-id) are ignored, as Entra does.
 */
async function grant(req: EmuRequest, env: EmulatorEnv, tenant: TenantSegment): Promise<EmuResponse> {
  if (req.method !== 'POST') throw oauthErrors.postOnly(req.method);
  const form = formFields(req.body);
  if (tenant.kind === 'multi') {
    if (tenant.name === 'organizations') throw new LoginNotImplemented('the token endpoint on /organizations');
    // Entra serves these on /common too; the emulator's interactive flows need a tenant in the authority.
    if (INTERACTIVE_GRANTS.has(form.grant_type ?? '')) throw new LoginNotImplemented(`the ${form.grant_type} grant on /${tenant.name}`);
    throw oauthErrors.grantNotOnCommon();
  }
  if (form.resource !== undefined) throw oauthErrors.resourceParameter();

  const grantType = form.grant_type;
  if (!grantType) throw oauthErrors.missingParameter('grant_type');
  if (grantType === 'password') return handlePasswordGrant(req, env, tenant, form);
  if (grantType === 'authorization_code') return handleAuthorizationCodeGrant(req, env, tenant, form);
  if (grantType === 'refresh_token') return handleRefreshTokenGrant(req, env, tenant, form);
  if (DEVICE_CODE_GRANTS.has(grantType)) return handleDeviceCodeGrant(req, env, tenant, form);
  if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return (await import('./obo-grant.js')).handleOboGrant(req, env, tenant, form);
  if (grantType !== 'client_credentials') {
    if (OTHER_REAL_GRANTS.has(grantType))
      throw new LoginNotImplemented(`the ${grantType} grant (client_credentials, password, authorization_code, refresh_token and device_code are emulated)`);
    throw oauthErrors.unsupportedGrant(grantType);
  }

  const basic = basicCredentials(req.headers.authorization);
  const clientId = form.client_id ?? basic?.clientId;
  if (!clientId) throw oauthErrors.missingParameter('client_id');
  if (!GUID.test(clientId)) throw oauthErrors.clientIdNotGuid();
  const scope = form.scope;
  if (scope === undefined || scope.trim() === '') throw oauthErrors.missingParameter('scope');
  const resourceId = resourceFromScope(scope);

  const client = findClient(env, clientId);
  const acr = await checkClientCredential(env, req, form, client, clientId);
  if (!acr) throw oauthErrors.missingCredential();

  const resource = findResource(env, resourceId);
  // https://learn.microsoft.com/entra/identity-platform/howto-restrict-your-app-to-a-set-of-users (appRoleAssignmentRequired)
  if (resource.sp.appRoleAssignmentRequired && !hasAssignment(env, client.sp, resource.sp)) {
    throw oauthErrors.notAssigned(client.app.appId!, client.app.displayName ?? '', resource.sp.appId!, resource.sp.displayName ?? '');
  }

  const { version, claims } = accessTokenClaims(env, { client, resource, acr });
  const accessToken = await env.keys.sign(claims, version);
  return json(
    200,
    { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: accessToken },
    { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
  );
}

/** Form fields as strings (the pipeline parses x-www-form-urlencoded into an object; anything else has none). */
export function formFields(body: unknown): Record<string, string | undefined> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}
