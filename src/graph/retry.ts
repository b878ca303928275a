import { TenantformError } from '../errors.js';
import { graphErrorOf, type GraphResponse } from './transport.js';

/**
 * What a Graph call is, for the retry table. The same status means different things for different
 * operations: a 404 on a read is an answer; on a write to an object this run just created it means
 * "not replicated yet" (https://learn.microsoft.com/graph/best-practices-concept#handling-expected-errors).
 */
export type OpKind =
  | 'read' // 404 is an answer
  | 'read-after-write' // reading back what this run wrote: 404 means not replicated yet
  | 'write' // PATCH/DELETE/action on an object that exists (maybe only just)
  | 'write-pre-authorization' // PATCH of api.preAuthorizedApplications naming scopes written moments ago
  | 'delete' // DELETE (or restore) of an object that may be gone already: 404 is an answer (teardown re-runs)
  | 'upsert' // PATCH …(key) + Prefer: create-if-missing: idempotent by key
  | 'create-service-principal'
  | 'create-assignment'
  | 'create-grant'
  | 'create-federated-credential'
  | 'add-password'
  | 'create-policy' // POST of a conditional access policy (not idempotent: reconciled by its marker)
  | 'write-policy' // PATCH of a conditional access policy
  // Not a Graph call: verify's client-credentials token request (src/verify/run.ts); codes are `AADSTS<n>`.
  | 'acquire-token';

type RetryClass = 'throttle' | 'transient' | 'replication';

interface RetryRule {
  ops: readonly OpKind[] | 'any';
  status: number;
  /** Graph error codes (never message text); omitted = any code. */
  codes?: readonly string[];
  retry: RetryClass;
  why: string;
}

const WRITES_AFTER_CREATE: readonly OpKind[] = [
  'read-after-write',
  'write',
  'write-pre-authorization',
  'upsert',
  'add-password',
  'create-service-principal',
  'create-assignment',
  'create-grant',
  'create-federated-credential',
];

/**
 * THE retry table. Anything not listed here is not retried and reaches the user as a mapped error.
 * Sources: reference/graph-api.md §4.3 (throttling) and §5 (eventual consistency), TF azuread retry funcs.
 */
