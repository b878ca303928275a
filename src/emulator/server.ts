import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import { authenticateGraph } from './auth.js';
import { hasAny, type Caller, type EmulatorEnv, type GraphRoute } from './context.js';
import { envForTenant, tenantById } from './directory.js';
import { GraphFault, graphErrors, renderGraphFault } from './errors.js';
import { handleFaultAdmin, isAdminPath } from './fault-admin.js';
import { ConnectionFault } from './fault-answers.js';
import { dropConnection, runGraphWithFaults, runLoginWithFaults, type FaultTag } from './fault-apply.js';
import { DeleteGhosts } from './fault-ghosts.js';
import { rulePath, type FaultTarget } from './fault-rules.js';
import { handleBatch } from './graph/batch.js';
import { checkQueryOptions } from './graph/query-options.js';
import { graphRoutes } from './graph/routes.js';
import { json, type EmuRequest, type EmuResponse } from './http.js';
import { bodyKeys, requestIdentity, type RequestLog, type RequestLogEntry } from './log.js';
import { handleLogin } from './login/index.js';
import { formFields } from './login/token.js';
import { GraphRouter, splitGraphPath } from './router.js';

const MAX_BODY = 4 * 1024 * 1024;

/**
 * The request pipeline: parse → (admin endpoint) → latency → (Graph: auth → fault rules → throttle → route → handler;
 * login: fault rules → handler) → log → respond, or drop the connection for a reset/timeout fault.
 */
export class EmulatorPipeline {
  private readonly router = new GraphRouter(graphRoutes);
  /** The fault rule that fired on a request (top-level or $batch item), for its log entry. */
  private readonly faultOf = new WeakMap<EmuRequest, FaultTag>();
  private readonly ghosts = new DeleteGhosts();
  constructor(
    private readonly env: EmulatorEnv,
    private readonly log: RequestLog,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let emuReq: EmuRequest | undefined;
    let out: EmuResponse;
    let lost: ConnectionFault | undefined;
    try {
      emuReq = await readRequest(req);
      if (isAdminPath(emuReq.path)) return send(res, handleFaultAdmin(emuReq, this.env));
      await this.env.faults.delay();
      out = isGraphPath(emuReq.path) ? await this.graphTopLevel(emuReq) : await this.login(emuReq);
    } catch (e) {
      if (e instanceof ConnectionFault) lost = e;
      else out = this.renderError(e, emuReq);
    }
    if (lost) dropConnection(req.socket, lost);
    else send(res, out!);
    if (emuReq) {
      if (lost && lost.fault && !this.faultOf.has(emuReq)) this.faultOf.set(emuReq, lost.fault);
      this.log.add(
        this.entry(emuReq, {
          service: isGraphPath(emuReq.path) ? 'graph' : 'login',
          status: lost ? 0 : out!.status,
          durationMs: Math.round(performance.now() - started),
          ...(lost ? {} : { ...errorCode(out!), ...resourceUnits(out!) }),
        }),
      );
    }
  }

  /** A log entry: what the request says about itself (ids, attempt), the fault that fired, and the outcome. */
  private entry(
    req: EmuRequest,
    outcome: Pick<RequestLogEntry, 'service' | 'status' | 'durationMs' | 'errorCode' | 'batch' | 'resourceUnits'>,
  ): RequestLogEntry {
    const fault = this.faultOf.get(req);
    const crid = outcome.service === 'login' ? (req.query.get('client-request-id') ?? formFields(req.body)['client-request-id']) : undefined;
    return {
      time: new Date().toISOString(),
      service: outcome.service,
      method: req.method,
      path: req.path,
      status: outcome.status,
      durationMs: outcome.durationMs,
      bodyKeys: bodyKeys(req.body),
      ...(outcome.batch ? { batch: true } : {}),
      ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
      ...(outcome.resourceUnits ? { resourceUnits: outcome.resourceUnits } : {}),
      ...requestIdentity(req.headers, crid ?? undefined),
      ...(fault ? { fault } : {}),
    };
  }

  /** Login routes under the fault rules (service `login`; by default they match the token endpoint). */
  private login(req: EmuRequest): Promise<EmuResponse> {
    const form = formFields(req.body);
    const ctx = {
      form,
      tenantSegment: decodeURIComponent(req.path.split('/').filter(Boolean)[0] ?? ''),
      authorityHost: this.env.authorityHost,
      correlationId: String(req.headers['client-request-id'] ?? '') || form['client-request-id'],
    };
    const target: FaultTarget = { service: 'login', method: req.method, path: req.path };
    return runLoginWithFaults(
      this.env.faults,
      target,
      ctx,
      (t) => this.faultOf.set(req, t),
      () => handleLogin(req, this.env),
    );
  }

