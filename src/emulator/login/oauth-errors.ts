import { OAuthFault } from '../errors.js';

/**
 * The token endpoint's errors, one named constructor per AADSTS code, with the documented
 * messages (https://learn.microsoft.com/entra/identity-platform/reference-error-codes, reference/tokens.md §2–§3).
 * `invalid_client` answers 401 (observed), everything else 400 (OAuthFault's default).
 */
const NO_SUCH_APP_HINT =
  'This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. ' +
  'You may have sent your authentication request to the wrong tenant.';

export const oauthErrors = {
  missingParameter: (name: string) => new OAuthFault('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  /** https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS900561) */
  postOnly: (method: string) => new OAuthFault('invalid_request', 900561, `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`),
  unsupportedGrant: (grantType: string) => new OAuthFault('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`),
  /** Client credentials over /common or /consumers (AADSTS9001023). The `error` value is UNCONFIRMED. */
  grantNotOnCommon: () =>
    new OAuthFault(
      'invalid_request',
      9001023,
      "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
    ),
  /** Observed for a non-GUID client_id (thenetworg/oauth2-azure#209). */
  clientIdNotGuid: () => new OAuthFault('invalid_request', 90112, 'Application identifier is expected to be a GUID.'),
  /** The v2 endpoint refuses v1's `resource` parameter (AADSTS901002). */
  resourceParameter: () => new OAuthFault('invalid_request', 901002, "The 'resource' request parameter is not supported."),

  // --- client --------------------------------------------------------------------------------------
  unknownClient: (appId: string, tenant: string) =>
    new OAuthFault('unauthorized_client', 700016, `Application with identifier '${appId}' was not found in the directory '${tenant}'. ${NO_SUCH_APP_HINT}`),
  /** AADSTS7000112 UnauthorizedClientApplicationDisabled; the `error` value is UNCONFIRMED. */
  clientDisabled: (appId: string, name: string) => new OAuthFault('unauthorized_client', 7000112, `Application '${appId}'(${name}) is disabled.`),
  missingCredential: () =>
    new OAuthFault('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  wrongSecret: (appId: string) =>
    new OAuthFault(
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
    ),
  expiredSecret: (appId: string) =>
    new OAuthFault(
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    ),

  // --- client assertion (error value and status of these are UNCONFIRMED; invalid_client/401 chosen) --
  malformedAssertion: (why: string) => new OAuthFault('invalid_client', 50027, `JWT token is invalid or malformed. ${why}`),
  wrongAssertionType: (value: string) =>
    new OAuthFault('invalid_request', 900144, `The request body must contain the following parameter: 'client_assertion_type'. Received '${value}'.`),
  keyNotFound: (thumbprintHex: string, appId: string) =>
    new OAuthFault(
      'invalid_client',
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., ` +
        `Thumbprint of key used by client: '${thumbprintHex}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${appId}'.]`,
    ),
  keyExpired: (thumbprintHex: string, start: string, end: string) =>
    new OAuthFault(
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbprintHex}', Found key 'Start=${start}, End=${end}']`,
    ),
  /** UNCONFIRMED wording: the not-yet-valid case is not documented. */
  keyNotYetValid: (thumbprintHex: string, start: string, end: string) =>
    new OAuthFault(
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. [Reason - The key is not yet valid., Thumbprint of key used by client: '${thumbprintHex}', Found key 'Start=${start}, End=${end}']`,
    ),
  badSignature: () => new OAuthFault('invalid_client', 700027, 'Client assertion failed signature validation.'),
  /** Real messages: "Client assertion audience claim does not match Realm issuer." */
  wrongAudience: (aud: string) =>
    new OAuthFault('invalid_client', 50012, `Client assertion audience claim does not match Realm issuer. Audience in assertion: '${aud}'.`),
  subjectMismatch: () => new OAuthFault('invalid_client', 50048, 'Subject mismatches Issuer claim in the client assertion.'),
  /** AADSTS700021 (Azure SDK troubleshooting guides). */
  assertionClientMismatch: () => new OAuthFault('invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter."),
  assertionTime: (now: number, nbf: number | undefined, exp: number | undefined) =>
    new OAuthFault(
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${nbf ? iso(nbf * 1000) : 'n/a'}, expiry time of assertion ${exp ? iso(exp * 1000) : 'n/a'}.`,
    ),

  // --- scope and resource ------------------------------------------------------------------------
  notDefaultScope: (scope: string) =>
    new OAuthFault(
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  multipleResources: (scope: string) =>
    new OAuthFault(
      'invalid_scope',
      700022,
      `The provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    ),
  resourcelessScope: (scope: string) =>
    new OAuthFault(
      'invalid_scope',
      700023,
      `The provided value for the input parameter scope is not valid when requesting an access token. Scope ${scope} is not valid.`,
    ),
  resourceNotFound: (resource: string, tenant: string) =>
    new OAuthFault(
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. ` +
        'This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. ' +
        'You might have sent your authentication request to the wrong tenant.',
    ),
  /** AADSTS501051: docs say invalid_client, a blog shows invalid_grant — the `error` value is UNCONFIRMED (invalid_grant, 400, chosen). */
  notAssigned: (clientAppId: string, clientName: string, resourceAppId: string, resourceName: string) =>
    new OAuthFault(
      'invalid_grant',
      501051,
      `Application '${clientAppId}'(${clientName}) is not assigned to a role for the application '${resourceAppId}'(${resourceName}).`,
    ),
};

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
