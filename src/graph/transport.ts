import { randomUUID } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  ResponseType,
  TelemetryHandler,
  type ClientOptions,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { Agent } from 'undici';
import { decodeJwt } from 'jose';
import { gateFor, type ThrottleGate } from './gate.js';
import { networkFailure } from './network.js';
import { paths } from './paths.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface GraphRequestSpec {
  method: HttpMethod;
  /** Path relative to the version root, e.g. `/applications(uniqueName='x')`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface TransportOptions {
  /** Origin used like https://graph.microsoft.com (national clouds, or the emulator). */
  graphUrl: string;
  credential: TokenCredential;
  /** Extra CA certificate (PEM) to trust — the local emulator's. */
  ca?: string;
  /** The flag that chose graphUrl (`--graph-url`), named when Graph cannot be reached. */
  graphUrlFlag?: string;
}

/** Counts what went over the wire, for the benchmark and the "zero writes on a no-op apply" checks. */
export interface TransportStats {
  requests: number;
  writes: number;
}

/** What sends Graph requests: the transport itself, or the coalescing layer over it (coalesce.ts). */
export interface GraphSender {
  readonly stats: TransportStats;
  send(req: GraphRequestSpec): Promise<GraphResponse>;
}

/**
 * Graph over the official SDK, with a middleware chain WITHOUT the SDK's RetryHandler: retries are
 * decided by our one retry table (retry.ts), which knows Graph's eventual-consistency codes too.
 * Responses come back raw (never thrown) so the table can see status, code and Retry-After.
 */
export class GraphTransport implements GraphSender {
  readonly stats: TransportStats = { requests: 0, writes: 0 };
  /** Sent with every request of this run (x-tenantform-run-id): a request log can group one command's requests. */
  readonly runId = randomUUID();
  private readonly client: Client;
  private gate?: Promise<ThrottleGate>;

  constructor(readonly options: TransportOptions) {
    const authProvider = new TokenCredentialAuthenticationProvider(options.credential, {
      scopes: [`${graphResource(options.graphUrl)}/.default`],
    });
    const auth = new AuthenticationHandler(authProvider);
    const telemetry = new TelemetryHandler();
    auth.setNext(telemetry);
    telemetry.setNext(new FetchHandler());
    const config: ClientOptions & { fetchOptions?: Record<string, unknown> } = {
      middleware: auth,
      baseUrl: `${options.graphUrl}/`,
      defaultVersion: 'v1.0',
      // The SDK attaches the bearer token only to hosts it knows as Graph hosts.
      customHosts: new Set([new URL(options.graphUrl).hostname]),
    };
    // One TLS context for the run: with `ca`, each new connection would parse the certificate into a context of
    // its own (a large fan-out of $batch envelopes opens many connections).
    if (options.ca) config.fetchOptions = { dispatcher: new Agent({ connect: { secureContext: createSecureContext({ ca: options.ca }) } }) };
    this.client = Client.initWithMiddleware(config);
  }

  async send(req: GraphRequestSpec): Promise<GraphResponse> {
    const gate = await (this.gate ??= this.gateOf());
    const ticket = await gate.admit(req);
    let answer: GraphResponse | undefined;
    try {
      answer = await this.sendOnWire(req);
      return answer;
    } finally {
      gate.settle(ticket, answer);
    }
  }

  /**
   * The throttle gate of this run's application+tenant pair (gate.ts): Graph's quotas are per pair, so the key is
   * the token's `tid` and `appid` (the credential's cached token: no extra sign-in).
   */
  private async gateOf(): Promise<ThrottleGate> {
    let key = this.options.graphUrl;
    try {
      const token = await this.options.credential.getToken(`${graphResource(this.options.graphUrl)}/.default`);
      const c = token ? decodeJwt(token.token) : {};
      key += ` ${String(c.tid ?? '')} ${String(c.appid ?? c.azp ?? '')}`;
    } catch {
      // The request itself meets the sign-in failure and reports it; this run paces alone.
      key += ` ${this.runId}`;
    }
    return gateFor(key);
  }

  /** The request on the wire, once the gate let it go (bench/rounds.ts times this: round trips, not waits). */
  async sendOnWire(req: GraphRequestSpec): Promise<GraphResponse> {
    this.stats.requests++;
    if (req.method !== 'GET' && req.path !== paths.batch) this.stats.writes++;
    const failure = new FetchFailure();
    let r = this.client.api(req.path).responseType(ResponseType.RAW).middlewareOptions([failure]);
    r = r.header('x-tenantform-run-id', this.runId);
    for (const [k, v] of Object.entries(req.headers ?? {})) r = r.header(k, v);
    let res: Response;
    try {
      res = (await (req.method === 'GET'
        ? r.get()
        : req.method === 'POST'
          ? r.post(req.body ?? {})
          : req.method === 'PATCH'
            ? r.patch(req.body ?? {})
            : req.method === 'PUT'
              ? r.put(req.body ?? {})
              : r.delete())) as Response;
    } catch (e) {
      // No HTTP answer at all: say which host and why (network.ts), not "fetch failed".
      const o = this.options;
      throw (failure.error && networkFailure(failure.error, { service: 'Microsoft Graph', url: o.graphUrl, flag: o.graphUrlFlag, extraCa: !!o.ca })) ?? e;
    }
    const text = await res.text();
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.status, headers, body };
  }
}

/** Per request: the error fetch threw, kept before the SDK wraps it into a GraphError without its `cause`. */
class FetchFailure implements MiddlewareOptions {
  error?: unknown;
}

/** The SDK's HTTPMessageHandler (the last middleware: fetch), except that it keeps the error fetch threw. */
class FetchHandler implements Middleware {
  async execute(context: Context): Promise<void> {
    try {
      context.response = await fetch(context.request, context.options);
    } catch (e) {
      const slot = context.middlewareControl?.getMiddlewareOptions(FetchFailure) as FetchFailure | undefined;
      if (slot) slot.error = e;
      throw e;
    }
  }
}

/**
 * The resource of the Graph token. The public cloud and the emulator take https://graph.microsoft.com;
 * national clouds use their own Graph host (e.g. https://graph.microsoft.us).
 */
export function graphResource(graphUrl: string): string {
  const host = new URL(graphUrl).hostname;
  return host === '127.0.0.1' || host === 'localhost' ? 'https://graph.microsoft.com' : new URL(graphUrl).origin;
}

/** Graph's error envelope `{error:{code,message}}`, tolerant of variants. */
export function graphErrorOf(res: GraphResponse): { code: string; message: string } {
  const e = (res.body as { error?: { code?: string; message?: unknown } } | undefined)?.error;
  const message = typeof e?.message === 'string' ? e.message : ((e?.message as { value?: string })?.value ?? '');
  return { code: e?.code ?? `HTTP${res.status}`, message };
}