export const RETRY_TABLE: readonly RetryRule[] = [
  { ops: 'any', status: 429, retry: 'throttle', why: 'throttled; honour Retry-After (https://learn.microsoft.com/graph/throttling)' },
  { ops: 'any', status: 503, retry: 'throttle', why: 'service unavailable; honour Retry-After' },
  { ops: 'any', status: 504, retry: 'transient', why: 'gateway timeout' },
  { ops: 'any', status: 502, retry: 'transient', why: 'bad gateway' },
  // A 500 is the service's own failure, transient as a rule (https://learn.microsoft.com/graph/errors); a create
  // that may have been applied is re-read before it is sent again, as after every ambiguous answer.
  { ops: 'any', status: 500, retry: 'transient', why: 'internal server error' },
  { ops: WRITES_AFTER_CREATE, status: 404, codes: ['Request_ResourceNotFound'], retry: 'replication', why: 'object not replicated to this replica yet' },
  {
    ops: ['write', 'upsert'],
    status: 400,
    codes: ['CannotDeleteOrUpdateEnabledEntitlement'],
    retry: 'replication',
    why: 'the disabled role/scope has not replicated yet',
  },
  // Upsert by uniqueName of an app created moments ago (e.g. a re-run after a crash): the lookup misses the
  // unreplicated app and the uniqueness check finds it — 400 "…uniqueName already exists" until it replicates.
  // A soft-deleted app holding the uniqueName gives the same answer; session.ts detects that before apply.
  { ops: ['upsert'], status: 400, codes: ['Request_BadRequest'], retry: 'replication', why: 'the application with this uniqueName has not replicated yet' },
  {
    ops: ['write', 'upsert'],
    status: 409,
    codes: ['Error_MsaAppDoesNotExist'],
    retry: 'replication',
    why: 'MSA side of a new app not created yet (azuread #1764)',
  },
  // Credential writes to one application in quick succession (keyCredentials PATCH, addPassword) are refused,
  // not applied, with 409 Directory_ConcurrencyViolation (anchors.md gotcha 8; nais/azurerator #448); any other
  // write refused so is not applied either.
  {
    ops: 'any',
    status: 409,
    codes: ['Directory_ConcurrencyViolation'],
    retry: 'replication',
    why: 'a concurrent change to the same application',
  },
  // Pre-authorizing scopes written moments ago: 400 until they replicate (microsoft-graph-docs-contrib#1395;
  // Microsoft 365 Agents Toolkit retries "OAuth permission not found"). The planner checked the ids offline.
  {
    ops: ['write-pre-authorization'],
    status: 400,
    codes: ['Request_BadRequest'],
    retry: 'replication',
    why: 'the scopes to pre-authorize have not replicated yet',
  },
  // A policy naming an application created moments ago: conditional access sees new service principals later
  // than Graph (hashicorp/terraform-provider-azuread PR #1047) and answers 400 BadRequest until then. The planner
  // checked offline everything else a 400 could be about (schema, keywords, ids, apps in the tenant).
  {
    ops: ['create-policy', 'write-policy'],
    status: 400,
    codes: ['BadRequest'],
    retry: 'replication',
    why: 'an application the policy names is not visible to conditional access yet',
  },
  // SP create right after app create: 400 "appId … does not reference a valid application object" or a misleading 403.
  { ops: ['create-service-principal'], status: 400, codes: ['Request_BadRequest'], retry: 'replication', why: 'application not replicated yet' },
  {
    ops: ['create-service-principal'],
    status: 403,
    codes: ['Authorization_RequestDenied'],
    retry: 'replication',
    why: 'application not replicated yet (misleading 403)',
  },
  // Assignment/grant right after SP create: 400 "Not a valid reference update" / "… does not exist …". A real
  // duplicate is also 400 Request_BadRequest, which is why creates re-read before each retry.
  { ops: ['create-assignment', 'create-grant'], status: 400, codes: ['Request_BadRequest'], retry: 'replication', why: 'service principal not replicated yet' },
  // Token requests right after apply (verify): the token service reads replicas too. A new secret is refused
  // as wrong (https://learn.microsoft.com/entra/identity-platform/howto-create-service-principal-portal), a new
  // app or SP is unknown, a new certificate is not found, and new assignments are not in the token yet.
  // Keyed on AADSTS numbers from `error_codes`, never message text; verify only waits when the manifest says
  // the missing thing was created by tenantform (src/verify/run.ts).
  {
    ops: ['acquire-token'],
    status: 401,
    codes: ['AADSTS7000215'],
    retry: 'replication',
    why: 'the new client secret has not reached the token service yet (AADSTS7000215)',
  },
  {
    ops: ['acquire-token'],
    status: 400,
    codes: ['AADSTS700016'],
    retry: 'replication',
    why: 'the client application has not reached the token service yet (AADSTS700016)',
  },
  {
    ops: ['acquire-token'],
    status: 400,
    codes: ['AADSTS500011'],
    retry: 'replication',
    why: "the API's service principal has not reached the token service yet (AADSTS500011)",
  },
  {
    ops: ['acquire-token'],
    status: 401,
    codes: ['AADSTS700027'],
    retry: 'replication',
    why: 'the new certificate has not reached the token service yet (AADSTS700027)',
  },
  {
    ops: ['acquire-token'],
    status: 425,
    codes: ['RoleAssignmentNotReplicated'],
    retry: 'replication',
    why: 'the granted app roles are not in the token yet (AADSTS501051 or no roles claim)',
  },
];