  private async graphTopLevel(req: EmuRequest): Promise<EmuResponse> {
    const env = this.graphTenantEnv(req);
    const caller = await authenticateGraph(req, env);
    return this.graph(req, caller, env);
  }

  /**
   * Graph serves the tenant the access token was issued in (its `tid`), as graph.microsoft.com does for
   * every tenant at one host. The claim is only peeked here to pick the tenant; authenticateGraph then
   * verifies the token against that tenant. An unreadable token or unknown tid falls to the first tenant,
   * which rejects it.
   */
  private graphTenantEnv(req: EmuRequest): EmulatorEnv {
    const token = String(req.headers.authorization ?? '')
      .replace(/^Bearer\s+/i, '')
      .trim();
    let tid: unknown;
    try {
      tid = decodeJwt(token).tid;
    } catch {
      return this.env;
    }
    const tenant = typeof tid === 'string' ? tenantById(this.env.tenant, tid) : undefined;
    return tenant ? envForTenant(this.env, tenant) : this.env;
  }

  /** One Graph request for an authenticated caller; $batch items come back through here. */
  async graph(req: EmuRequest, caller: Caller, env: EmulatorEnv = this.env): Promise<EmuResponse> {
    const started = performance.now();
    let out: EmuResponse;
    let lost: ConnectionFault | undefined;
    try {
      out = await this.graphInner(req, caller, env);
    } catch (e) {
      // A dropped connection is not an answer: it goes up to the pipeline (through $batch: the envelope fails).
      if (!(e instanceof ConnectionFault)) out = this.renderError(e, req);
      else lost = e;
    }
    if (req.inBatch) {
      const durationMs = Math.round(performance.now() - started);
      this.log.add(
        this.entry(req, {
          service: 'graph',
          status: lost ? 0 : out!.status,
          durationMs,
          batch: true,
          ...(lost ? {} : { ...errorCode(out!), ...resourceUnits(out!) }),
        }),
      );
    }
    if (lost) throw lost;
    return out!;
  }

  private async graphInner(req: EmuRequest, caller: Caller, env: EmulatorEnv): Promise<EmuResponse> {
    let segments = splitGraphPath(req.path);
    if (!req.inBatch) {
      const version = segments.shift();
      if (version === 'beta') throw graphErrors.notImplemented('the beta endpoint');
    } else if (segments[0] === 'v1.0' || segments[0] === 'beta') {
      // BatchRequestContent keeps the version in sub-URLs; real Graph rejects it (msgraph-sdk-javascript#1178).
      throw graphErrors.segmentNotFound(segments[0]);
    }
    if (segments[0]?.toLowerCase() === 'myorganization') segments = segments.slice(1);
    const target: FaultTarget = { service: 'graph', method: req.method, path: req.path, inBatch: req.inBatch };
    const onFire = (t: FaultTag) => this.faultOf.set(req, t);
    if (segments.length === 1 && segments[0] === '$batch' && !req.inBatch) {
      if (req.method !== 'POST') throw graphErrors.methodNotAllowed();
      // The envelope itself is not throttled: Graph evaluates each item against the limits and answers
      // 200 with per-item 429s (https://learn.microsoft.com/graph/throttling#throttling-and-batching).
      // Fault rules reach the envelope only when their path names `/$batch`; otherwise they judge each item.
      return runGraphWithFaults(env.faults, target, onFire, () => handleBatch(req, caller, (sub) => this.graph({ ...sub, inBatch: true }, caller, env), env));
    }
    return runGraphWithFaults(env.faults, target, onFire, async () => {
      if (env.faults.shouldThrottle()) throw graphErrors.throttled(env.faults.options.retryAfterSeconds);
      // Graph's own limits, per request and per $batch item (quotas.ts); a throttled request draws nothing.
      const quota = env.quotas.charge(req, { appId: caller.appId, tenantId: env.tenant.tenantId, users: () => env.tenant.users.list().length });
      const out = await this.route(req, segments, target, onFire, caller, env);
      return { ...out, headers: { ...out.headers, ...quota } };
    });
  }

