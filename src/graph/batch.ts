import { paths } from './paths.js';
import { TenantformError } from '../errors.js';
import { backoffMs, isRetryableFailure, lastFailedAttempt, ruleFor, waitUntil } from './retry.js';
import type { GraphRequestSpec, GraphResponse, GraphSender } from './transport.js';

/** Graph accepts at most 20 requests per $batch (https://learn.microsoft.com/graph/json-batching). */
export const BATCH_LIMIT = 20;

export interface BatchOptions {
  deadline: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Send many independent GETs as $batch envelopes of ≤20, all envelopes in parallel, so N reads cost one
 * round trip. Items answered 429 are sent again after their own Retry-After (the SDKs do not retry
 * batch items); every envelope passes the run's throttle gate (gate.ts), which, once Graph throttles, lets them out
 * at the rate its quota refills instead of all at once. Sub-request URLs carry no version (Graph rejects `/v1.0/…`
 * inside a batch).
 */
export async function batchRequests(transport: GraphSender, specs: GraphRequestSpec[], opts: BatchOptions): Promise<GraphResponse[]> {
  const results: Array<GraphResponse | undefined> = new Array(specs.length);
  let pending = specs.map((_, i) => i);
  if (pending.length === 0) return [];
  return waitUntil<GraphResponse[]>(
    'batch',
    async (round) => {
      const chunks: number[][] = [];
      for (let i = 0; i < pending.length; i += BATCH_LIMIT) chunks.push(pending.slice(i, i + BATCH_LIMIT));
      const throttled: Array<{ index: number; waitMs: number }> = [];
      await Promise.all(
        chunks.map(async (chunk) => {
          const items = await sendEnvelope(
            transport,
            chunk.map((i) => ({ id: String(i), spec: specs[i] })),
            opts,
          );
          for (const [i, res] of items) {
            // A read is asked again after every answer the retry table retries for reads, not only throttling.
            if (specs[i].method === 'GET' ? ruleFor('read', res) : res.status === 429 || res.status === 503) {
              // An item without Retry-After waits 1 s; one with 0 (or garbage) waits the backoff.
              throttled.push({ index: i, waitMs: Math.max(0, Number(res.headers['retry-after'] ?? 1) * 1000) || backoffMs('batch', round) });
            }
            results[i] = res;
          }
        }),
      );
      pending = throttled.map((t) => t.index);
      if (pending.length === 0) return { done: results as GraphResponse[] };
      return {
        again: {
          why: 'batch items throttled',
          waitMs: Math.max(...throttled.map((t) => t.waitMs)),
          pastDeadline: () => results as GraphResponse[], // leave the 429s in the results; callers map them
        },
      };
    },
    opts,
  );
}

export async function sendEnvelope(
  transport: GraphSender,
  items: Array<{ id: string; spec: GraphRequestSpec }>,
  opts: BatchOptions,
): Promise<Array<[number, GraphResponse]>> {
  const payload = {
    requests: items.map(({ id, spec }) => ({
      id,
      method: spec.method,
      url: spec.path,
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.body !== undefined ? { body: spec.body, headers: { 'Content-Type': 'application/json', ...(spec.headers ?? {}) } } : {}),
    })),
  };
  // An envelope of reads may be sent again after any transient failure. One holding writes only after a 429 (Graph
  // throttled it whole, nothing ran): after a 5xx or a lost answer some items may have been applied, so each
  // item's own caller decides, under the retry table, with a re-read of what it creates (retry.ts withRetry).
  const readsOnly = items.every(({ spec }) => spec.method === 'GET');
  const res = await waitUntil<GraphResponse>(
    'batch',
    async (n) => {
      let res: GraphResponse;
      try {
        res = await transport.send({ method: 'POST', path: paths.batch, body: payload });
      } catch (e) {
        if (!readsOnly || !isRetryableFailure(e) || n >= lastFailedAttempt(e)) throw e;
        return { again: { why: 'network failure', pastDeadline: 'wait anyway', quiet: true } };
      }
      const again = res.status === 429 || (readsOnly && ruleFor('read', res) !== undefined);
      if (!again) return { done: res };
      return {
        again: {
          why: res.status === 429 || res.status === 503 ? '$batch throttled' : `$batch answered ${res.status}`,
          // Retry-After 0 (or missing) waits the backoff.
          waitMs: Number(res.headers['retry-after'] ?? 0) * 1000 || undefined,
          pastDeadline: () => {
            const what =
              res.status === 429 || res.status === 503 ? 'kept throttling the $batch request' : `kept answering the $batch request with ${res.status}`;
            throw new TenantformError('TIMEOUT', `Microsoft Graph ${what}; wait a minute and re-run.`);
          },
        },
      };
    },
    opts,
  );
  if (res.status !== 200) {
    // The envelope's answer is every item's: their callers retry (or report) each under the retry table.
    if (ruleFor('write', res)) return items.map(({ id }) => [Number(id), { status: res.status, headers: res.headers, body: res.body }]);
    throw new TenantformError('GRAPH_ERROR', `Microsoft Graph rejected a $batch request with ${res.status}.`, { status: res.status, body: res.body });
  }
  const responses = (res.body as { responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: unknown }> }).responses ?? [];
  return responses.map((r) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    return [Number(r.id), { status: r.status, headers, body: r.body }];
  });
}
