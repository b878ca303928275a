/**
 * What each fault kind answers: Graph's error envelope (errors.ts), Entra's OAuth error shape for the token endpoint,
 * or no answer at all (ConnectionFault: the pipeline resets or holds the connection).
 */
import { GraphFault, OAuthFault } from './errors.js';
import { oauthErrors } from './login/oauth-errors.js';

/** The parts of a rule (fault-rules.ts FaultRuleInfo) an answer depends on; structural, so neither file imports the other back. */
interface FaultRuleInfo {
  id: string;
  kind: string;
  retryAfter?: number;
  aadsts?: number;
  error?: string;
  status?: number;
  message?: string;
}

/** No HTTP answer: the pipeline destroys the connection (`reset`) or holds it, then destroys it (`timeout`). */
export class ConnectionFault extends Error {
  constructor(
    readonly mode: 'reset' | 'timeout',
    readonly timeoutMs = 30_000,
    /** The rule that fired, for the request log of the envelope when a $batch item drops the connection. */
    readonly fault?: { rule: string; kind: string },
  ) {
    super(`emulator fault: connection ${mode}`);
  }
}

export const COMMIT_KINDS: ReadonlySet<string> = new Set(['commit-then-503', 'commit-then-504', 'commit-then-reset']);

const retryAfter = (rule: FaultRuleInfo): Record<string, string> => (rule.retryAfter === undefined ? {} : { 'Retry-After': String(rule.retryAfter) });

/**
 * Graph's answers. 503: the directory's code and text (observed, manicminer/hamilton odata tests; Azure AD Graph
 * message ids), Retry-After only when the rule gives one (https://learn.microsoft.com/graph/errors: "may" send it).
 * 502/504: the gateway's `UnknownError` with an empty message (observed: microsoft-graph-docs#2505, #5288; #133 shows a
 * 504 for a POST that was applied — what commit-then-504 models). 500: `Service_InternalServerError`, the directory's
 * generic server fault (message UNCONFIRMED). 409: a write refused (not applied) while another change to the same
 * object is in flight (observed text: nais/azurerator, n8n and PowerShell reports; anchors.md gotcha 8).
 */
export function graphFault(kind: string, rule: FaultRuleInfo): GraphFault {
  const h = retryAfter(rule);
  switch (kind) {
    case '503':
    case 'commit-then-503':
      return new GraphFault(503, 'Service_ServiceUnavailable', 'Service is temporarily unavailable. Please wait and retry again.', undefined, h);
    case '502':
    case '504':
    case 'commit-then-504':
      return new GraphFault(kind === '502' ? 502 : 504, 'UnknownError', '', undefined, h);
    case '409-concurrency':
      return new GraphFault(
        409,
        'Directory_ConcurrencyViolation',
        'Error due to concurrent requests being made to the tenant. Please wait briefly and retry.',
        undefined,
        h,
      );
    default:
      return new GraphFault(500, 'Service_InternalServerError', 'Encountered an internal server error.', undefined, h);
  }
}

/**
 * Entra's OAuth errors for the token endpoint (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 * A 5xx answers with the AADSTS code Entra documents for an outage of its directory (90033 MsodsServiceUnavailable)
 * or of token issuance (50000 TokenIssuanceError); the `error` values and statuses of those are UNCONFIRMED.
 */
export function oauthFault(rule: FaultRuleInfo, form: Record<string, string | undefined>, tenant: string): OAuthFault {
  const clientId = form.client_id ?? '';
  if (rule.kind !== 'aadsts') {
    const status = rule.kind === '500' ? 500 : rule.kind === '502' ? 502 : rule.kind === '504' || rule.kind === 'commit-then-504' ? 504 : 503;
    return status === 500 ? known(50000, 500) : known(90033, status);
  }
  const code = rule.aadsts!;
  const base = KNOWN[code]?.(clientId, tenant);
  if (!base && (rule.error === undefined || rule.message === undefined)) {
    // Checked when the rule is added (checkAadsts), so this is only reached through a hand-made FaultRuleInfo.
    throw new Error(`fault rule ${rule.id}: AADSTS${code} needs error and message`);
  }
  return new OAuthFault(rule.error ?? base!.error, code, rule.message ?? base!.message, rule.status ?? base!.status);
}

/** The codes a rule can name without giving error/message itself. */
const KNOWN: Record<number, (clientId: string, tenant: string) => OAuthFault> = {
  7000215: (c) => oauthErrors.wrongSecret(c),
  7000222: (c) => oauthErrors.expiredSecret(c),
  700016: (c, t) => oauthErrors.unknownClient(c, t),
  90033: () =>
    new OAuthFault('temporarily_unavailable', 90033, "MsodsServiceUnavailable - The Microsoft Online Directory Service (MSODS) isn't available.", 503),
  90024: () => new OAuthFault('temporarily_unavailable', 90024, 'RequestBudgetExceededError - A transient error has occurred. Try again.', 503),
  50000: () => new OAuthFault('server_error', 50000, "TokenIssuanceError - There's an issue with the sign-in service.", 500),
  50196: () =>
    new OAuthFault(
      'invalid_request',
      50196,
      'The server terminated an operation because it encountered a client request loop. Please contact your app vendor.',
    ),
};

function known(code: number, status: number): OAuthFault {
  const f = KNOWN[code]('', '');
  return new OAuthFault(f.error, code, f.message, status);
}

export const KNOWN_AADSTS = Object.keys(KNOWN).map(Number);

export function checkAadsts(rule: { aadsts?: number; error?: string; message?: string }): string | undefined {
  if (rule.aadsts === undefined || KNOWN[rule.aadsts] || (rule.error !== undefined && rule.message !== undefined)) return undefined;
  return `AADSTS${rule.aadsts} is not one the emulator knows (${KNOWN_AADSTS.join(', ')}): give error and message too`;
}

export function oauthRetryAfter(rule: FaultRuleInfo): Record<string, string> {
  return retryAfter(rule);
}
