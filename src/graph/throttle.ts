/**
 * Pacing under one of Graph's limits (a "lane"): how many items may go out now, learned from the answers, so a run
 * that needs more than the quota waits for it instead of spending it on 429s. Pure: time comes in as `now`.
 *
 * Graph meters identity requests with token buckets per application+tenant
 * (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits): resource units per 10 s,
 * writes per 2 min 30 s, conditional access one request per second; each $batch item is judged alone. A client
 * does not know the tenant's size (S/M/L), nor what else drew from its bucket, so a lane learns the refill rate:
 *
 * - open (nothing known): at most `cap` items in flight, grown by every clean answer (TCP's slow start), so small
 *   runs go out at once and a fleet's first burst is bounded by what the bucket showed it could take.
 *   Told the bucket (`know`: the tenant's size from its user count, gate.ts), an open lane may also send while
 *   what it drew stays under `HINT_SHARE` of the bucket — its own draws refilled at the bucket's rate, so what it sent
 *   a window ago is back — and a fleet's round goes out whole instead of 600 items at a time. What others drew from
 *   the same bucket it cannot see: the share leaves them room, and their draws show in the usage header as before.
 * - paced (after a 429, or an answer at > 80 % of the quota): items leave at `rate` per second, around `base`, the
 *   estimated refill. The first estimate is what the bucket accepted in the last window, over that window (a full
 *   bucket holds one window of refill), never below the smallest documented quota. Then:
 *   - whenever the bucket is known empty — a 429, or an answer at ≥ 95 % of the quota — what it accepted since the
 *     previous such moment is what it refilled: `base` becomes that rate less 10 % (too soon after the previous
 *     moment to measure, after a 429, `base` halves), and the rate falls back to `base`;
 *   - a 429 also closes the lane for its Retry-After ("wait … and reduce the rate",
 *     https://learn.microsoft.com/graph/throttling#best-practices-to-handle-throttling);
 *   - `x-ms-throttle-limit-percentage` (sent above 80 % of the resource unit quota) steers between: well below the
 *     quota the rate grows (the bucket's credit is spent), near 90 % it holds. A server that never sends the header
 *     gets a gentle growth that 429s correct.
 * Only items sent before a lane's last reaction count once: a burst of 429s from one overload is one event.
 */

export type LaneName = 'resource-units' | 'writes' | 'conditional-access';

export interface LaneSpec {
  /** The doc's window of the limit: the first rate guess is what the bucket accepted in one window, over it. */
  windowMs: number;
  /** A documented fixed rate, in items per second (conditional access: 1). */
  ratePerSec?: number;
  /**
   * The smallest documented quota as items per second: a first guess never goes below it, so a run that meets an
   * empty bucket (another run of the same app just drained it) and has seen nothing accepted does not crawl.
   */
  floorRate?: number;
  /** Items in flight before the lane is throttled; grown by clean answers up to `maxInFlight`. */
  initialInFlight?: number;
  maxInFlight?: number;
}

/**
 * Graph's limits as lanes. 500 items (25 envelopes) go at once, so a 200-stack plan (~430 reads a round) still takes
 * 2 round trips, while a run that meets an empty bucket loses at most those 500 to 429s. At most 600 are in flight:
 * ~700 RU, 20 % of the smallest bucket (S, 3,500 RU) — what is sent before the answers that cross 80 % of the quota
 * come back cannot empty a bucket that still held 20 %. Floors: an S tenant's 3,500 RU per 10 s at ~1.2 RU an item;
 * 3,000 writes per 2 min 30 s. Told the tenant's bucket (Lane.know), the resource units lane may have more in flight.
 */
export const LANES: Record<LaneName, LaneSpec> = {
  'resource-units': { windowMs: 10_000, floorRate: 300, initialInFlight: 500, maxInFlight: 600 },
  writes: { windowMs: 150_000, floorRate: 20 },
  'conditional-access': { windowMs: 1000, ratePerSec: 1 },
};

/** Resource units per 10 s of an application+tenant pair by the tenant's users: S < 50, M 50–500, L > 500 (throttling-limits). */
export function bucketOfUsers(users: number): number {
  return users < 50 ? 3500 : users <= 500 ? 5000 : 8000;
}

/** RU an item is counted at against a known bucket: most reads cost 1, some 2 (assignments, lists; throttling-limits' table). */
export const ITEM_RU = 1.2;
/** The share of a known bucket an open lane draws on its own: the rest is room for other clients and cost misjudged. */
export const HINT_SHARE = 0.8;

/** What the answers to one request said, for one lane. */
export interface LaneAnswer {
  /** Items the limit let through (any answer but a 429 of this lane). */
  accepted: number;
  /** Items refused with 429 by this lane's limit. */
  throttled: number;
  /** The longest Retry-After of those 429s, in ms. */
  retryAfterMs?: number;
  /** The highest x-ms-throttle-limit-percentage among the accepted items, as a fraction (0.8…1.8). */
  usage?: number;
  /** Whether any answer carried x-ms-throttle-limit-percentage (then its absence means < 80 %). */
  usageHeader?: boolean;
}

