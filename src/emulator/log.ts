import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of the request log. Only property names of bodies are kept, never values (secrets!). */
export interface RequestLogEntry {
  time: string;
  service: 'graph' | 'login';
  method: string;
  path: string;
  status: number;
  durationMs: number;
  bodyKeys: string[];
  /** Set on the sub-requests of a `$batch` (path without version); each is logged as it completes, before its envelope's line. */
  batch?: boolean;
  /** The resource units Graph's quotas charged it (x-ms-resource-unit; quotas.ts); a $batch envelope has none. */
  resourceUnits?: number;
  /** The Graph or AADSTS error code, when the request failed. */
  errorCode?: string;
  /** The `client-request-id` the client sent (header; for the token endpoint also the query or form field msal uses). */
  clientRequestId?: string;
  /** An id of the run that sent it, when the client sends `x-tenantform-run-id`. */
  runId?: string;
  /**
   * Which attempt this is: the client's `x-tenantform-attempt` header when it sends one, else 1 + the earlier requests
   * with the same service, method, path and clientRequestId (none sent counts as one more value).
   */
  attempt?: number;
  /** The fault rule that fired on this request (fault-rules.ts); `status` is 0 when no answer was sent (reset, timeout). */
  fault?: { rule: string; kind: string };
}

/** In-memory request log, also appended as JSON lines to a file (TENANTFORM_EMULATOR_LOG) when configured. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  private readonly attempts = new Map<string, number>();
  constructor(private readonly file?: string) {
    // Fail at start-up, not on the first request, when the log's folder cannot be created.
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  add(entry: RequestLogEntry): void {
    const key = `${entry.service} ${entry.method} ${entry.path} ${entry.clientRequestId ?? ''}`;
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    entry.attempt ??= n;
    this.entries.push(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }

  /** Entries since a mark (an index taken with `mark()`), e.g. to count the writes of one apply. */
  since(mark: number): RequestLogEntry[] {
    return this.entries.slice(mark);
  }

  mark(): number {
    return this.entries.length;
  }
}

/** What the request itself says about who sent it: client-request-id, run id, attempt number. */
export function requestIdentity(headers: Record<string, string | string[] | undefined>, fallbackRequestId?: string): Partial<RequestLogEntry> {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;
  const out: Partial<RequestLogEntry> = {};
  const crid = one(headers['client-request-id']) ?? fallbackRequestId;
  if (crid) out.clientRequestId = crid;
  const run = one(headers['x-tenantform-run-id']);
  if (run) out.runId = run;
  const attempt = Number(one(headers['x-tenantform-attempt']));
  if (Number.isInteger(attempt) && attempt > 0) out.attempt = attempt;
  return out;
}

/** Top-level property (or form field) names of a body. */
export function bodyKeys(body: unknown): string[] {
  return body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).sort() : [];
}

/** Graph writes in a slice of the log: non-GET Graph requests, counting $batch items rather than envelopes. */
export function graphWrites(entries: RequestLogEntry[]): RequestLogEntry[] {
  return entries.filter((e) => e.service === 'graph' && e.method !== 'GET' && !e.path.endsWith('/$batch'));
}
