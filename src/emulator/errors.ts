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
  unsupportedQuery: (message: string) => new GraphFault(400, 'Request_UnsupportedQuery', message),
  bodyRead: (message: string) => new GraphFault(400, 'RequestBodyRead', message),
  duplicateValue: (target: string) =>
    new GraphFault(400, 'DuplicateValue', 'Request contains a property with duplicate values.', [
      { code: 'DuplicateValue', message: 'Request contains a property with duplicate values.', target },
    ]),
  enabledEntitlement: () =>
    new GraphFault(400, 'CannotDeleteOrUpdateEnabledEntitlement', 'Permission (scope or role) cannot be deleted or updated unless disabled first.'),
  hostNotVerified: () =>
    new GraphFault(400, 'HostNameNotOnVerifiedDomain', 'Values of identifierUris property must use a verified domain of the organization or its subdomain'),
  conflict: (message: string) => new GraphFault(409, 'Request_MultipleObjectsWithSameKeyValue', message),
  methodNotAllowed: () => new GraphFault(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'),
  denied: () => new GraphFault(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  unauthenticated: (message: string) => new GraphFault(401, 'InvalidAuthenticationToken', message),
  throttled: (retryAfterSeconds: number) =>
    new GraphFault(429, 'TooManyRequests', 'Please retry again later.', undefined, { 'Retry-After': String(retryAfterSeconds) }, {
      code: '429',
      message: 'Please retry after',
      status: '429',
    }),
  /** Anything the emulator does not model answers this instead of guessing (DESIGN.md style 7). */
  notImplemented: (what: string) => new GraphFault(501, 'NotImplemented', `The tenantform emulator does not implement ${what}.`),
  segmentNotFound: (segment: string) => new GraphFault(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
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
  ) {
    super(message);
  }
}

export function renderOAuthFault(f: OAuthFault, authorityHost: string, correlationId?: string): EmuResponse {
  const traceId = randomUUID();
  const corr = correlationId ?? randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return json(f.status, {
    error: f.error,
    error_description: `AADSTS${f.aadsts}: ${f.message} Trace ID: ${traceId} Correlation ID: ${corr} Timestamp: ${timestamp}`,
    error_codes: [f.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: corr,
    error_uri: `${authorityHost}/error?code=${f.aadsts}`,
  }, { 'Content-Type': 'application/json; charset=utf-8' });
}
