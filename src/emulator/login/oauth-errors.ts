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

/** The claims challenge of a conditional access failure: the policies to satisfy (msal-js #5491, captured traffic). */
export function capolidsChallenge(policyIds: string[]): string {
  return JSON.stringify({ access_token: { capolids: { essential: true, values: policyIds } } });
}

/** The errors of the flows a user signs in to (password grant now; authorization code, refresh, device code, OBO next). */
export const userFlowErrors = {
  /** AADSTS700025 (reference-error-codes); invalid_client observed (harishkrupo/oauth2ms#19, azure-docs#96567). */
  publicClientWithCredential: () =>
    new OAuthFault('invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."),
  /**
   * AADSTS50034, invalid_grant (observed: Microsoft365DSC#801, msal4j#38). Entra writes `{EmailHidden}` in place of
   * the name and the tenant as the request named it (an id or a domain).
   */
  userNotFound: (tenantSegment: string) =>
    new OAuthFault(
      'invalid_grant',
      50034,
      `The user account {EmailHidden} does not exist in the ${tenantSegment} directory. To sign into this application, the account must be added to the directory.`,
    ),
  /** AADSTS50126, invalid_grant (observed in full: Azure/azure-cli#18647). */
  wrongPassword: () => new OAuthFault('invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  /** AADSTS50057 UserDisabled; the `error` value is UNCONFIRMED (invalid_grant chosen). */
  userDisabled: () => new OAuthFault('invalid_grant', 50057, 'The user account is disabled.'),
  /**
   * AADSTS50055 InvalidPasswordExpiredPassword for a user who must change the password first (the password grant
   * cannot). `error` and the suberror user_password_expired (which msal treats as interaction required) are UNCONFIRMED.
   */
  passwordExpired: () => new OAuthFault('invalid_grant', 50055, 'The password is expired.', 400, { suberror: 'user_password_expired' }),
  /** AADSTS65001, invalid_grant with suberror consent_required (observed: stevenmaguire/oauth2-microsoft#31). */
  consentRequired: (clientAppId: string, clientName: string) =>
    new OAuthFault(
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientAppId}' named '${clientName}'. Send an interactive authorization request for this user and resource.`,
      400,
      { suberror: 'consent_required' },
    ),
  /** AADSTS650053, invalid_client (observed at /authorize: damienbod/AspNetCoreMicrosoftGraph#1). Status 400 at the token endpoint is UNCONFIRMED. */
  scopeNotOnResource: (clientName: string, scope: string, resourceAppId: string) =>
    new OAuthFault(
      'invalid_client',
      650053,
      `The application '${clientName}' asked for scope '${scope}' that doesn't exist on the resource '${resourceAppId}'. Contact the app vendor.`,
      400,
    ),
  /** AADSTS28000 (observed text: Earlybyte/aad_oauth#328, Partner-Center-PowerShell#167); the `error` value is UNCONFIRMED (invalid_scope chosen). */
  multipleResources: (scope: string) =>
    new OAuthFault(
      'invalid_scope',
      28000,
      `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    ),
  /** `/.default` together with other scopes of its resource: AADSTS70011 "static scope limit exceeded" (text UNCONFIRMED). */
  defaultWithOtherScopes: (scope: string) =>
    new OAuthFault(
      'invalid_scope',
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope '${scope}' is not valid. static scope limit exceeded.`,
    ),
  /** AADSTS90009 (observed text: Azure-Samples/active-directory-dotnet-native-aspnetcore-v2#36); the `error` value is UNCONFIRMED. */
  tokenForItself: (appId: string, identifier: string) =>
    new OAuthFault(
      'invalid_request',
      90009,
      `Application '${appId}'(${identifier}) is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier.`,
    ),

  // --- conditional access (ca-evaluation.ts) -----------------------------------------------------
  /**
   * AADSTS50076: the exact shape of msal-js #5491's captured answer — 400 invalid_grant, suberror basic_action, and
   * the capolids claims challenge (the docs' older example is 50079 + polids). The resource is its appId.
   */
  mfaRequired: (resourceAppId: string, policyIds: string[]) => mfaFault('invalid_grant', resourceAppId, policyIds),
  /**
   * AADSTS50079 for a user without any MFA method: interaction_required, suberror basic_action and the capolids
   * claims (observed: juunas11/aspnetcore2aadauth#6; the text with the resource: azure-activedirectory-library-for-nodejs#151).
   */
  mfaEnrollmentRequired: (resourceAppId: string, policyIds: string[]) =>
    new OAuthFault(
      'interaction_required',
      50079,
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '${resourceAppId}'.`,
      400,
      { suberror: 'basic_action', claims: capolidsChallenge(policyIds) },
    ),
  /** AADSTS53003: invalid_grant, suberror message_only, capolids claims (a full payload quoted in an Azure SDK log and a Microsoft support blog). */
  blockedByConditionalAccess: (policyIds: string[]) =>
    new OAuthFault('invalid_grant', 53003, 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.', 400, {
      suberror: 'message_only',
      claims: capolidsChallenge(policyIds),
    }),
  /**
   * A grant control the emulator cannot satisfy (no devices or managed apps): the documented code of each
   * (reference-error-codes: 53000 DeviceNotCompliant, 53001 DeviceNotDomainJoined, 53002 ApplicationUsedIsNotAnApprovedApp).
   * The `error` value, texts and the claims are UNCONFIRMED (modelled on 53003's answer).
   */
  controlNotSatisfiable: (aadsts: 53000 | 53001 | 53002, policyIds: string[]) =>
    new OAuthFault(
      'invalid_grant',
      aadsts,
      {
        53000: 'Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant.',
        53001:
          'Device is not in required device state: domain_joined. Conditional Access policy requires a domain joined device, and the device is not domain joined.',
        53002: 'Application used is not an approved application. Conditional Access policy requires an approved client application.',
      }[aadsts],
      400,
      { suberror: 'message_only', claims: capolidsChallenge(policyIds) },
    ),
};

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * AADSTS50076 with the capolids challenge: `invalid_grant` at the token endpoint, `interaction_required` when
 * /authorize with prompt=none cannot show the MFA step (interactive-errors.ts).
 */
export function mfaFault(error: 'invalid_grant' | 'interaction_required', resourceAppId: string, policyIds: string[]): OAuthFault {
  return new OAuthFault(
    error,
    50076,
    `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resourceAppId}'.`,
    400,
    { suberror: 'basic_action', claims: capolidsChallenge(policyIds) },
  );
}