/**
 * How long to wait before attempt n+1 when an answer carries no usable Retry-After: `firstMs · 2^n`, at
 * most `maxMs`. Every backoff of the tool comes from here, through `waitUntil`.
 */
export const BACKOFF = {
  /** withRetry: transient and replication errors, throttling without Retry-After, network failures. */
  graph: { firstMs: 250, maxMs: 8000 },
  /** A throttled $batch envelope or item without Retry-After (src/graph/batch.ts). No cap: the deadline ends it. */
  batch: { firstMs: 250, maxMs: Infinity },
  /** Reading keyCredentials back until it shows this run's own PATCHes (src/apply/keys.ts). */
  'certificates-read-back': { firstMs: 250, maxMs: 4000 },
  /** Reading roles/scopes back until they show disabled (src/apply/applications.ts). */
  'entitlements-read-back': { firstMs: 200, maxMs: 4000 },
} as const satisfies Record<string, { firstMs: number; maxMs: number }>;

export type BackoffKind = keyof typeof BACKOFF;

export function backoffMs(kind: BackoffKind, attempt: number): number {
  const { firstMs, maxMs } = BACKOFF[kind];
  return Math.min(maxMs, firstMs * 2 ** attempt);
}

/** Another attempt is needed. */
export interface Again<T> {
  why: string;
  /** How long the answer asks to wait (Retry-After), in ms; omitted: the kind's backoff. */
  waitMs?: number;
  /**
   * When the next wait would pass the deadline: throw (or return the answer to give up with). 'wait anyway'
   * for failures the caller bounds by attempts instead (network errors).
   */
  pastDeadline: (() => T) | 'wait anyway';
  /** Do not report this wait through onWait. */
  quiet?: boolean;
}

export type Step<T> = { done: T } | { again: Again<T> };

