import { randomUUID } from 'node:crypto';
import { json, type EmuResponse } from './http.js';

/**
 * The emulator's single error factory. Graph's envelope is
 * `{error:{code,message,innerError:{date,request-id,client-request-id}}}` (+ `details` for some codes)
 * — https://learn.microsoft.com/graph/errors. Handlers throw `GraphFault`; the server renders it.
 */
export class GraphFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Array<{ code: string; message: string; target?: string }>,
    readonly headers: Record<string, string> = {},
    readonly innerError: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function renderGraphFault(f: GraphFault, clientRequestId?: string): EmuResponse {
  const requestId = randomUUID();
  const error: Record<string, unknown> = {
    code: f.code,
    message: f.message,
    innerError: {
      ...f.innerError,
      date: new Date().toISOString().replace(/\.\d+Z$/, ''),
      'request-id': requestId,
      'client-request-id': clientRequestId ?? requestId,
    },
  };
  if (f.details) error.details = f.details;
  return json(f.status, { error }, { 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId, ...f.headers });
}

/** Named constructors for the Graph errors the emulator answers, with the real codes and messages (reference/graph-api.md §4.2). */
export const graphErrors = {
  notFound: (id: string) =>
    new GraphFault(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
  badRequest: (message: string, details?: GraphFault['details']) => new GraphFault(400, 'Request_BadRequest', message, details),
  /** `/me` with an app-only token: 400 BadRequest, the text `az ad signed-in-user show` prints under a service principal. */
  meWithoutUser: () => new GraphFault(400, 'BadRequest', '/me request is only valid with delegated authentication flow.'),
  unsupportedQuery: (message: string) => new GraphFault(400, 'Request_UnsupportedQuery', message),
  bodyRead: (message: string) => new GraphFault(400, 'RequestBodyRead', message),
  duplicateValue: (target: string) =>
    new GraphFault(400, 'DuplicateValue', 'Request contains a property with duplicate values.', [
      { code: 'DuplicateValue', message: 'Request contains a property with duplicate values.', target },
    ]),
  enabledEntitlement: () =>
    new GraphFault(400, 'CannotDeleteOrUpdateEnabledEntitlement', 'Permission (scope or role) cannot be deleted or updated unless disabled first.'),
  /** Observed text names the URI: "…or its subdomain: 'https://non-verified-host.com'" (terraform-provider-azuread#1392). */
  hostNotVerified: (uri?: string) =>
    new GraphFault(
      400,
      'HostNameNotOnVerifiedDomain',
      `Values of identifierUris property must use a verified domain of the organization or its subdomain${uri === undefined ? '' : `: '${uri}'`}`,
    ),
  conflict: (message: string) => new GraphFault(409, 'Request_MultipleObjectsWithSameKeyValue', message),
  methodNotAllowed: () => new GraphFault(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'),
  denied: () => new GraphFault(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  unauthenticated: (message: string) => new GraphFault(401, 'InvalidAuthenticationToken', message),
  throttled: (retryAfterSeconds: number) =>
    new GraphFault(
      429,
      'TooManyRequests',
      'Please retry again later.',
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
      {
        code: '429',
        message: 'Please retry after',
        status: '429',
      },
    ),
  /** Anything the emulator does not model answers this instead of guessing (DESIGN.md style 7). */
  notImplemented: (what: string) => new GraphFault(501, 'NotImplemented', `The tenantform emulator does not implement ${what}.`),
  segmentNotFound: (segment: string) => new GraphFault(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),

  // ---- Conditional access (/identity/conditionalAccess/policies): its own codes, `BadRequest` with numbered messages.
  /** Observed 403 of the conditional access API (hashicorp/terraform-provider-azuread#1687). */
  caDenied: () => new GraphFault(403, 'AccessDenied', 'You cannot perform the requested operation, required scopes are missing in the token.'),
  /** Observed text: microsoftgraph/microsoft-graph-docs-contrib#4162, hashicorp/terraform-provider-azuread#790. */
  caSchema: () =>
    new GraphFault(
      400,
      'BadRequest',
      '1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For examples, please see API documentation at https://docs.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0.',
    ),
  /** Observed text (KelvinTegelaar/CIPP#5200), including the beta link. */
  caNoApplications: () =>
    new GraphFault(
      400,
      'BadRequest',
      "1011: 'applications' condition must specify the applications to include. Try 'includeApplications' = ['none'] to start with. For examples, please see API documentation at https://docs.microsoft.com/en-us/graph/api/conditionalaccesspolicy-update?view=graph-rest-beta.",
    ),
  /** Observed text (crossplane-contrib/provider-upjet-azuread#5; scripts match on it). */
  caP2: () =>
    new GraphFault(400, 'BadRequest', '1039: Cannot create or update policies with premium P2 features. Upgrade to a premium P2 license and try again.'),
  /** Other refusals of the conditional access API: code `BadRequest` as its observed ones; the message is the caller's (UNCONFIRMED texts). */
  caBadRequest: (message: string) => new GraphFault(400, 'BadRequest', message),

  // ---- JSON batching (https://learn.microsoft.com/graph/json-batching). Envelope errors fail the whole batch with 400.
  /** Observed text: microsoftgraph/microsoftgraph-postman-collections#9. The code `BadRequest` is UNCONFIRMED. */
  batchTooLarge: () => new GraphFault(400, 'BadRequest', 'Number of requests inside batch exceeds the limit.'),
  /** Observed text (ids compare case-insensitively): microsoftgraph/microsoft-graph-docs#4449, msgraph-sdk-java#559. */
  batchDuplicateId: (id: string) => new GraphFault(400, 'BadRequest', `Request Id ${id} has to be unique in a batch.`),
  /** Observed text: Softeria/ms-365-mcp-server#677 (the whole batch fails, no item runs). */
  batchMissingContentType: (id: string) => new GraphFault(400, 'BadRequest', `Write request with id '${id}' does not contain a Content-Type header.`),
  /** Malformed payload (not `{requests:[…]}`, item without id/method/url, bad dependsOn). Message UNCONFIRMED. */
  batchInvalid: (detail: string) => new GraphFault(400, 'BadRequest', `Invalid batch payload format. ${detail}`),
  /** A dependent item whose dependency failed. Status 424 is documented; the code and message are UNCONFIRMED. */
  failedDependency: () => new GraphFault(424, 'FailedDependency', 'Failed Dependency'),
};

/**
 * OAuth errors of the token endpoint: `{error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri}`
 * (reference/tokens.md §3.1). invalid_client answers 401 (observed), everything else 400.
 */
export class OAuthFault extends Error {
  constructor(
    readonly error: string,
    readonly aadsts: number,
    message: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
    /**
     * What some user-flow errors add after error_uri: `suberror` (consent_required, basic_action, message_only, …,
     * which msal maps to InteractionRequiredAuthError) and `claims`, the claims challenge as a JSON string.
     */
    readonly extra: { suberror?: string; claims?: string } = {},
  ) {
    super(message);
  }
}

export function renderOAuthFault(f: OAuthFault, authorityHost: string, correlationId?: string): EmuResponse {
  const traceId = randomUUID();
  const corr = correlationId ?? randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return json(
    f.status,
    {
      error: f.error,
      error_description: `AADSTS${f.aadsts}: ${f.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${corr}\r\nTimestamp: ${timestamp}`,
      error_codes: [f.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: corr,
      error_uri: `${authorityHost}/error?code=${f.aadsts}`,
      // The order of a real conditional access answer: …, error_uri, suberror, claims (a 53003 payload quoted in
      // an Azure SDK debug log and in a Microsoft Japan support blog).
      ...(f.extra.suberror !== undefined ? { suberror: f.extra.suberror } : {}),
      ...(f.extra.claims !== undefined ? { claims: f.extra.claims } : {}),
    },
    { 'Content-Type': 'application/json; charset=utf-8' },
  );
}
