/**
 * THE throttle gate of a run: every Graph request (a lone one, or a $batch envelope with its items) passes it
 * before it goes, and hands it its answer after. It does not decide retries — the retry table does (retry.ts) —
 * only when a request may leave: after a 429 the requests of that limit wait for Retry-After and then go out at
 * the rate the limit showed it refills (throttle.ts), so the items retried after a 429 do not all meet the next
 * one together, round after round (https://learn.microsoft.com/graph/throttling#best-practices-to-handle-throttling).
 *
 * Which limit an item draws from (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits):
 * every identity request the application+tenant resource units; a write also the write quota; a conditional access
 * request also its one request per second. A 429 names its limit in x-ms-throttle-information / x-ms-throttle-scope;
 * a conditional access 429 comes without Retry-After. A 429 that names no limit and asks no wait (an injected fault,
 * a proxy's) is left to the retry table's backoff: it says nothing about a quota to pace to.
 *
 * Which bucket: Graph's resource units per application+tenant depend on the tenant's size by users (S < 50 users
 * 3,500 RU per 10 s, M up to 500 5,000, L 8,000). The reader asks `GET /users/$count` in its first round (reader.ts);
 * the gate reads that answer as it passes (or is told: `knowBucket`) and lets an open lane send what the bucket holds
 * rather than 20 % of the smallest one (throttle.ts). Without it (403: the identity may not read users, B2C's 400, a
 * body it cannot read) nothing changes.
 *
 * One gate per application+tenant pair and Graph host in a process (`gateFor`), as Graph keeps one bucket per pair:
 * an apply right after a plan, or applies run side by side through the programmatic API, pace to the bucket the
 * others emptied instead of each meeting it with a burst. A new process learns it again from its first answers.
 */
import { paths } from './paths.js';
import { bucketOfUsers, Lane, LANES, type LaneAnswer, type LaneName, type LaneTicket } from './throttle.js';

/** What the gate reads of a request and of its answer (transport.ts GraphRequestSpec and GraphResponse). */
interface GraphRequestSpec {
  method: string;
  path: string;
  body?: unknown;
}
interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface Item {
  method: string;
  url: string;
  /** Its id in the $batch. */
  id?: string;
}

/** What a request took from each lane it draws from. */
export interface GateTicket {
  items: Item[];
  batch: boolean;
  lanes: Partial<Record<LaneName, LaneTicket>>;
}

interface Waiter {
  need: Partial<Record<LaneName, number>>;
  items: Item[];
  batch: boolean;
  resolve: (t: GateTicket) => void;
}

const CONDITIONAL_ACCESS = /^\/?(v1\.0\/)?identity\/conditionalAccess\//i;
const ORDER: readonly LaneName[] = ['resource-units', 'writes', 'conditional-access'];

/** The lanes one item draws from. */
function lanesOf(item: Item): LaneName[] {
  const out: LaneName[] = ['resource-units'];
  if (item.method !== 'GET') out.push('writes');
  if (CONDITIONAL_ACCESS.test(item.url)) out.push('conditional-access');
  return out;
}

/** The limit a 429 for `item` is about, or undefined when it names none and asks no wait. */
export function limitOf(item: Item, headers: Record<string, string>): LaneName | undefined {
  const info = headers['x-ms-throttle-information'] ?? '';
  const scope = headers['x-ms-throttle-scope'] ?? '';
  const retryAfter = Number(headers['retry-after']);
  if (info === 'WriteLimitExceeded' || /\/Write(\/|$)/.test(scope)) return 'writes';
  if (CONDITIONAL_ACCESS.test(item.url) && (info === 'RequestLimitExceeded' || headers['retry-after'] === undefined)) return 'conditional-access';
  if (info || scope || retryAfter >= 1) return 'resource-units';
  return undefined;
}

function itemsOf(req: GraphRequestSpec): { items: Item[]; batch: boolean } {
  const requests =
    req.path === paths.batch ? (req.body as { requests?: Array<{ id?: unknown; method?: string; url?: string }> } | undefined)?.requests : undefined;
  if (!Array.isArray(requests)) return { items: [{ method: req.method, url: req.path }], batch: false };
  return { items: requests.map((r) => ({ method: String(r.method ?? 'GET').toUpperCase(), url: String(r.url ?? ''), id: String(r.id) })), batch: true };
}

type ItemAnswer = { status: number; headers: Record<string, string>; body?: unknown };

/** Each item's status and headers (undefined: not answered): a $batch's own, or the request's when it was not one or was refused whole. */
function answersOf(ticket: GateTicket, res: GraphResponse): Array<ItemAnswer | undefined> {
  const responses = (res.body as { responses?: Array<{ id?: unknown; status?: number; headers?: Record<string, unknown> }> } | undefined)?.responses;
  if (!ticket.batch || res.status !== 200 || !Array.isArray(responses))
    return ticket.items.map(() => ({ status: res.status, headers: res.headers, ...(ticket.batch ? {} : { body: res.body }) }));
  const byId = new Map<string, ItemAnswer>();
  for (const r of responses as Array<{ id?: unknown; status?: number; headers?: Record<string, unknown>; body?: unknown }>) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    byId.set(String(r.id), { status: Number(r.status), headers, body: r.body });
  }
  return ticket.items.map((item) => byId.get(item.id ?? ''));
}

