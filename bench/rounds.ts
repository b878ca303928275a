import type { RequestLogEntry } from '../src/emulator/index.js';
import { GraphTransport } from '../src/graph/transport.js';

/**
 * Round trips on the critical path.
 *
 * A request's interval is [sent, answered]. Requests whose intervals overlap were in flight together;
 * a request sent after another was answered may depend on it. The number of round trips on the critical
 * path is the largest set of pairwise non-overlapping intervals — the sequential depth — which the classic
 * greedy "earliest end first" computes exactly. With L ms injected latency, wall time ≥ depth × L.
 *
 * Graph requests are timed on the CLIENT, by wrapping GraphTransport.send (the one door every Graph call
 * of the engine goes through; a `$batch` envelope is one request): server-side times would make requests
 * that were sent together look sequential when the client was slow to open connections under load.
 * Sign-in requests are made by MSAL, not the transport, so they are timed from the emulator's request log
 * (server side: [end − durationMs, end]).
 */
export interface Interval {
  start: number;
  end: number;
}

/** Sequential depth: the maximum number of pairwise disjoint intervals. */
export function sequentialDepth(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a.end - b.end);
  let depth = 0;
  let lastEnd = -Infinity;
  for (const i of sorted) {
    if (i.start >= lastEnd) {
      depth++;
      lastEnd = i.end;
    }
  }
  return depth;
}

/** Server-side intervals of top-level requests in the log (batch items are part of their envelope). */
export function logIntervals(entries: readonly RequestLogEntry[]): Interval[] {
  return entries
    .filter((e) => !e.batch)
    .map((e) => {
      const end = Date.parse(e.time);
      return { start: end - e.durationMs, end };
    });
}

/** Record the client-side interval of every GraphTransport request on the wire (epoch ms; not its wait at the throttle gate). */
export function recordGraphRequests(): { intervals: Interval[]; uninstall(): void } {
  const intervals: Interval[] = [];
  const original = GraphTransport.prototype.sendOnWire;
  const now = () => performance.timeOrigin + performance.now();
  GraphTransport.prototype.sendOnWire = async function (this: GraphTransport, req) {
    const start = now();
    try {
      return await original.call(this, req);
    } finally {
      intervals.push({ start, end: now() });
    }
  };
  return { intervals, uninstall: () => void (GraphTransport.prototype.sendOnWire = original) };
}

export interface PhaseStats {
  graphRequests: number;
  batchItems: number;
  graphWrites: number;
  /** Resource units Graph's quotas charged (src/emulator/quotas.ts). */
  resourceUnits: number;
  /** Graph requests and $batch items answered 429. */
  throttled: number;
  loginRequests: number;
  graphRoundTrips: number;
  loginRoundTrips: number;
  /** Graph and sign-in together: the client's whole critical path. */
  roundTrips: number;
}

export function phaseStats(entries: readonly RequestLogEntry[], graph: readonly Interval[]): PhaseStats {
  const graphEntries = entries.filter((e) => e.service === 'graph');
  const top = graphEntries.filter((e) => !e.batch);
  // Server-side, millisecond-rounded times: shrink each by 1 ms at both ends so rounding never makes two
  // sequential sign-in requests overlap (the clock is the same machine's as the client's).
  const login = logIntervals(entries.filter((e) => e.service === 'login')).map((i) => ({ start: i.start + 1, end: Math.max(i.start + 1, i.end - 1) }));
  return {
    graphRequests: top.length,
    batchItems: graphEntries.length - top.length,
    graphWrites: graphEntries.filter((e) => e.method !== 'GET' && !e.path.endsWith('/$batch')).length,
    resourceUnits: graphEntries.reduce((sum, e) => sum + (e.resourceUnits ?? 0), 0),
    throttled: graphEntries.filter((e) => e.status === 429).length,
    loginRequests: login.length,
    graphRoundTrips: sequentialDepth(graph),
    loginRoundTrips: sequentialDepth(login),
    roundTrips: sequentialDepth([...graph, ...login]),
  };
}