export interface WaitOptions {
  /** Absolute deadline (ms since epoch). */
  deadline: number;
  sleep?: (ms: number) => Promise<void>;
  /** `leftMs`: time until the deadline, when the loop gives up (shown to people as "gives up in …"). */
  onWait?: (info: { waitMs: number; why: string; attempt: number; leftMs: number }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * THE wait loop: run `check(attempt)` until it is done, sleeping between attempts for the answer's
 * Retry-After or else the kind's backoff (BACKOFF), never past the deadline.
 */
export async function waitUntil<T>(kind: BackoffKind, check: (attempt: number) => Promise<Step<T>>, opts: WaitOptions): Promise<T> {
  const sleep = opts.sleep ?? defaultSleep;
  for (let n = 0; ; n++) {
    const step = await check(n);
    if ('done' in step) return step.done;
    const { again } = step;
    const waitMs = again.waitMs ?? backoffMs(kind, n);
    if (again.pastDeadline !== 'wait anyway' && Date.now() + waitMs > opts.deadline) return again.pastDeadline();
    if (!again.quiet) opts.onWait?.({ waitMs, why: again.why, attempt: n + 1, leftMs: Math.max(0, opts.deadline - Date.now()) });
    await sleep(waitMs);
  }
}

export interface RetryOptions extends WaitOptions {
  /** Before retrying a create: re-read by identity; a response returned here ends the loop (it exists now). */
  reconcile?: () => Promise<GraphResponse | undefined>;
}

export function ruleFor(op: OpKind, res: GraphResponse): RetryRule | undefined {
  const { code } = graphErrorOf(res);
  return RETRY_TABLE.find((r) => (r.ops === 'any' || r.ops.includes(op)) && r.status === res.status && (!r.codes || r.codes.includes(code)));
}

/** A Retry-After header in ms, when it is a number of seconds. */
export function retryAfterMs(res: GraphResponse): number | undefined {
  const ra = res.headers['retry-after'];
  return ra !== undefined && Number.isFinite(Number(ra)) ? Math.max(0, Number(ra) * 1000) : undefined;
}

/** Wait before the next attempt: Retry-After for throttling, else the `graph` backoff (250 ms ×2, ≤ 8 s). */
export function waitFor(rule: RetryRule, res: GraphResponse, attempt: number): number {
  return (rule.retry === 'throttle' ? retryAfterMs(res) : undefined) ?? backoffMs('graph', attempt);
}

/** Errors of the transport that are final: retrying cannot help (src/graph/network.ts maps them). */
const FINAL = new Set<string>(['TLS_ERROR', 'INTERRUPTED', 'USAGE']);

/** A thrown transport error that asking again may cure (a reset, a timeout), as opposed to a final one. */
export function isRetryableFailure(e: unknown): boolean {
  return !(e instanceof TenantformError && FINAL.has(e.code));
}

/**
 * How many attempts a thrown failure gets. A connection that was reset or timed out reached Graph (a proxy restart, a
 * load balancer draining): 8 attempts, ~24 s of backoff. Anything else — refused, no DNS answer — more likely means
 * the host is wrong or down: 5 attempts, ~4 s, so a wrong --graph-url is reported soon.
 */
export function lastFailedAttempt(e: unknown): number {
  const cause = e instanceof TenantformError ? e.meta.cause : undefined;
  return cause === 'reset' || cause === 'timeout' ? 7 : 4;
}

function unreachable(e: unknown): TenantformError {
  if (e instanceof TenantformError) return e;
  return new TenantformError('GRAPH_ERROR', `Could not reach Microsoft Graph: ${(e as Error).message}. Check the network and --graph-url.`, {
    cause: String(e),
  });
}

/**
 * Run one Graph call under the retry table. Throttling is retried until the deadline as well, but
 * throttle waits never count as failures. Returns the final response (success or a non-retryable error).
 */
export async function withRetry(op: OpKind, attempt: () => Promise<GraphResponse>, opts: RetryOptions): Promise<GraphResponse> {
  // A create is re-read by identity before it is sent again: the failed attempt may have been applied.
  let reconcile = false;
  return waitUntil<GraphResponse>(
    'graph',
    async (n) => {
      if (reconcile) {
        // The lookup is a Graph call too: a network failure there is one more failed attempt, not an escape.
        let done: GraphResponse | undefined;
        try {
          done = await opts.reconcile?.();
        } catch (e) {
          if (n >= lastFailedAttempt(e)) throw unreachable(e);
          return { again: { why: 'network failure', pastDeadline: 'wait anyway', quiet: true } };
        }
        if (done) return { done };
      }
      let res: GraphResponse;
      try {
        res = await attempt();
      } catch (e) {
        // A certificate problem or the user's Ctrl-C does not get better by asking again.
        if (!isRetryableFailure(e)) throw e;
        // Network failure: the request may or may not have been applied, so creates reconcile first.
        if (n >= lastFailedAttempt(e)) throw unreachable(e);
        reconcile = true;
        return { again: { why: 'network failure', pastDeadline: 'wait anyway', quiet: true } };
      }
      if (res.status < 400) return { done: res };
      const rule = ruleFor(op, res);
      if (!rule) return { done: res };
      // A 429 is unambiguous: Graph applied nothing. Re-reading before the next attempt would only spend the quota the
      // attempt needs (conditional access allows one request per second per tenant: the read would starve the create).
      reconcile = res.status !== 429 && (op.startsWith('create-') || op === 'add-password');
      const gaveUp = (): never => {
        const { code, message } = graphErrorOf(res);
        throw new TenantformError(
          'TIMEOUT',
          `Gave up waiting for Microsoft Graph (${rule.why}): still ${res.status} ${code} after ${n + 1} attempts. Re-run the command; it converges. (${message})`,
          { status: res.status, graphCode: code, attempts: n + 1 },
        );
      };
      return { again: { why: rule.why, waitMs: rule.retry === 'throttle' ? retryAfterMs(res) : undefined, pastDeadline: gaveUp } };
    },
    opts,
  );
}
