import type { EmulatorEnv } from '../context.js';
import type { EmuRequest } from '../http.js';
import { checkAssertion, JWT_BEARER } from './assertion.js';
import { basicCredentials, checkSecret, type ClientIdentity } from './client.js';
import { oauthErrors, userFlowErrors } from './oauth-errors.js';

/** How the client proved itself, as appidacr/azpacr say it: "0" public client, "1" secret, "2" certificate. */
export type ClientAcr = '0' | '1' | '2';

export type TokenForm = Record<string, string | undefined>;

/**
 * The client credential of a token request, checked: a certificate assertion (private_key_jwt) → "2", a secret
 * (client_secret_post, or HTTP Basic naming the same client) → "1", none → undefined.
 */
export async function checkClientCredential(
  env: EmulatorEnv,
  req: EmuRequest,
  form: TokenForm,
  client: ClientIdentity,
  clientId: string,
): Promise<'1' | '2' | undefined> {
  if (form.client_assertion !== undefined || form.client_assertion_type !== undefined) {
    if (!form.client_assertion_type) throw oauthErrors.missingParameter('client_assertion_type');
    if (form.client_assertion_type !== JWT_BEARER) throw oauthErrors.wrongAssertionType(form.client_assertion_type);
    if (!form.client_assertion) throw oauthErrors.missingParameter('client_assertion');
    await checkAssertion(env, { client, clientId, assertion: form.client_assertion, audiences: tokenEndpointAudiences(env, req) });
    return '2';
  }
  const secret = presentedSecret(req, form, clientId);
  if (secret === undefined) return undefined;
  checkSecret(env, client, secret);
  return '1';
}

/** Basic auth only counts when it names the same client (RFC 6749 §2.3.1); a mismatch is treated as no credential. */
function presentedSecret(req: EmuRequest, form: TokenForm, clientId: string): string | undefined {
  const basic = basicCredentials(req.headers.authorization);
  const secret = form.client_secret ?? (basic && basic.clientId.toLowerCase() === clientId.toLowerCase() ? basic.secret : undefined);
  return secret === '' ? undefined : secret;
}

/** True when the request carries any client credential (secret, Basic or assertion), valid or not. */
export function presentsCredential(req: EmuRequest, form: TokenForm, clientId: string): boolean {
  return form.client_assertion !== undefined || form.client_assertion_type !== undefined || presentedSecret(req, form, clientId) !== undefined;
}

/**
 * Client authentication for the grants a user takes part in (password now; authorization code, refresh token and
 * device code next). Whether the application is a public client decides: Entra uses isFallbackPublicClient
 * ("Allow public client flows") when the flow itself does not tell it, which is the case for the password grant
 * (https://learn.microsoft.com/graph/api/resources/application, isFallbackPublicClient).
 * - public, no credential → "0"; public with a credential → AADSTS700025 (invalid_client);
 * - confidential without a credential → AADSTS7000218; with one → checked like client credentials ("1"/"2").
 * UNCONFIRMED: that an application with only `web` redirect URIs stays confidential even with
 * isFallbackPublicClient true (reported in Azure/azure-sdk-for-go#22386) is not modelled.
 */
export async function authenticateUserFlowClient(
  env: EmulatorEnv,
  req: EmuRequest,
  form: TokenForm,
  client: ClientIdentity,
  clientId: string,
  publicClient: boolean,
): Promise<ClientAcr> {
  const presented = presentsCredential(req, form, clientId);
  if (publicClient) {
    if (presented) throw userFlowErrors.publicClientWithCredential();
    return '0';
  }
  const acr = await checkClientCredential(env, req, form, client, clientId);
  if (!acr) throw oauthErrors.missingCredential();
  return acr;
}

/**
 * The `aud` a client assertion may carry: this tenant's token endpoint (v2, and v1's /oauth2/token), by tenant
 * id or verified domain, on the emulator's origin or on the Host the request came to (e.g. behind a proxy that
 * answers for login.microsoftonline.com). msal-node lowercases the authority, so comparison is case-insensitive.
 */
function tokenEndpointAudiences(env: EmulatorEnv, req: EmuRequest): string[] {
  const origins = new Set([env.authorityHost]);
  if (req.headers.host) origins.add(`https://${req.headers.host}`);
  const tenants = [env.tenant.tenantId, ...env.tenant.verifiedDomains()];
  const out: string[] = [];
  for (const o of origins) for (const t of tenants) out.push(`${o}/${t}/oauth2/v2.0/token`, `${o}/${t}/oauth2/token`);
  return out;
}
