import type { IncomingHttpHeaders } from 'node:http';
import type { Caller, EmulatorEnv } from '../context.js';
import { GraphFault, graphErrors, renderGraphFault } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../http.js';
import { json } from '../http.js';

/** Runs one sub-request through the normal Graph pipeline (fault rules, throttling, routing, permissions, logging). */
export type SubRequestRunner = (sub: EmuRequest) => Promise<EmuResponse>;

/** At most 20 requests per batch: https://learn.microsoft.com/graph/json-batching#batch-size-limitations */
export const MAX_BATCH_REQUESTS = 20;

/** One validated item of the `requests` array. */
interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

/** One entry of the `responses` array. */
export interface BatchItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Methods Graph calls "write requests" in its batch validation (they need a Content-Type, body or not). */
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT']);

/**
 * POST /$batch — https://learn.microsoft.com/graph/json-batching
 * Envelope problems (malformed payload, > 20 items, duplicate ids, a write without Content-Type) fail
 * the whole batch with 400 and run nothing. Otherwise the answer is 200 and each item carries its own
 * status: items run through `run` (so each one can be throttled, denied or logged on its own), in
 * dependency order, independent items concurrently; an item whose dependency failed answers 424.
 */
export async function handleBatch(req: EmuRequest, _caller: Caller, run: SubRequestRunner, _env: EmulatorEnv): Promise<EmuResponse> {
  const items = parseBatch(req.body);
  const byKey = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  const started = new Map<string, Promise<BatchItemResponse>>();

  const exec = (item: BatchItem): Promise<BatchItemResponse> => {
    const key = item.id.toLowerCase();
    let p = started.get(key);
    if (!p) {
      p = (async () => {
        const deps = await Promise.all(item.dependsOn.map((d) => exec(byKey.get(d.toLowerCase())!)));
        if (deps.some((d) => d.status >= 400)) return failedDependency(item);
        return toItemResponse(item.id, await run(subRequest(item, req)));
      })();
      started.set(key, p);
    }
    return p;
  };

  // Items answer in request order; real Graph may reorder them, clients correlate by id. Every item runs to its end
  // (what it commits stays committed) before a dropped connection of one of them (a reset or timeout fault) fails the
  // envelope: a connection carries the whole batch, so there is no per-item reset (docs/emulator.md, Fault injection).
  const settled = await Promise.allSettled(items.map(exec));
  const dropped = settled.find((s) => s.status === 'rejected');
  if (dropped) throw dropped.reason;
  return json(200, { responses: settled.map((s) => (s as PromiseFulfilledResult<BatchItemResponse>).value) });
}

function parseBatch(body: unknown): BatchItem[] {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { requests?: unknown }).requests)) {
    throw graphErrors.batchInvalid("The payload must be a JSON object with a 'requests' array.");
  }
  const raw = (body as { requests: unknown[] }).requests;
  if (raw.length > MAX_BATCH_REQUESTS) throw graphErrors.batchTooLarge();

  const items = raw.map(parseItem);
  // Ids are compared case-insensitively by Graph (microsoftgraph/microsoft-graph-docs#4449).
  const seen = new Set<string>();
  for (const item of items) {
    const key = item.id.toLowerCase();
    if (seen.has(key)) throw graphErrors.batchDuplicateId(item.id);
    seen.add(key);
  }
  for (const item of items) {
    // The docs require a Content-Type with a body; Graph also rejects bodyless writes without one
    // (json-batching example 4: "you must still specify the headers and body"; ms-365-mcp-server#677).
    if ((item.body !== undefined || WRITE_METHODS.has(item.method)) && !hasHeader(item.headers, 'content-type')) {
      throw graphErrors.batchMissingContentType(item.id);
    }
    for (const d of item.dependsOn) {
      // UNCONFIRMED: Graph's answer to an unknown or cyclic dependsOn; a 400 for the batch is the plausible one.
      if (!seen.has(d.toLowerCase())) throw graphErrors.batchInvalid(`Request ${item.id} depends on an unknown request '${d}'.`);
    }
  }
  assertAcyclic(items);
  assertSequentialOrParallel(items);
  return items;
}

/**
 * "Batch should be either fully sequential or fully parallel" (https://learn.microsoft.com/graph/json-batching, tip
 * under "Sequencing requests with the dependsOn property"). Graph enforces it: the doc's former example — requests 1
 * and 3 independent, 2 after 1, 4 after 2 and 3 — "would get a 400 Bad Request: Batch should be either fully
 * sequential or fully parallel" (microsoftgraph/microsoft-graph-docs#16280; the example was changed to a chain). Here:
 * once any item has a dependsOn, exactly one item may have none (a single chain start). Whether Graph also refuses a
 * branching sequence with one start (2 and 3 both after 1) is UNCONFIRMED, so it is not refused; the code
 * `BadRequest` is UNCONFIRMED (the other envelope errors' code).
 *
 * A dependsOn naming a request that comes LATER in the array is deliberately not refused either: Microsoft's current
 * example (ids 1, 2, 4, 3 with 3 after 4) names ids out of their numeric order, and an SDK report says Graph wants the
 * dependency earlier in the array ("Invalid dependency for request Id…", microsoftgraph/msgraph-sdk-dotnet-core#891)
 * without a payload to copy — the emulator runs items in dependency order whatever their position.
 */