/** What a request took from a lane, handed back with its answer. */
export interface LaneTicket {
  items: number;
  epoch: number;
}

/** The rate never falls below one item per second (a lane keeps moving while it learns). */
const MIN_RATE = 1;
/** Tokens a paced lane may bank, in seconds of its rate: a short burst, not the server's whole bucket. */
const BURST_S = 0.25;
/** `base` is the refill measured between two moments the bucket was empty, less this share, so the bucket gains a little. */
const MARGIN = 0.9;
/** Two empty moments closer than this measure nothing (noise). */
const MEASURE_MIN_MS = 1000;
/** Growth per second of the rate while paced, by what x-ms-throttle-limit-percentage says (at ≥ 95 %: base, shrinking). */
const PER_SECOND = { below80: 2, near80: 1.5, near90: 1, atQuota: 0.7, noHeader: 1.1 } as const;
/** x-ms-throttle-limit-percentage at which the bucket counts as empty; below `LEFT_QUOTA` it has credit again. */
const AT_QUOTA = 0.95;
const LEFT_QUOTA = 0.9;
/** The longest step of that growth: answers come back at least this often while a lane is busy. */
const MAX_STEP_MS = 250;
/** Demand: the rate grows only while requests waited for it within this many ms. */
const DEMAND_MS = 1000;

export class Lane {
  mode: 'open' | 'paced' = 'open';
  /** Items in flight allowed while open. */
  cap: number;
  inFlight = 0;
  /** Items per second while paced, and the estimated refill it returns to when the bucket is empty. */
  rate = Infinity;
  base = Infinity;
  /** Nothing goes before this (Retry-After). */
  openAt = 0;
  epoch = 0;
  private tokens = 0;
  private tokensAt = 0;
  private accepted = 0;
  /** The last moment the bucket was known empty, and how many items it had accepted by then. */
  private empty?: { at: number; accepted: number };
  private atQuota = false;
  private readonly recent: Array<{ at: number; n: number }> = [];
  private limitedAt = -Infinity;
  /** When a request last waited for the rate (not for Retry-After). */
  private pacedAt = -Infinity;
  private adjustedAt = 0;
  private sawUsageHeader = false;
  /** The bucket, in items per window, once told (`know`). */
  private bucket?: number;
  /** What this lane sent in the last window, for its own draw on a known bucket. */
  private readonly sent: Array<{ at: number; n: number }> = [];

  constructor(readonly spec: LaneSpec) {
    this.cap = spec.initialInFlight ?? Infinity;
  }

  /** 0: `items` may go now (call take); else ms to wait (Infinity: until an answer comes back). */
  waitMs(now: number, items: number): number {
    if (now < this.openAt) {
      this.limitedAt = now;
      return this.openAt - now;
    }
    if (this.mode === 'open') {
      if (this.inFlight === 0 || this.inFlight + items <= this.cap) return 0;
      if (this.bucket === undefined) return Infinity;
      // Over the share: wait until the refill brings the lane's draw back under it (or an answer comes, which pumps).
      const over = this.drawn(now) + items - HINT_SHARE * this.bucket;
      return over <= 0 ? 0 : Math.ceil((over * this.spec.windowMs) / this.bucket);
    }
    this.refill(now);
    // A request bigger than the burst goes once the lane holds a burst, and leaves a debt the next ones wait out.
    const need = Math.min(items, this.burst());
    if (this.tokens >= need) return 0;
    this.limitedAt = this.pacedAt = now;
    return Math.ceil(((need - this.tokens) * 1000) / this.rate);
  }

  /**
   * The bucket this lane draws from, in resource units per window (`ruPerWindow`, e.g. bucketOfUsers): an open lane
   * may then send what it holds (waitMs). A paced lane keeps pacing to what the answers showed.
   */
  know(ruPerWindow: number): void {
    if (Number.isFinite(ruPerWindow) && ruPerWindow > 0) this.bucket = ruPerWindow / ITEM_RU;
  }

  /** What this lane's own sends have drawn from a known bucket now: a token bucket's deficit, refilled over the window. */
  private drawn(now: number): number {
    const perMs = (this.bucket ?? 0) / this.spec.windowMs;
    let deficit = 0;
    let at = now - this.spec.windowMs;
    for (const s of this.sent) {
      // A window ago or more: refilled since (a full bucket holds one window of refill).
      if (s.at < at) continue;
      deficit = Math.max(0, deficit - Math.max(0, s.at - at) * perMs) + s.n;
      at = s.at;
    }
    return Math.max(0, deficit - Math.max(0, now - at) * perMs);
  }

