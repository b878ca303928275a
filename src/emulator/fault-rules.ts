/**
 * Fault rules: "answer the Nth POST …/addPassword with a connection reset after committing it", changeable while the
 * emulator runs (emu.faults.add/remove/clear, the admin endpoint fault-admin.ts, `--fault`, TENANTFORM_EMULATOR_FAULTS).
 * A rule names which requests it matches (service, method, path) and when it fires among them (nth, every, or a
 * seeded probability, at most `times`); what it does is its kind (fault-answers.ts renders each one).
 */
import { checkAadsts } from './fault-answers.js';
import { seededRandom } from './fault-random.js';

export const FAULT_KINDS = [
  '500',
  '502',
  '503',
  '504',
  'reset',
  'timeout',
  'commit-then-503',
  'commit-then-504',
  'commit-then-reset',
  '409-concurrency',
  'aadsts',
  'lag',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a caller asks for (emu.faults.add, the admin endpoint's JSON, a parsed `--fault` spec). */
export interface FaultRuleSpec {
  kind: FaultKind;
  /** `graph` (default) or `login` (the token endpoint and other login.microsoftonline.com routes; default for `aadsts`). */
  service?: 'graph' | 'login';
  /** HTTP method; omitted or `*` = any. */
  method?: string;
  /**
   * A glob (`*` = one path segment or part of one, `**` = anything) or a RegExp, tested case-insensitively against the
   * path without query and without the `/v1.0` prefix, OData keys split off (`/applications/(uniqueName='x')/addPassword`);
   * a RegExp may also match the raw path. Omitted: every Graph path except the `$batch` envelope (whose items are
   * matched one by one); for `login`, the token endpoint `/{tenant}/oauth2/v2.0/token`.
   */
  path?: string | RegExp;
  /** Fire on these matching requests only (1-based), e.g. 1 = the first one. */
  nth?: number | number[];
  /** Fire on every matching request (the default when neither nth nor probability is given). */
  every?: boolean;
  /** Fire on this fraction (0..1) of matching requests, drawn from a PRNG seeded with `seed` (default: the emulator's seed). */
  probability?: number;
  seed?: number;
  /** Fire at most this many times. */
  times?: number;
  /** Retry-After seconds for 5xx, 409 and token-endpoint faults; omitted = no Retry-After header. */
  retryAfter?: number;
  /** `aadsts`: the AADSTS number, e.g. 7000215 (fault-answers.ts knows the common ones). */
  aadsts?: number;
  /** `aadsts`: OAuth `error` value, HTTP status and message, for codes fault-answers.ts does not know (or to override). */
  error?: string;
  status?: number;
  message?: string;
  /** `timeout`: how long the request is held before the connection is dropped, ms (default 30 000). */
  timeoutMs?: number;
  /** `lag`: replication lag of the objects this request writes (a DELETE: how long reads by key still find it), ms. */
  lagMs?: number;
  /** `lag`: plus a random 0..jitterMs per object written (seeded), so objects replicate in no fixed order. */
  jitterMs?: number;
}

/** A rule as listed: its spec (path as text), id, and counters. */
export interface FaultRuleInfo extends Omit<FaultRuleSpec, 'path'> {
  id: string;
  service: 'graph' | 'login';
  path?: string;
  /** Requests this rule matched so far. */
  seen: number;
  /** How often it fired. */
  fired: number;
}

/** One request as the rules see it. */
export interface FaultTarget {
  service: 'graph' | 'login';
  method: string;
  path: string;
  inBatch?: boolean;
}

export interface FiredFault {
  rule: FaultRuleInfo;
}

/** A mistake in a fault rule or spec: the CLI shows it as a usage error. */
export class FaultSpecError extends Error {
  override readonly name = 'EmulatorOptionError';
}

const GRAPH_ONLY: ReadonlySet<FaultKind> = new Set(['409-concurrency', 'lag']);
const TOKEN_PATH = '/*/oauth2/v2.0/token';

interface Compiled {
  info: FaultRuleInfo;
  test: (t: FaultTarget) => boolean;
  random?: () => number;
  nth?: Set<number>;
}

export class FaultRules {
  private readonly rules: Compiled[] = [];
  private next = 1;
  constructor(private readonly defaultSeed: number) {}

  add(spec: FaultRuleSpec): FaultRuleInfo {
    const rule = compile(spec, `f${this.next}`, this.defaultSeed);
    this.next++;
    this.rules.push(rule);
    return { ...rule.info };
  }

  remove(id: string): boolean {
    const i = this.rules.findIndex((r) => r.info.id === id);
    if (i >= 0) this.rules.splice(i, 1);
    return i >= 0;
  }

  clear(): void {
    this.rules.length = 0;
  }

  list(): FaultRuleInfo[] {
    return this.rules.map((r) => ({ ...r.info }));
  }

  /** How often a rule fired (0 once it is removed). */
  fired(id: string): number {
    return this.rules.find((r) => r.info.id === id)?.info.fired ?? 0;
  }

  /**
   * The fault for this request: every matching rule counts it, the first (in order of adding) whose trigger says
   * yes fires. `lag` rules are decided apart (`lag()`), as they change what a request writes, not its answer.
   */
  decide(t: FaultTarget): FiredFault | undefined {
    return this.pick(t, (k) => k !== 'lag');
  }

  lag(t: FaultTarget): FiredFault | undefined {
    return this.pick(t, (k) => k === 'lag');
  }

  private pick(t: FaultTarget, kinds: (k: FaultKind) => boolean): FiredFault | undefined {
    let fired: FiredFault | undefined;
    for (const r of this.rules) {
      if (!kinds(r.info.kind) || !r.test(t)) continue;
      const n = ++r.info.seen;
      if (!triggers(r, n) || fired) continue;
      if (r.info.times !== undefined && r.info.fired >= r.info.times) continue;
      r.info.fired++;
      fired = { rule: { ...r.info } };
    }
    return fired;
  }
}

function triggers(r: Compiled, n: number): boolean {
  if (r.nth) return r.nth.has(n);
  // Draw for every matching request, fired or not, so a seed picks the same requests on every run.
  if (r.random) return r.random() < r.info.probability!;
  return true;
}

function compile(spec: FaultRuleSpec, id: string, defaultSeed: number): Compiled {
  validate(spec);
  const service = spec.service ?? (spec.kind === 'aadsts' ? 'login' : 'graph');
  const method = spec.method && spec.method !== '*' ? spec.method.toUpperCase() : undefined;
  const pathText = spec.path instanceof RegExp ? spec.path.toString() : spec.path;
  const { path: _path, ...rest } = spec;
  const info: FaultRuleInfo = { ...rest, id, service, ...(method ? { method } : {}), ...(pathText !== undefined ? { path: pathText } : {}), seen: 0, fired: 0 };
  if (spec.probability !== undefined) info.seed = spec.seed ?? defaultSeed;
  const matchPath = pathMatcher(spec.path ?? (service === 'login' ? TOKEN_PATH : undefined), service);
  return {
    info,
    test: (t) => t.service === service && (!method || t.method === method) && matchPath(t),
    ...(spec.probability !== undefined ? { random: seededRandom(info.seed!) } : {}),
    ...(spec.nth !== undefined ? { nth: new Set([spec.nth].flat()) } : {}),
  };
}

/**
 * The path rules are matched against: no version, no query, OData keys as their own segment (as router.ts
 * splitGraphPath does; not imported, as router.ts reaches back to faults.ts through context.ts).
 */
export function rulePath(t: FaultTarget): string {
  let segments = t.path
    .split('/')
    .filter(Boolean)
    .flatMap((raw) => {
      let seg = raw;
      try {
        seg = decodeURIComponent(raw);
      } catch {
        // keep it as sent
      }
      const m = /^([^()]+)(\(.*\))$/.exec(seg);
      return m ? [m[1], m[2]] : [seg];
    });
  if (t.service === 'graph' && !t.inBatch && (segments[0] === 'v1.0' || segments[0] === 'beta')) segments = segments.slice(1);
  return `/${segments.join('/')}`;
}

function pathMatcher(path: string | RegExp | undefined, service: 'graph' | 'login'): (t: FaultTarget) => boolean {
  if (path === undefined) return (t) => service !== 'graph' || !isEnvelope(t);
  if (path instanceof RegExp) return (t) => path.test(rulePath(t)) || path.test(t.path);
  const re = globRegExp(path);
  return (t) => re.test(rulePath(t));
}

const isEnvelope = (t: FaultTarget) => !t.inBatch && rulePath(t).toLowerCase() === '/$batch';

export function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/^\/?/, '/')
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}/?$`, 'i');
}

const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Every mistake is refused when the rule is added, with what was expected. */
function validate(s: FaultRuleSpec): void {
  const fail = (m: string): never => {
    throw new FaultSpecError(`fault rule: ${m}`);
  };
  if (!s || typeof s !== 'object') fail('expected an object with a kind');
  if (!FAULT_KINDS.includes(s.kind)) fail(`unknown kind ${JSON.stringify(s.kind)} (one of ${FAULT_KINDS.join(', ')})`);
  if (s.service !== undefined && s.service !== 'graph' && s.service !== 'login') fail(`service must be graph or login, got ${JSON.stringify(s.service)}`);
  const service = s.service ?? (s.kind === 'aadsts' ? 'login' : 'graph');
  if (service === 'login' && GRAPH_ONLY.has(s.kind)) fail(`${s.kind} is a Graph fault, not one of the token endpoint`);
  if (s.kind === 'aadsts' && service !== 'login') fail('aadsts is a token-endpoint fault (service login)');
  if (s.kind === 'aadsts' && !isInt(s.aadsts, 1)) fail('kind aadsts needs aadsts: the AADSTS number, e.g. 7000215');
  if (s.method !== undefined && !/^(\*|GET|POST|PATCH|PUT|DELETE|OPTIONS)$/i.test(String(s.method))) fail(`unknown method ${JSON.stringify(s.method)}`);
  if (s.path !== undefined && !(s.path instanceof RegExp) && (typeof s.path !== 'string' || s.path === '')) fail('path must be a glob string or a RegExp');
  const triggers = [s.nth !== undefined, s.every === true, s.probability !== undefined].filter(Boolean).length;
  if (triggers > 1) fail('give one of nth, every, probability');
  if (s.nth !== undefined && ![s.nth].flat().every((n) => isInt(n, 1)))
    fail(`nth must be a positive integer (or a list of them), got ${JSON.stringify(s.nth)}`);
  if (s.probability !== undefined && !(typeof s.probability === 'number' && s.probability >= 0 && s.probability <= 1)) {
    fail(`probability must be between 0 and 1, got ${JSON.stringify(s.probability)}`);
  }
  for (const k of ['seed', 'times', 'retryAfter', 'timeoutMs', 'lagMs', 'jitterMs'] as const) {
    if (s[k] !== undefined && !isInt(s[k], 0)) fail(`${k} must be a non-negative integer, got ${JSON.stringify(s[k])}`);
  }
  if (s.status !== undefined && !(isInt(s.status, 400) && s.status <= 599)) fail(`status must be an HTTP error status, got ${JSON.stringify(s.status)}`);
  const unknownCode = s.kind === 'aadsts' ? checkAadsts(s) : undefined;
  if (unknownCode) fail(unknownCode);
  if (s.kind === 'lag' && s.lagMs === undefined && s.jitterMs === undefined) fail('kind lag needs lagMs and/or jitterMs');
}
