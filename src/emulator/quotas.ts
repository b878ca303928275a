/**
 * Microsoft Graph's identity and access service limits, enforced as Graph documents them, so a client (and
 * `npm run bench`) that sends more than Graph allows is throttled here as it would be there:
 * https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits
 *
 *   limit type               resource units (RU)                       writes
 *   application+tenant pair  S 3,500 · M 5,000 · L 8,000 per 10 s      3,000 per 2 min 30 s
 *   application              150,000 per 20 s                          35,000 per 5 min
 *   tenant                   —                                         18,000 per 5 min
 * plus the global 130,000 requests per 10 s per app, and conditional access policies (identity protection and
 * conditional access service limits): one request per second per tenant, answered 429 WITHOUT Retry-After.
 *
 * Token buckets ("throttling is based on a token bucket algorithm, which works by adding individual costs of
 * requests"): each holds its quota, refills it evenly over its window, and a request passes only when every
 * bucket it draws from holds its cost — "the first limit to be reached triggers throttling". A throttled request
 * draws nothing. Each $batch item is judged alone (https://learn.microsoft.com/graph/throttling#throttling-and-batching).
 * Tenant size (S under 50 users, M up to 500, L above) is the tenant's user count unless set (`tenantSize`).
 *
 * Not modelled: the per-app write cost of applications with personal-account audiences (the doc's "60 requests
 * per minute", scope UNCONFIRMED), `x-ms-throttle-priority`, and 429s "under an important load".
 */
import { GraphFault } from './errors.js';
import type { EmuRequest } from './http.js';

export type TenantSize = 'S' | 'M' | 'L';

export interface QuotaOptions {
  /** Enforce Graph's limits (default true; TENANTFORM_EMULATOR_QUOTAS=off disables). */
  quotas?: boolean;
  /** The tenant size the application+tenant RU quota is for; default from the tenant's number of users. */
  tenantSize?: TenantSize;
}

const SECOND = 1000;
const RU_PER_10S: Record<TenantSize, number> = { S: 3500, M: 5000, L: 8000 };

/** Base RU costs that differ from 1 (the doc's table); any other identity path costs 1. Path relative to /v1.0. */
const BASE_COSTS: Array<{ method: string; pattern: RegExp; ru: number; write: number }> = [
  { method: 'GET', pattern: /^applications$/i, ru: 2, write: 0 },
  { method: 'GET', pattern: /^applications\/[^/]+\/extensionProperties$/i, ru: 2, write: 0 },
  { method: 'GET', pattern: /^contracts$/i, ru: 3, write: 0 },
  { method: 'POST', pattern: /^directoryObjects\/getByIds$/i, ru: 5, write: 0 },
  { method: 'POST', pattern: /^getObjectsById$/i, ru: 5, write: 0 },
  { method: 'GET', pattern: /^groups\/[^/]+\/members$/i, ru: 3, write: 0 },
  { method: 'GET', pattern: /^groups\/[^/]+\/transitiveMembers$/i, ru: 5, write: 0 },
  { method: 'POST', pattern: /^isMemberOf$/i, ru: 4, write: 0 },
  { method: 'POST', pattern: /^(me|users\/[^/]+)\/check(MemberGroups|MemberObjects)$/i, ru: 4, write: 0 },
  { method: 'POST', pattern: /^(me|users\/[^/]+)\/get(MemberGroups|MemberObjects)$/i, ru: 2, write: 0 },
  { method: 'GET', pattern: /^(me|users\/[^/]+)\/(licenseDetails|memberOf|ownedObjects|transitiveMemberOf)/i, ru: 2, write: 0 },
  // The doc's rows are `GET oauth2PermissionGrants` and `GET oauth2PermissionGrants/{id}`: the top-level collection.
  // Whether the navigation `servicePrincipals/{id}/oauth2PermissionGrants` costs the same is UNCONFIRMED (no row
  // names it), so it keeps the base cost of 1 like every other unlisted read.
  { method: 'GET', pattern: /^oauth2PermissionGrants(\/[^/]+)?$/i, ru: 2, write: 0 },
  // By object id or by the alternate key (`servicePrincipals(appId='…')/appRoleAssignments`): the same navigation.
  { method: 'GET', pattern: /^servicePrincipals(\/[^/]+|\([^/]*\))\/appRoleAssignments$/i, ru: 2, write: 0 },
  { method: 'GET', pattern: /^subscribedSkus$/i, ru: 3, write: 0 },
  { method: 'GET', pattern: /^users$/i, ru: 2, write: 0 },
];

