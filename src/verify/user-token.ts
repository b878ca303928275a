import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { resolve } from 'node:path';
import type { ConfidentialClientApplication, Configuration, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { isMicrosoftAuthorityHost } from '../graph/authority.js';
import type { ProbeCredential } from './probes.js';
import type { TokenOutcome } from './token.js';

/**
 * The two token requests of a delegated chain, made as the middle tier makes them: msal-node's
 * ConfidentialClientApplication with the middle tier's written client id and credential (what examples/obo's
 * middle tier runs). Not @azure/identity, as the client-credentials probe (token.ts) is: its OnBehalfOfCredential
 * drops the claims challenge of conditional access (Azure/azure-sdk-for-js#38707), and its UsernamePasswordCredential
 * is a public client that cannot send the middle tier's credential.
 *
 * As in token.ts, the token endpoint's raw error answer is kept (by the network module) and verify branches on its
 * `error_codes`, `error`, `suberror` and `claims` — never on the description's text
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes). The password and the tokens never
 * leave this module except as the outcome's `token` (the caller decodes it and drops it).
 */
export interface DelegatedRequestBase {
  /** `{authority host}/{tenant}`. */
  authority: string;
  clientId: string;
  credential: ProbeCredential;
  scopes: string[];
  ca?: string;
  cwd: string;
}

export type DelegatedOutcome =
  | { ok: true; token: string }
  | (Extract<TokenOutcome, { ok: false }> & {
      /** `suberror` (consent_required, basic_action, …). */
      suberror?: string;
      /** The claims challenge (JSON text) of an interaction_required / invalid_grant answer. */
      claims?: string;
    });

/** Leg 1: the password grant (ROPC) for the user, with the middle tier's credential. */
export function requestUserToken(req: DelegatedRequestBase & { username: string; password: string }): Promise<DelegatedOutcome> {
  // acquireTokenByUsernamePassword is deprecated in msal-node (the password grant is discouraged), not removed.
  return run(req, (app) => app.acquireTokenByUsernamePassword({ scopes: req.scopes, username: req.username, password: req.password }));
}

/** Leg 2: the On-Behalf-Of exchange of the user's token for the downstream API's scopes. */
export function requestOnBehalfOf(req: DelegatedRequestBase & { assertion: string }): Promise<DelegatedOutcome> {
  return run(req, (app) => app.acquireTokenOnBehalfOf({ oboAssertion: req.assertion, scopes: req.scopes }));
}

async function run(
  req: DelegatedRequestBase,
  call: (app: ConfidentialClientApplication) => Promise<{ accessToken: string } | null>,
): Promise<DelegatedOutcome> {
  let answer: { status: number; body: unknown } | undefined;
  const network = networkModule(req.ca, (status, url, body) => {
    if (status >= 400 && /\/oauth2\/(v2\.0\/)?token$/.test(new URL(url).pathname)) answer = { status, body };
  });
  try {
    // Loaded only when a delegated chain is proven (`--user`). A new application per attempt: msal-node caches
    // tokens, and a retry must see the tenant's current state.
    const { ConfidentialClientApplication } = await import('@azure/msal-node');
    const app = new ConfidentialClientApplication(config(req, network));
    const r = await call(app);
    if (!r?.accessToken) return { ok: false, status: 0, error: 'no_token', codes: [], description: 'msal-node returned no token.' };
    return { ok: true, token: r.accessToken };
  } catch (e) {
    if (answer) return parseAnswer(answer.status, answer.body);
    return { ok: false, status: 0, error: 'client_error', codes: [], description: firstLine((e as Error).message ?? String(e)) };
  }
}

function config(req: DelegatedRequestBase, networkClient: INetworkModule): Configuration {
  const host = new URL(req.authority).host;
  const c = req.credential;
  const credential =
    c.kind === 'secret' ? { clientSecret: c.value } : { clientCertificate: certificateOf(c.pem ?? readFileSync(resolve(req.cwd, c.path ?? ''), 'utf8')) };
  return {
    // A private host (the emulator) is trusted as given; Microsoft's hosts keep instance discovery (graph/authority.ts).
    auth: { clientId: req.clientId, authority: req.authority, ...(isMicrosoftAuthorityHost(req.authority) ? {} : { knownAuthorities: [host] }), ...credential },
    system: { networkClient },
  };
}

/** msal-node's certificate credential from one PEM holding the certificate and its private key. */
function certificateOf(pem: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!cert) throw new Error('the certificate file holds no certificate');
  const x509 = new X509Certificate(cert);
  const privateKey = createPrivateKey(pem).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { thumbprintSha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(), privateKey, x5c: cert };
}

/**
 * msal-node has no CA option: an INetworkModule over https.request that trusts the extra CA (the emulator's) and
 * reports each answer's status and body to `seen` (sdk-against-local-endpoints.md).
 */
function networkModule(ca: string | undefined, seen: (status: number, url: string, body: unknown) => void): INetworkModule {
  const send = <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> =>
    new Promise((done, fail) => {
      const req = httpsRequest(url, { method, headers: options?.headers ?? {}, ...(ca ? { ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = { error: 'unknown_error', error_description: text.slice(0, 500) };
          }
          seen(res.statusCode ?? 0, url, body);
          done({ status: res.statusCode ?? 0, headers, body: body as T });
        });
        res.on('error', fail);
      });
      req.on('error', fail);
      if (options?.body) req.write(options.body);
      req.end();
    });
  return { sendGetRequestAsync: (url, o) => send('GET', url, o), sendPostRequestAsync: (url, o) => send('POST', url, o) };
}

function parseAnswer(status: number, body: unknown): DelegatedOutcome {
  const j = (body && typeof body === 'object' ? body : {}) as {
    error?: unknown;
    error_codes?: unknown;
    error_description?: unknown;
    suberror?: unknown;
    claims?: unknown;
  };
  const codes = Array.isArray(j.error_codes) ? j.error_codes.map(Number).filter(Number.isFinite) : [];
  return {
    ok: false,
    status,
    error: String(j.error ?? 'unknown_error'),
    codes,
    description: firstLine(String(j.error_description ?? '')),
    ...(typeof j.suberror === 'string' && j.suberror ? { suberror: j.suberror } : {}),
    ...(typeof j.claims === 'string' && j.claims ? { claims: j.claims } : {}),
  };
}

/** AADSTS descriptions end with trace/correlation lines; the first line is the message. */
function firstLine(s: string): string {
  return s.split(/\r?\n/)[0].slice(0, 500);
}
