/**
 * Fault injection, deterministic by a seed: added latency, 429 throttling and replication lag, plus the fault rules
 * of fault-rules.ts (5xx, resets, timeouts, lost answers, 409s, token-endpoint errors, lag per request).
 * Options come from createEmulator() and fall back to TENANTFORM_EMULATOR_* environment variables so
 * they also reach the in-process local tenant started by `--tenant local`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { seededRandom } from './fault-random.js';
import { FaultRules, type FaultRuleInfo, type FaultRuleSpec } from './fault-rules.js';
import { parseFaultSpec, parseFaultSpecs } from './fault-spec.js';

export { seededRandom } from './fault-random.js';
export type { FaultKind, FaultRuleInfo, FaultRuleSpec } from './fault-rules.js';

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

/** Fault rules given at start: objects or compact specs (fault-spec.ts); default TENANTFORM_EMULATOR_FAULTS. */
export interface FaultRuleOptions {
  faults?: Array<FaultRuleSpec | string>;
}

export function resolveFaultRules(opts: FaultRuleOptions = {}, env: NodeJS.ProcessEnv = process.env): FaultRuleSpec[] {
  if (opts.faults) return opts.faults.map((f) => (typeof f === 'string' ? parseFaultSpec(f) : f));
  return parseFaultSpecs(env.TENANTFORM_EMULATOR_FAULTS);
}

/** What the request being handled asks of the store: its `lag` rule's lag (and a PRNG for the jitter). */
interface LagContext {
  lagMs?: number;
  jitterMs?: number;
}

export class Faults {
  private readonly random: () => number;
  private readonly lagRandom: () => number;
  private readonly lagContext = new AsyncLocalStorage<LagContext>();
  readonly rules: FaultRules;
  constructor(
    readonly options: ResolvedFaults,
    rules: FaultRuleSpec[] = [],
  ) {
    this.random = seededRandom(options.seed);
    // Its own stream: a lag rule does not change which requests the throttle picks.
    this.lagRandom = seededRandom(options.seed ^ 0x5bd1e995);
    this.rules = new FaultRules(options.seed);
    for (const r of rules) this.rules.add(r);
  }

  /** Add a rule (an object or a compact spec, fault-spec.ts); it applies from the next request on. */
  add(rule: FaultRuleSpec | string): FaultRuleInfo {
    return this.rules.add(typeof rule === 'string' ? parseFaultSpec(rule) : rule);
  }
  remove(id: string): boolean {
    return this.rules.remove(id);
  }
  clear(): void {
    this.rules.clear();
  }
  list(): FaultRuleInfo[] {
    return this.rules.list();
  }
  fired(id: string): number {
    return this.rules.fired(id);
  }

  /**
   * The replication lag of an object written now (the store asks once per object): the `lag` rule of the request
   * being handled, if one fired (its lagMs, else the configured one, plus a seeded 0..jitterMs), else replicationLagMs.
   */
  lagMs(): number {
    const c = this.lagContext.getStore();
    if (!c) return this.options.replicationLagMs;
    const jitter = c.jitterMs ? Math.floor(this.lagRandom() * (c.jitterMs + 1)) : 0;
    return (c.lagMs ?? this.options.replicationLagMs) + jitter;
  }

  /** The lag of a delete now: a `lag` rule's (as lagMs) while one is in effect for the request, else none. */
  deleteLagMs(): number {
    return this.lagContext.getStore() ? this.lagMs() : 0;
  }

  /** Run a handler with a lag rule's lag in effect for what it writes. */
  withLag<T>(rule: { lagMs?: number; jitterMs?: number } | undefined, fn: () => T): T {
    return rule ? this.lagContext.run({ lagMs: rule.lagMs, jitterMs: rule.jitterMs }, fn) : fn();
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
