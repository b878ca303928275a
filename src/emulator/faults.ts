/**
 * Fault injection, deterministic by a seed: added latency, 429 throttling and replication lag.
 * Options come from createEmulator() and fall back to TENANTFORM_EMULATOR_* environment variables so
 * they also reach the in-process local tenant started by `--tenant local`.
 */
export interface FaultOptions {
  /** Added latency per request, ms. */
  latencyMs?: number;
  /** Fraction (0..1) of Graph requests (and $batch items) answered 429. */
  throttleRate?: number;
  /** Retry-After seconds sent with injected 429s. */
  retryAfterSeconds?: number;
  /** How long after a write other reads still miss it (404 / stale value / "not replicated yet" errors), ms. */
  replicationLagMs?: number;
  seed?: number;
}

export type ResolvedFaults = Required<FaultOptions>;

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

export function resolveFaults(opts: FaultOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedFaults {
  const f: ResolvedFaults = {
    latencyMs: opts.latencyMs ?? num(env.TENANTFORM_EMULATOR_LATENCY_MS) ?? 0,
    throttleRate: opts.throttleRate ?? num(env.TENANTFORM_EMULATOR_THROTTLE_RATE) ?? 0,
    retryAfterSeconds: opts.retryAfterSeconds ?? num(env.TENANTFORM_EMULATOR_RETRY_AFTER) ?? 1,
    replicationLagMs: opts.replicationLagMs ?? num(env.TENANTFORM_EMULATOR_REPLICATION_LAG_MS) ?? 0,
    seed: opts.seed ?? num(env.TENANTFORM_EMULATOR_SEED) ?? 1,
  };
  for (const [k, v] of Object.entries(f)) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`emulator fault option ${k} must be a non-negative number, got ${v}`);
  }
  if (f.throttleRate > 1) throw new Error(`emulator fault option throttleRate must be between 0 and 1, got ${f.throttleRate}`);
  return f;
}

/** mulberry32: a tiny seeded PRNG, so a given seed throttles the same requests on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private readonly random: () => number;
  constructor(readonly options: ResolvedFaults) {
    this.random = seededRandom(options.seed);
  }
  /** Decide (deterministically, in request order) whether this request is throttled. */
  shouldThrottle(): boolean {
    return this.options.throttleRate > 0 && this.random() < this.options.throttleRate;
  }
  delay(): Promise<void> {
    const ms = this.options.latencyMs;
    return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
  }
}

/** The emulator's clock; tests advance it to expire secrets without waiting. */
export class Clock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  iso(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  }
}