/** What one request costs: RU after the query-option adjustments (never below 1), and its write cost. */
export function requestCost(method: string, path: string, query: URLSearchParams): { ru: number; write: number } {
  const rel = path.replace(/^\/?(v1\.0|beta)\//i, '').replace(/^\//, '');
  const hit = BASE_COSTS.find((c) => c.method === method && c.pattern.test(rel));
  const write = hit ? hit.write : method === 'GET' ? 0 : 1;
  if (hit?.ru === 5 && query.has('$select')) return { ru: 2, write }; // getByIds/getObjectsById with $select
  let ru = hit?.ru ?? 1;
  if (query.has('$select')) ru -= 1;
  if (query.has('$expand')) ru += 1;
  const top = Number(query.get('$top'));
  if (query.has('$top') && Number.isFinite(top) && top < 20) ru -= 1;
  return { ru: Math.max(1, ru), write };
}

/** A token bucket: `capacity` units, refilled evenly over `windowMs`. */
class Bucket {
  private level: number;
  private at: number;
  constructor(
    readonly capacity: number,
    readonly windowMs: number,
    now: number,
  ) {
    this.level = capacity;
    this.at = now;
  }
  private refill(now: number): void {
    if (now > this.at) this.level = Math.min(this.capacity, this.level + ((now - this.at) * this.capacity) / this.windowMs);
    this.at = Math.max(this.at, now);
  }
  /** ms until `cost` units are there (0: now). */
  waitMs(cost: number, now: number): number {
    this.refill(now);
    return this.level >= cost ? 0 : Math.ceil(((cost - this.level) * this.windowMs) / this.capacity);
  }
  take(cost: number): void {
    this.level -= cost;
  }
  /** Fraction of the quota in use, 0..1. */
  used(now: number): number {
    this.refill(now);
    return 1 - this.level / this.capacity;
  }
}

interface Limit {
  /** `<Scope>/<Limit>` of x-ms-throttle-scope. */
  scope: 'Tenant_Application/ReadWrite' | 'Application/ReadWrite' | 'Tenant_Application/Write' | 'Application/Write' | 'Tenant/Write' | 'Tenant/ReadWrite';
  information: 'ResourceUnitLimitExceeded' | 'WriteLimitExceeded' | 'RequestLimitExceeded';
  bucket: Bucket;
  cost: number;
  /** The doc's conditional access limit answers without Retry-After. */
  retryAfter: boolean;
}

export interface QuotaCaller {
  appId: string;
  tenantId: string;
  /** The tenant's number of users, for its size. */
  users: () => number;
}

/** The answer headers of a request that passed. */
export type QuotaHeaders = Record<string, string>;

export class GraphQuotas {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    readonly options: Required<Pick<QuotaOptions, 'quotas'>> & Pick<QuotaOptions, 'tenantSize'>,
    private readonly now: () => number,
  ) {}

  private bucket(key: string, capacity: number, windowMs: number): Bucket {
    let b = this.buckets.get(key);
    if (!b || b.capacity !== capacity) {
      b = new Bucket(capacity, windowMs, this.now());
      this.buckets.set(key, b);
    }
    return b;
  }

  sizeOf(users: number): TenantSize {
    return this.options.tenantSize ?? (users < 50 ? 'S' : users <= 500 ? 'M' : 'L');
  }

  /**
   * Charge one Graph request (a top-level request or one $batch item) to the caller's quotas: its answer headers
   * when it passes (`x-ms-resource-unit`, and `x-ms-throttle-limit-percentage` above 80 % of the pair's RU quota),
   * else the 429 Graph answers, with the scope and reason headers the doc lists.
   */
  charge(req: Pick<EmuRequest, 'method' | 'path' | 'query'>, caller: QuotaCaller): QuotaHeaders {
    const { ru, write } = requestCost(req.method, req.path, req.query);
    if (!this.options.quotas) return { 'x-ms-resource-unit': String(ru) };
    const now = this.now();
    const pair = `${caller.appId}/${caller.tenantId}`;
    const size = this.sizeOf(caller.users());
    const pairRu = this.bucket(`ru:${pair}`, RU_PER_10S[size], 10 * SECOND);
    const limits: Limit[] = [
      { scope: 'Tenant_Application/ReadWrite', information: 'ResourceUnitLimitExceeded', bucket: pairRu, cost: ru, retryAfter: true },
      {
        scope: 'Application/ReadWrite',
        information: 'ResourceUnitLimitExceeded',
        bucket: this.bucket(`ru:${caller.appId}`, 150_000, 20 * SECOND),
        cost: ru,
        retryAfter: true,
      },
      {
        scope: 'Application/ReadWrite',
        information: 'RequestLimitExceeded',
        bucket: this.bucket(`req:${caller.appId}`, 130_000, 10 * SECOND),
        cost: 1,
        retryAfter: true,
      },
    ];
    if (write > 0) {
      limits.push(
        {
          scope: 'Tenant_Application/Write',
          information: 'WriteLimitExceeded',
          bucket: this.bucket(`w:${pair}`, 3000, 150 * SECOND),
          cost: write,
          retryAfter: true,
        },
        {
          scope: 'Application/Write',
          information: 'WriteLimitExceeded',
          bucket: this.bucket(`w:${caller.appId}`, 35_000, 300 * SECOND),
          cost: write,
          retryAfter: true,
        },
        {
          scope: 'Tenant/Write',
          information: 'WriteLimitExceeded',
          bucket: this.bucket(`w:t:${caller.tenantId}`, 18_000, 300 * SECOND),
          cost: write,
          retryAfter: true,
        },
      );
    }
    if (/^\/?(v1\.0\/)?identity\/conditionalAccess\//i.test(req.path)) {
      limits.push({
        scope: 'Tenant/ReadWrite',
        information: 'RequestLimitExceeded',
        // "One request per second": the rate is the doc's; the burst it allows is not documented (UNCONFIRMED), so the
        // bucket holds ten seconds of it — a plan's read and an apply's writes pass, a loop is paced to 1/s.
        bucket: this.bucket(`ca:${caller.tenantId}`, 10, 10 * SECOND),
        cost: 1,
        retryAfter: false,
      });
    }
    const over = limits.map((l) => ({ l, waitMs: l.bucket.waitMs(l.cost, now) })).find((x) => x.waitMs > 0);
    if (over) throw throttled(over.l, over.waitMs, caller);
    for (const l of limits) l.bucket.take(l.cost);
    const headers: QuotaHeaders = { 'x-ms-resource-unit': String(ru) };
    const used = pairRu.used(now);
    if (used > 0.8) headers['x-ms-throttle-limit-percentage'] = used.toFixed(1);
    return headers;
  }
}