  take(now: number, items: number): LaneTicket {
    this.inFlight += items;
    while (this.sent.length && this.sent[0].at < now - this.spec.windowMs) this.sent.shift();
    const last = this.sent[this.sent.length - 1];
    if (last?.at === now) last.n += items;
    else this.sent.push({ at: now, n: items });
    if (this.mode === 'paced') {
      this.refill(now);
      this.tokens -= items;
    }
    return { items, epoch: this.epoch };
  }

  /** The answer to a request that took `ticket`; with no answer at all (a network failure), `answer` is undefined. */
  settle(now: number, ticket: LaneTicket, answer?: LaneAnswer): void {
    this.inFlight -= ticket.items;
    if (!answer) return;
    if (answer.usageHeader) this.sawUsageHeader = true;
    if (answer.accepted > 0) {
      this.accepted += answer.accepted;
      this.recent.push({ at: now, n: answer.accepted });
      while (this.recent.length && this.recent[0].at < now - this.spec.windowMs) this.recent.shift();
    }
    if (answer.throttled > 0 && ticket.epoch === this.epoch) this.throttled(now, answer.retryAfterMs);
    else if (answer.accepted > 0) this.adjust(now, answer);
  }

  private throttled(now: number, retryAfterMs: number | undefined): void {
    this.epoch++;
    const known = this.spec.ratePerSec;
    this.openAt = Math.max(this.openAt, now + (retryAfterMs ?? (known ? 1000 / known : 1000)));
    if (known) this.base = known;
    else if (this.mode === 'open') this.base = this.guess();
    else if (!this.measure(now)) this.base = Math.max(MIN_RATE, this.base / 2);
    this.empty = { at: now, accepted: this.accepted };
    this.rate = this.base;
    this.pace(this.openAt);
  }

  /** The bucket is empty now: `base` from what it accepted since it was last empty. False when that was too recent. */
  private measure(now: number): boolean {
    const e = this.empty;
    if (!e || now - e.at < MEASURE_MIN_MS) return false;
    // Only a lane that kept requests waiting for its rate measured the bucket; one that sent all it had in the
    // meantime measured its own demand (a 429 then is someone else's draw, or not a quota at all).
    if (this.pacedAt > e.at) this.base = Math.max(MIN_RATE, (MARGIN * (this.accepted - e.accepted) * 1000) / (now - e.at));
    return true;
  }

  private adjust(now: number, answer: LaneAnswer): void {
    const u = answer.usage;
    if (this.mode === 'open') {
      // Above 80 % of the quota: pace before the bucket is empty rather than after.
      if (u !== undefined && u >= 0.8) {
        this.base = this.rate = this.guess();
        this.pace(now);
      } else this.cap = Math.min(this.spec.maxInFlight ?? Infinity, this.cap + answer.accepted);
      if (u === undefined || u < AT_QUOTA) return;
    }
    if (this.spec.ratePerSec) return;
    // Time between answers, not idle time: a lane idle between two commands does not grow meanwhile.
    const dt = Math.min(MAX_STEP_MS, Math.max(0, now - this.adjustedAt)) / 1000;
    this.adjustedAt = now;
    if (u !== undefined && u >= AT_QUOTA) {
      // At the quota: the bucket is (nearly) empty, as after a 429 — measure, and go no faster than the refill.
      if (!this.atQuota) {
        this.atQuota = true;
        this.measure(now);
        this.empty = { at: now, accepted: this.accepted };
      }
      // Still at the quota: `base` is too high (the first guess, or another client draws from the bucket too).
      this.rate = Math.max(MIN_RATE, Math.min(this.rate, this.base) * PER_SECOND.atQuota ** dt);
      return;
    }
    if (u === undefined || u < LEFT_QUOTA) this.atQuota = false;
    const f = !this.sawUsageHeader ? PER_SECOND.noHeader : u === undefined || u < 0.8 ? PER_SECOND.below80 : u < 0.85 ? PER_SECOND.near80 : PER_SECOND.near90;
    // Grow only when requests are waiting for the rate: an idle lane would otherwise grow without bound.
    if (f > 1 && now - this.limitedAt > DEMAND_MS) return;
    this.rate = Math.max(MIN_RATE, this.rate * f ** dt);
  }

  private pace(from: number): void {
    this.mode = 'paced';
    // The bucket refilled while the lane waited: one burst may go when it opens.
    this.tokens = this.burst();
    this.tokensAt = from;
    this.adjustedAt = from;
  }

  /** Items accepted in the last window, per second of that window: at most about the refill rate. */
  private guess(): number {
    const n = this.recent.reduce((s, r) => s + r.n, 0);
    return Math.max(MIN_RATE, this.spec.floorRate ?? 0, (n * 1000) / this.spec.windowMs);
  }

  private burst(): number {
    return Math.max(1, this.rate * BURST_S);
  }

  private refill(now: number): void {
    if (now > this.tokensAt) {
      this.tokens = Math.min(this.burst(), this.tokens + ((now - this.tokensAt) * this.rate) / 1000);
      this.tokensAt = now;
    }
  }
}
