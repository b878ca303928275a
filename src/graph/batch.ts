import { paths } from './paths.js';
import { TenantformError } from '../errors.js';
import { backoffMs, waitUntil } from './retry.js';
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
 * batch items). Sub-request URLs carry no version (Graph rejects `/v1.0/…` inside a batch).
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
            if (res.status === 429 || res.status === 503) {
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
  const res = await waitUntil<GraphResponse>(
    'batch',
    async () => {
      const res = await transport.send({ method: 'POST', path: paths.batch, body: payload });
      if (res.status !== 429 && res.status !== 503) return { done: res };
      return {
        again: {
          why: '$batch throttled',
          // Retry-After 0 (or missing) waits the backoff.
          waitMs: Number(res.headers['retry-after'] ?? 0) * 1000 || undefined,
          pastDeadline: () => {
            throw new TenantformError('TIMEOUT', 'Microsoft Graph kept throttling the $batch request; wait a minute and re-run.');
          },
        },
      };
    },
    opts,
  );
  if (res.status !== 200) {
    throw new TenantformError('GRAPH_ERROR', `Microsoft Graph rejected a $batch request with ${res.status}.`, { status: res.status, body: res.body });
  }
  const responses = (res.body as { responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: unknown }> }).responses ?? [];
  return responses.map((r) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    return [Number(r.id), { status: r.status, headers, body: r.body }];
  });
}