  private async route(
    req: EmuRequest,
    segments: string[],
    target: FaultTarget,
    onFire: (t: FaultTag) => void,
    caller: Caller,
    env: EmulatorEnv,
  ): Promise<EmuResponse> {
    // Graph refuses /me for an app-only token whatever the path below it and the roles.
    if (segments[0]?.toLowerCase() === 'me' && !caller.user) throw graphErrors.meWithoutUser();
    const ghost = req.method === 'GET' ? this.ghosts.read(env.tenant.tenantId, rulePath(target), env.clock.now(), req.query) : undefined;
    if (ghost) return json(200, ghost);
    const { route, params } = this.router.match(req.method, segments);
    if (!hasAny(caller, route.anyOf) || route.alsoAnyOf?.some((group) => !hasAny(caller, group))) throw (route.denied ?? graphErrors.denied)();
    checkQueryOptions(req, route);
    const lag = env.faults.rules.lag(target)?.rule;
    if (!lag) return route.handler({ req, params, env, caller });
    onFire({ rule: lag.id, kind: lag.kind });
    if (req.method === 'DELETE') return this.lagDelete(req, segments, { params, env, caller }, route.handler, lag);
    return env.faults.withLag(lag, () => route.handler({ req, params, env, caller }));
  }

  /** A DELETE under a `lag` rule: what a GET of the path answered just before stays readable for lagMs (fault-ghosts.ts). */
  private async lagDelete(
    req: EmuRequest,
    segments: string[],
    ctx: { params: Record<string, string>; env: EmulatorEnv; caller: Caller },
    handler: GraphRoute['handler'],
    lag: { lagMs?: number; jitterMs?: number },
  ): Promise<EmuResponse> {
    const lagMs = lag.lagMs ?? ctx.env.faults.options.replicationLagMs;
    let before: EmuResponse | undefined;
    try {
      const get = this.router.match('GET', segments);
      before = await get.route.handler({
        req: { ...req, method: 'GET', query: new URLSearchParams(), body: undefined, rawBody: '' },
        params: get.params,
        env: ctx.env,
        caller: ctx.caller,
      });
    } catch {
      before = undefined; // nothing to keep: no GET route here, or the object is not readable
    }
    // In the rule's lag, the store keeps a tombstone of what it deletes (collection.ts): lists, filters and
    // alternate keys still find it on the replicas; the ghost below serves the same path for what is not a collection.
    const out = await ctx.env.faults.withLag(lag, () => handler({ req, ...ctx }));
    const key = rulePath({ service: 'graph', method: 'GET', path: req.path, inBatch: req.inBatch });
    if (out.status < 300 && before?.status === 200) this.ghosts.remember(ctx.env.tenant.tenantId, key, before.body, ctx.env.clock.now() + lagMs);
    return out;
  }

  private renderError(e: unknown, req: EmuRequest | undefined): EmuResponse {
    const crid = req ? String(req.headers['client-request-id'] ?? '') || undefined : undefined;
    if (e instanceof GraphFault) return renderGraphFault(e, crid);
    // An emulator bug: say so loudly rather than pretending it is a Graph error.
    console.error('[tenantform emulator] internal error:', e);
    return renderGraphFault(new GraphFault(500, 'InternalServerError', `tenantform emulator internal error: ${String((e as Error)?.message ?? e)}`), crid);
  }
}

function send(res: ServerResponse, out: EmuResponse): void {
  const body = out.text ?? (out.body === undefined ? '' : JSON.stringify(out.body));
  res.writeHead(out.status, out.headers ?? {});
  res.end(body);
}

function isGraphPath(path: string): boolean {
  return path.startsWith('/v1.0/') || path === '/v1.0' || path.startsWith('/beta/');
}

/** The resource units Graph's quotas charged (quotas.ts), from the answer's x-ms-resource-unit. */
function resourceUnits(out: EmuResponse): { resourceUnits?: number } {
  const ru = Number(out.headers?.['x-ms-resource-unit']);
  return ru > 0 ? { resourceUnits: ru } : {};
}

function errorCode(out: EmuResponse): { errorCode?: string } {
  if (out.errorCode) return { errorCode: out.errorCode };
  const b = out.body as { error?: unknown; error_codes?: number[] } | undefined;
  if (out.status < 400 || !b) return {};
  if (b.error && typeof b.error === 'object') return { errorCode: String((b.error as { code?: string }).code) };
  if (Array.isArray(b.error_codes)) return { errorCode: `AADSTS${b.error_codes[0]}` };
  return {};
}

async function readRequest(req: IncomingMessage): Promise<EmuRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw graphErrors.badRequest('Request body too large.');
    chunks.push(c as Buffer);
  }
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'https://emulator');
  const contentType = String(req.headers['content-type'] ?? '');
  let body: unknown;
  if (rawBody.length > 0) {
    if (contentType.includes('application/x-www-form-urlencoded')) {
      body = Object.fromEntries(new URLSearchParams(rawBody));
    } else {
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new GraphFault(
          400,
          'BadRequest',
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        );
      }
    }
  }
  return { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers: req.headers, body, rawBody };
}
