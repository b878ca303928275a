import { OAuthFault } from '../errors.js';
import { mfaFault } from './oauth-errors.js';

/**
 * The errors of the interactive flows — the authorize endpoint and its pages, the authorization code, refresh token
 * and device code grants — one named constructor per AADSTS code, with the texts of the error reference
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes) or of real answers where one was
 * found (cited per entry). What no source settles is marked UNCONFIRMED (also in docs/emulator-fidelity.md).
 */
export const interactiveErrors = {
  // ---- authorize: shown on the error page (never sent to a redirect URI that is not known to be the app's)
  /** AADSTS900971 "No reply address provided." (reference-error-codes). `error` UNCONFIRMED. */
  noRedirectUri: () => new OAuthFault('invalid_request', 900971, 'No reply address provided.'),
  /** AADSTS500113 (observed text: OneDrive/onedrive-sample-apibrowser-dotnet#27). `error` UNCONFIRMED. */
  noRegisteredRedirectUri: () => new OAuthFault('invalid_request', 500113, 'No reply address is registered for the application.'),
  /** AADSTS50011, the current text (observed: unoplatform/uno.todo#180, OfficeDev/microsoft-teams-apps-company-communicator#1035). */
  redirectUriMismatch: (uri: string, appId: string) =>
    new OAuthFault(
      'invalid_request',
      50011,
      `The redirect URI '${uri}' specified in the request does not match the redirect URIs configured for the application '${appId}'. ` +
        'Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. ' +
        'Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.',
    ),
  /** AADSTS70007 UnsupportedResponseMode (reference-error-codes); the text is UNCONFIRMED. */
  unsupportedResponseMode: (mode: string) => new OAuthFault('invalid_request', 70007, `The response_mode '${mode}' is not supported for this request.`),

  // ---- authorize: sent to the redirect URI
  /** AADSTS700054 "response_type 'id_token' is not enabled for the application." (reference-error-codes). */
  idTokenNotEnabled: () => new OAuthFault('unsupported_response_type', 700054, "response_type 'id_token' is not enabled for the application."),
  /** AADSTS700051 (widely observed text); the code for `token` is not in the reference (it names 70005): UNCONFIRMED. */
  tokenNotEnabled: () => new OAuthFault('unsupported_response_type', 700051, "response_type 'token' is not enabled for the application."),
  /** A response_type that is neither code, id_token nor token: AADSTS70005 UnsupportedResponseType; text UNCONFIRMED. */
  unsupportedResponseType: (value: string) => new OAuthFault('unsupported_response_type', 70005, `The app requested an unsupported response type '${value}'.`),
  /** AADSTS501491 InvalidCodeChallengeMethodInvalidSize (reference-error-codes): a challenge outside RFC 7636's 43–128 characters. */
  codeChallengeSize: () => new OAuthFault('invalid_request', 501491, 'Invalid size of Code_Challenge parameter.'),
  /** A code_challenge_method other than S256 and plain: the code and text are UNCONFIRMED (AADSTS9002313, the generic malformed request). */
  codeChallengeMethod: (method: string) =>
    new OAuthFault('invalid_request', 9002313, `Invalid request. Request is malformed or invalid. The code_challenge_method '${method}' is not supported.`),
  /**
   * AADSTS50058 login_required: prompt=none without a session (observed text, e.g. MicrosoftDocs troubleshooting
   * pages quoting "Error :login_required; Error description:AADSTS50058: A silent sign-in request was sent …").
   */
  loginRequired: () =>
    new OAuthFault(
      'login_required',
      50058,
      "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD. " +
        'This can happen if the user is using Internet Explorer or Edge, and the web app sending the silent sign-in request is in different IE security zone than the Azure AD endpoint (login.microsoftonline.com).',
    ),
  /** prompt=none when the session lacks MFA a policy requires: interaction_required with 50076's text (UNCONFIRMED at /authorize). */
  mfaInteractionRequired: (resourceAppId: string, policyIds: string[]) => mfaFault('interaction_required', resourceAppId, policyIds),
  /** prompt=none without consent: consent_required AADSTS65001 (the authorize endpoint's documented error value). */
  consentRequired: (clientAppId: string, clientName: string) =>
    new OAuthFault(
      'consent_required',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientAppId}' named '${clientName}'. Send an interactive authorization request for this user and resource.`,
    ),

  // ---- authorization_code grant
  /** AADSTS70000 (observed text: "The provided value for the 'code' parameter is not valid."). */
  codeInvalid: () => new OAuthFault('invalid_grant', 70000, "The provided value for the 'code' parameter is not valid."),
  /** AADSTS70000 with "The code has expired." (an observed 2021 answer, invalid_grant). */
  codeExpired: () => new OAuthFault('invalid_grant', 70000, "The provided value for the 'code' parameter is not valid. The code has expired."),
  /** AADSTS54005 (reference-error-codes); invalid_grant UNCONFIRMED but what every observed redemption error uses. */
  codeRedeemed: () =>
    new OAuthFault(
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  /** AADSTS500112: the redeeming redirect_uri differs from the authorize request's (observed name and text; `error` UNCONFIRMED). */
  redirectUriDiffers: (given: string, original: string) =>
    new OAuthFault(
      'invalid_grant',
      500112,
      `The reply address '${given}' does not match the reply address '${original}' provided when requesting Authorization code.`,
    ),
  /** AADSTS501481 (observed body, invalid_grant); also for a missing verifier when the code was issued with a challenge (UNCONFIRMED). */
  codeVerifierMismatch: () =>
    new OAuthFault('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'),
  /** AADSTS9002325 (observed text); invalid_request like its siblings 9002326/9002327 (UNCONFIRMED for this one). */
  pkceRequiredCrossOrigin: () =>
    new OAuthFault('invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.'),
  /** AADSTS9002326 (observed body: invalid_request, 400; the text with the origin: msal-js#5196). */
  crossOriginNotSpa: (origin: string) =>
    new OAuthFault(
      'invalid_request',
      9002326,
      `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`,
    ),
  /** AADSTS9002327 (observed: msal-js#2482, sidebase/nuxt-auth#301 — invalid_request). */
  spaNotCrossOrigin: () =>
    new OAuthFault('invalid_request', 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests."),

  // ---- refresh_token grant
  /** An unknown, revoked or malformed refresh token: AADSTS9002313 (observed for refresh: MicrosoftDocs/azure-docs#63819). */
  refreshTokenInvalid: () => new OAuthFault('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  /** AADSTS700082 ExpiredOrRevokedGrantInactiveToken (reference-error-codes). */
  refreshTokenExpired: (issuedIso: string, inactive: string) =>
    new OAuthFault(
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${issuedIso} and was inactive for ${inactive}.`,
    ),
  /** AADSTS700084: a single-page app's refresh token after its fixed 24 hours (reference-error-codes). */
  spaRefreshTokenExpired: (issuedIso: string) =>
    new OAuthFault(
      'invalid_grant',
      700084,
      `The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on ${issuedIso}.`,
    ),

  // ---- device code
  /** 400 authorization_pending AADSTS70016 (observed bodies, e.g. the one quoted in msal-common's test data). */
  authorizationPending: () => new OAuthFault('authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.'),
  /** expired_token with AADSTS70019 CodeExpired (reference-error-codes); pairing and text UNCONFIRMED. */
  deviceCodeExpired: () => new OAuthFault('expired_token', 70019, 'Verification code expired.'),
  /** authorization_declined (v2-oauth2-device-code): the AADSTS code is UNCONFIRMED (65004 UserDeclinedConsent chosen). */
  authorizationDeclined: () => new OAuthFault('authorization_declined', 65004, 'The user declined the authorization request.'),
  /** bad_verification_code (v2-oauth2-device-code) with AADSTS70018 BadVerificationCode; the pairing and text are UNCONFIRMED. */
  badVerificationCode: () => new OAuthFault('bad_verification_code', 70018, 'The device_code sent to the /token endpoint was not recognized.'),
};