/** x-ms-throttle-limit-percentage as a fraction (the doc's 0.8…1.8; a value written as a percentage is scaled). */
function usageOf(headers: Record<string, string>): number | undefined {
  const v = Number(headers['x-ms-throttle-limit-percentage']);
  if (!Number.isFinite(v) || headers['x-ms-throttle-limit-percentage'] === undefined) return undefined;
  return v > 2 ? v / 100 : v;
}

/** `GET /users/$count` (https://learn.microsoft.com/graph/api/user-list, "Get only a count of users"), any query after it. */
const USER_COUNT = /^\/?(v1\.0\/)?users\/\$count(\?|$)/i;

/**
 * The number a `/users/$count` answer carries, or undefined. On its own it is text/plain; inside a $batch the item's
 * body is that text as a JSON string (OData's JSON batch format) or, as Graph writes non-JSON bodies of some items,
 * base64 — which one Graph sends is UNCONFIRMED, so all three are read.
 */
export function countOf(body: unknown): number | undefined {
  if (typeof body === 'number') return Number.isInteger(body) && body >= 0 ? body : undefined;
  if (typeof body !== 'string') return undefined;
  const text = body.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64').toString('utf8').trim();
  return /^\d+$/.test(decoded) ? Number(decoded) : undefined;
}

const gates = new Map<string, ThrottleGate>();

/** The gate of an application+tenant pair at a Graph host (the key), shared by every run of this process. */
export function gateFor(key: string): ThrottleGate {
  let g = gates.get(key);
  if (!g) gates.set(key, (g = new ThrottleGate()));
  return g;
}

export class ThrottleGate {
  readonly lanes: Record<LaneName, Lane> = {
    'resource-units': new Lane(LANES['resource-units']),
    writes: new Lane(LANES.writes),
    'conditional-access': new Lane(LANES['conditional-access']),
  };
  private waiters: Waiter[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  /** 429s seen (items) since the gate was made. */
  throttled = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Wait until `req` may go; settle the returned ticket with its answer. */
  admit(req: GraphRequestSpec): Promise<GateTicket> {
    const { items, batch } = itemsOf(req);
    const need: Partial<Record<LaneName, number>> = {};
    for (const item of items) for (const l of lanesOf(item)) need[l] = (need[l] ?? 0) + 1;
    return new Promise((resolve) => {
      this.waiters.push({ need, items, batch, resolve });
      this.pump();
    });
  }

  /**
   * The application+tenant pair's resource unit bucket, per 10 s (e.g. bucketOfUsers of the tenant's users): the
   * resource units lane, while open, may send what it holds. A bucket told again replaces the first.
   */
  knowBucket(ruPer10s: number): void {
    this.lanes['resource-units'].know(ruPer10s);
    this.pump();
  }

  /** The answer to an admitted request; undefined when none came (a network failure). */
  settle(ticket: GateTicket, res: GraphResponse | undefined): void {
    const now = this.now();
    const per: Partial<Record<LaneName, LaneAnswer>> = {};
    if (res) {
      answersOf(ticket, res).forEach((a, i) => {
        const item = ticket.items[i];
        if (!a) return;
        // The tenant's users, read with the first round's items: its bucket, known as soon as the answer is back.
        if (a.status === 200 && item.method === 'GET' && USER_COUNT.test(item.url)) {
          const users = countOf(a.body);
          if (users !== undefined) this.lanes['resource-units'].know(bucketOfUsers(users));
        }
        if (a.status === 429) {
          this.throttled++;
          const lane = limitOf(item, a.headers);
          if (!lane || !ticket.lanes[lane]) return;
          const x = (per[lane] ??= { accepted: 0, throttled: 0 });
          x.throttled++;
          const ra = Number(a.headers['retry-after']);
          if (a.headers['retry-after'] !== undefined && Number.isFinite(ra)) x.retryAfterMs = Math.max(x.retryAfterMs ?? 0, ra * 1000);
          return;
        }
        for (const lane of lanesOf(item)) {
          const x = (per[lane] ??= { accepted: 0, throttled: 0 });
          x.accepted++;
          if (lane !== 'resource-units') continue;
          const u = usageOf(a.headers);
          if (u !== undefined) {
            x.usageHeader = true;
            x.usage = Math.max(x.usage ?? 0, u);
          }
        }
      });
    }
    for (const lane of ORDER) {
      const t = ticket.lanes[lane];
      if (t) this.lanes[lane].settle(now, t, res ? (per[lane] ?? { accepted: 0, throttled: 0 }) : undefined);
    }
    this.pump();
  }

  /** Let go every waiter its lanes admit, in order; one that waits for resource units holds those behind it (they all need them). */
  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    let soonest = Infinity;
    for (let i = 0; i < this.waiters.length;) {
      const w = this.waiters[i];
      let wait = 0;
      let holdsOthers = false;
      for (const lane of ORDER) {
        const n = w.need[lane];
        if (!n) continue;
        const ms = this.lanes[lane].waitMs(now, n);
        if (ms > 0 && lane === 'resource-units') holdsOthers = true;
        wait = Math.max(wait, ms);
      }
      if (wait === 0) {
        const lanes: GateTicket['lanes'] = {};
        for (const lane of ORDER) if (w.need[lane]) lanes[lane] = this.lanes[lane].take(now, w.need[lane]!);
        this.waiters.splice(i, 1);
        w.resolve({ items: w.items, batch: w.batch, lanes });
        continue;
      }
      soonest = Math.min(soonest, wait);
      if (holdsOthers) break;
      i++;
    }
    // Infinity: waiting for answers in flight, which call pump again.
    if (Number.isFinite(soonest)) this.timer = setTimeout(() => this.pump(), soonest);
  }
}
