import { OAuthFault } from '../errors.js';

/**
 * The On-Behalf-Of grant's own errors (the user assertion); client, scope, consent and conditional access errors
 * are the shared ones of oauth-errors.ts. `invalid_grant`, 400, unless noted. Sources per code below and in
 * docs/emulator-fidelity.md "On-Behalf-Of".
 */
export const oboErrors = {
  /**
   * AADSTS500131: the assertion is not a token for the calling application. Text observed in full
   * (OfficeDev/microsoft-teams-apps-company-communicator#214, microsoft/AzureTRE-Deployment#65); `invalid_grant`
   * as quoted with it in public test fixtures (UNCONFIRMED by a captured answer).
   */
  audienceMismatch: (aud: string, clientAppId: string, clientName: string) =>
    new OAuthFault(
      'invalid_grant',
      500131,
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${aud}' and the expected audience is '${clientAppId}' ` +
        `or one of the Application Uris of this application with App ID '${clientAppId}'(${clientName}). The downstream client must request a token for the expected ` +
        'audience (the application that made the OBO request) and this application should use that token as the assertion.',
    ),
  /**
   * AADSTS500133, invalid_grant (observed through MSAL.NET's MsalUiRequiredException, microsoftgraph/msgraph-sdk-dotnet#2551,
   * whose text this is; 2018's body in MicrosoftDocs/azure-docs#16399 is invalid_grant too). It fails at the expiry
   * second itself: no clock skew.
   */
  assertionExpired: (nowMs: number, expSeconds: number) =>
    new OAuthFault(
      'invalid_grant',
      500133,
      'Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. ' +
        `Current time: ${ticks(nowMs)}, expiry time of assertion ${ticks(expSeconds * 1000)}.`,
    ),
  /** A `nbf` in the future: the same code (the text's "valid time range" covers it; UNCONFIRMED). */
  assertionNotYetValid: (nowMs: number, nbfSeconds: number) =>
    new OAuthFault(
      'invalid_grant',
      500133,
      `Assertion is not within its valid time range. Current time: ${ticks(nowMs)}, assertion valid from ${ticks(nbfSeconds * 1000)}.`,
    ),
  /**
   * AADSTS50013 with the signature reason, invalid_grant (observed bodies: AzureAD/azure-activedirectory-library-for-dotnet#1234,
   * AzureAD/microsoft-authentication-library-for-dotnet#1317, Azure-Samples/ms-identity-javascript-tutorial#140).
   */
  badSignature: (thumbprintHex: string, start: string, end: string) =>
    new OAuthFault(
      'invalid_grant',
      50013,
      `Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprintHex}', Found key 'Start=${start}, End=${end}']`,
    ),
  /** A key id this tenant does not publish: the client assertion's "The key was not found." reason (UNCONFIRMED for user assertions). */
  keyNotFound: (thumbprintHex: string) =>
    new OAuthFault(
      'invalid_grant',
      50013,
      `Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprintHex}']`,
    ),
  /**
   * AADSTS50013 InvalidAssertion for the other reasons reference-error-codes lists ("The token issuer doesn't match
   * the API version within its valid time range -expired -malformed"): the texts are UNCONFIRMED.
   */
  malformed: () => new OAuthFault('invalid_grant', 50013, 'Assertion is invalid: it is not a well-formed JWT.'),
  wrongIssuer: (iss: string) => new OAuthFault('invalid_grant', 50013, `Assertion is invalid: the token issuer '${iss}' is not this tenant's.`),
  /**
   * An app-only token as the assertion: "the OBO flow only works for user principals" (v2-oauth2-on-behalf-of-flow,
   * client limitations). The code and text Entra answers are UNCONFIRMED: AADSTS50013 InvalidAssertion chosen.
   */
  appOnlyAssertion: () =>
    new OAuthFault(
      'invalid_grant',
      50013,
      'Assertion is invalid: it is an application token. The On-Behalf-Of flow exchanges a user token; an application calls as itself with the client credentials grant.',
    ),
  /** An ID token as the assertion: AADSTS240002 (text observed in AzureAD/microsoft-authentication-library-for-dotnet#2611; `error` UNCONFIRMED). */
  idTokenAssertion: () => new OAuthFault('invalid_grant', 240002, "Input id_token cannot be used as 'urn:ietf:params:oauth:grant-type:jwt-bearer' grant."),
};

/** .NET's round-trip format, as in the observed AADSTS500133 text: 2024-06-20T11:53:16.0381024Z. */
function ticks(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}