function assertSequentialOrParallel(items: BatchItem[]): void {
  if (!items.some((i) => i.dependsOn.length > 0)) return;
  if (items.filter((i) => i.dependsOn.length === 0).length > 1) {
    throw new GraphFault(400, 'BadRequest', 'Batch should be either fully sequential or fully parallel.');
  }
}

function parseItem(raw: unknown, index: number): BatchItem {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw graphErrors.batchInvalid(`Request #${index + 1} is not an object.`);
  const r = raw as Record<string, unknown>;
  for (const p of ['id', 'method', 'url'] as const) {
    if (typeof r[p] !== 'string' || r[p] === '') throw graphErrors.batchInvalid(`Request #${index + 1} needs a string '${p}'.`);
  }
  if (r.headers !== undefined && (typeof r.headers !== 'object' || r.headers === null || Array.isArray(r.headers))) {
    throw graphErrors.batchInvalid(`The 'headers' of request ${String(r.id)} must be an object.`);
  }
  if (r.dependsOn !== undefined && (!Array.isArray(r.dependsOn) || r.dependsOn.some((d) => typeof d !== 'string'))) {
    throw graphErrors.batchInvalid(`The 'dependsOn' of request ${String(r.id)} must be an array of request ids.`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((r.headers as Record<string, unknown> | undefined) ?? {})) headers[k] = String(v);
  return {
    id: r.id as string,
    method: (r.method as string).toUpperCase(),
    url: r.url as string,
    headers,
    body: r.body,
    dependsOn: (r.dependsOn as string[] | undefined) ?? [],
  };
}

function assertAcyclic(items: BatchItem[]): void {
  const byKey = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (item: BatchItem): void => {
    const key = item.id.toLowerCase();
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting') throw graphErrors.batchInvalid(`The dependsOn of request ${item.id} forms a cycle.`);
    state.set(key, 'visiting');
    for (const d of item.dependsOn) visit(byKey.get(d.toLowerCase())!);
    state.set(key, 'done');
  };
  items.forEach(visit);
}

/**
 * The sub-request as the Graph pipeline sees it. The url keeps whatever the client sent after the host:
 * `/applications`, `applications?$filter=…`, or `/v1.0/applications` — the last one is rejected by the
 * pipeline with "Resource not found for the segment 'v1.0'." as real Graph does (msgraph-sdk-javascript#1178).
 */
function subRequest(item: BatchItem, envelope: EmuRequest): EmuRequest {
  const url = new URL(item.url, 'https://batch.invalid/');
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(item.headers)) headers[k.toLowerCase()] = v;
  // Error bodies echo the client-request-id; fall back to the envelope's when the item has none.
  if (headers['client-request-id'] === undefined && envelope.headers['client-request-id'] !== undefined) {
    headers['client-request-id'] = envelope.headers['client-request-id'];
  }
  return {
    method: item.method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: item.body,
    rawBody: item.body === undefined ? '' : JSON.stringify(item.body),
    inBatch: true,
  };
}

/**
 * Graph puts each item's headers (with "Content-Type", capitalised so) next to its status. The Graph JS
 * SDK's BatchResponseContent parses an item body as JSON only when `headers["Content-Type"]` says so,
 * so the exact key matters. 204 items have no body. A text answer (`/users/$count`'s bare number, text/plain) is
 * the item's body as a JSON string, as OData's JSON batch format writes a textual media type
 * (https://docs.oasis-open.org/odata/odata-json-format/v4.01/odata-json-format-v4.01.html#sec_BatchResponse); whether
 * Graph writes it so or base64-encodes it is UNCONFIRMED (clients read both: graph/gate.ts countOf).
 */
function toItemResponse(id: string, res: EmuResponse): BatchItemResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase() === 'content-type' ? 'Content-Type' : k] = v;
  if (res.body === undefined && res.text !== undefined) return { id, status: res.status, headers, body: res.text };
  if (res.body === undefined) {
    delete headers['Content-Type'];
    return { id, status: res.status, headers };
  }
  headers['Content-Type'] ??= 'application/json';
  return { id, status: res.status, headers, body: res.body };
}

function failedDependency(item: BatchItem): BatchItemResponse {
  return toItemResponse(item.id, renderGraphFault(graphErrors.failedDependency(), header(item.headers, 'client-request-id')));
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return header(headers, name) !== undefined;
}
