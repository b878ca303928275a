import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import { authenticateGraph } from './auth.js';
import { hasAny, type Caller, type EmulatorEnv } from './context.js';
import { envForTenant, tenantById } from './directory.js';
import { GraphFault, graphErrors, renderGraphFault } from './errors.js';
import { handleBatch } from './graph/batch.js';
import { checkQueryOptions } from './graph/query-options.js';
import { graphRoutes } from './graph/routes.js';
import type { EmuRequest, EmuResponse } from './http.js';
import { bodyKeys, type RequestLog } from './log.js';
import { handleLogin } from './login/index.js';
import { GraphRouter, splitGraphPath } from './router.js';

const MAX_BODY = 4 * 1024 * 1024;

/** The request pipeline: parse → latency → (Graph: auth → throttle → route → handler) → log → respond. */
export class EmulatorPipeline {
  private readonly router = new GraphRouter(graphRoutes);
  constructor(
    private readonly env: EmulatorEnv,
    private readonly log: RequestLog,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let emuReq: EmuRequest | undefined;
    let out: EmuResponse;
    try {
      emuReq = await readRequest(req);
      await this.env.faults.delay();
      out = isGraphPath(emuReq.path) ? await this.graphTopLevel(emuReq) : await handleLogin(emuReq, this.env);
    } catch (e) {
      out = this.renderError(e, emuReq);
    }
    const body = out.text ?? (out.body === undefined ? '' : JSON.stringify(out.body));
    res.writeHead(out.status, out.headers ?? {});
    res.end(body);
    if (emuReq) {
      this.log.add({
        time: new Date().toISOString(),
        service: isGraphPath(emuReq.path) ? 'graph' : 'login',
        method: emuReq.method,
        path: emuReq.path,
        status: out.status,
        durationMs: Math.round(performance.now() - started),
        bodyKeys: bodyKeys(emuReq.body),
        ...errorCode(out),
      });
    }
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
    try {
      out = await this.graphInner(req, caller, env);
    } catch (e) {
      out = this.renderError(e, req);
    }
    if (req.inBatch) {
      this.log.add({
        time: new Date().toISOString(),
        service: 'graph',
        method: req.method,
        path: req.path,
        status: out.status,
        durationMs: Math.round(performance.now() - started),
        bodyKeys: bodyKeys(req.body),
        batch: true,
        ...errorCode(out),
      });
    }
    return out;
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
    if (segments.length === 1 && segments[0] === '$batch' && !req.inBatch) {
      if (req.method !== 'POST') throw graphErrors.methodNotAllowed();
      // The envelope itself is not throttled: Graph evaluates each item against the limits and answers
      // 200 with per-item 429s (https://learn.microsoft.com/graph/throttling#throttling-and-batching).
      return handleBatch(req, caller, (sub) => this.graph({ ...sub, inBatch: true }, caller, env), env);
    }
    if (env.faults.shouldThrottle()) throw graphErrors.throttled(env.faults.options.retryAfterSeconds);
    // Every caller that reaches here holds an app-only token (delegated Graph tokens answer 501 in auth.ts), and
    // Graph refuses /me for those whatever the path below it and the roles.
    if (segments[0]?.toLowerCase() === 'me') throw graphErrors.meWithoutUser();
    const { route, params } = this.router.match(req.method, segments);
    if (!hasAny(caller, route.anyOf) || route.alsoAnyOf?.some((group) => !hasAny(caller, group))) throw (route.denied ?? graphErrors.denied)();
    checkQueryOptions(req, route);
    return route.handler({ req, params, env, caller });
  }

  private renderError(e: unknown, req: EmuRequest | undefined): EmuResponse {
    const crid = req ? String(req.headers['client-request-id'] ?? '') || undefined : undefined;
    if (e instanceof GraphFault) return renderGraphFault(e, crid);
    // An emulator bug: say so loudly rather than pretending it is a Graph error.
    console.error('[tenantform emulator] internal error:', e);
    return renderGraphFault(new GraphFault(500, 'InternalServerError', `tenantform emulator internal error: ${String((e as Error)?.message ?? e)}`), crid);
  }
}

function isGraphPath(path: string): boolean {
  return path.startsWith('/v1.0/') || path === '/v1.0' || path.startsWith('/beta/');
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