function throttled(limit: Limit, waitMs: number, caller: QuotaCaller): GraphFault {
  const headers: Record<string, string> = {
    'x-ms-throttle-scope': `${limit.scope}/${caller.appId}/${caller.tenantId}`,
    'x-ms-throttle-information': limit.information,
  };
  // Retry-After is whole seconds (https://learn.microsoft.com/graph/throttling#best-practices-to-handle-throttling).
  if (limit.retryAfter) headers['Retry-After'] = String(Math.max(1, Math.ceil(waitMs / SECOND)));
  return new GraphFault(429, 'TooManyRequests', 'Please retry again later.', undefined, headers, { code: '429', message: 'Please retry after', status: '429' });
}

const OFF = new Set(['0', 'off', 'false', 'no']);

export function resolveQuotas(
  opts: QuotaOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Required<Pick<QuotaOptions, 'quotas'>> & Pick<QuotaOptions, 'tenantSize'> {
  const fromEnv = env.TENANTFORM_EMULATOR_QUOTAS;
  const quotas = opts.quotas ?? !(fromEnv !== undefined && OFF.has(fromEnv.trim().toLowerCase()));
  const size = opts.tenantSize ?? (env.TENANTFORM_EMULATOR_TENANT_SIZE?.trim().toUpperCase() || undefined);
  if (size !== undefined && size !== 'S' && size !== 'M' && size !== 'L') throw new Error(`emulator option tenantSize must be S, M or L, got ${size}`);
  return { quotas, ...(size ? { tenantSize: size } : {}) };
}
