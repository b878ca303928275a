/**
 * THE one mapping from a failed connection to the one error family: a request to Microsoft Graph or to the
 * Entra authority that never got an HTTP answer becomes NETWORK_ERROR (DNS, refused, timeout…) or TLS_ERROR
 * (which certificate problem), naming the host and the next step. Node and undici put the reason in a `code`
 * on an error somewhere down the chain (fetch's TypeError → `cause`; AggregateError → `errors`; the SDKs'
 * wrappers → `cause`/`originalError`), so the chain is walked and the codes matched — never message text,
 * which differs between Node versions.
 */
import { Agent } from 'undici';
import { TenantformError } from '../errors.js';

/** What we were trying to reach, for the message: which service, at which URL, set by which flag. */
export interface Endpoint {
  service: 'Microsoft Graph' | 'the Entra authority';
  /** The URL (or origin) the request went to. */
  url: string;
  /** The flag (or environment variable) that chose this URL, when the user chose it. */
  flag?: string;
  /** An extra CA was given (--ca-file): a certificate error then means that CA did not issue it. */
  extraCa?: boolean;
}

type Cause =
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'reset'
  | 'blocked-port'
  | 'not-tls'
  | 'self-signed'
  | 'self-signed-in-chain'
  | 'unknown-ca'
  | 'hostname-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  | 'bad-certificate';

const NETWORK_CODES: Record<string, Cause> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  EAI_FAIL: 'dns',
  EAI_NODATA: 'dns',
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ECONNRESET: 'reset',
  ECONNABORTED: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
};

const TLS_CODES: Record<string, Cause> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed-in-chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-ca',
  CERT_UNTRUSTED: 'unknown-ca',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname-mismatch',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  CERT_REVOKED: 'revoked',
  CERT_SIGNATURE_FAILURE: 'bad-certificate',
  CERT_REJECTED: 'bad-certificate',
  INVALID_CA: 'bad-certificate',
  // The server answered the TLS hello with something else: plain HTTP on an https:// URL.
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-tls',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'not-tls',
  ERR_SSL_HTTP_REQUEST: 'not-tls',
};

interface Found {
  cause: Cause;
  errno: string;
  /** Node's own detail where it helps (the altnames a certificate does hold). */
  detail?: string;
}

/** The connection failure somewhere in an error's chain, or undefined when the error is something else. */
export function findNetworkCause(err: unknown): Found | undefined {
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): Found | undefined => {
    if (!e || typeof e !== 'object' || seen.has(e) || depth > 8) return undefined;
    seen.add(e);
    const x = e as { code?: unknown; name?: unknown; message?: unknown; reason?: unknown; cause?: unknown; errors?: unknown; originalError?: unknown };
    const code = typeof x.code === 'string' ? x.code : undefined;
    if (code && TLS_CODES[code]) return { cause: TLS_CODES[code], errno: code, detail: typeof x.reason === 'string' ? x.reason : undefined };
    if (code && NETWORK_CODES[code]) return { cause: NETWORK_CODES[code], errno: code };
    // AbortSignal.timeout() aborts with a DOMException named TimeoutError (no string code).
    if (x.name === 'TimeoutError') return { cause: 'timeout', errno: 'TimeoutError' };
    // fetch refuses ports on the WHATWG "bad ports" list before connecting, with no code.
    if (x.message === 'bad port') return { cause: 'blocked-port', errno: 'bad port' };
    for (const next of [x.cause, x.originalError, ...(Array.isArray(x.errors) ? x.errors : [])]) {
      const f = visit(next, depth + 1);
      if (f) return f;
    }
    return undefined;
  };
  return visit(err, 0);
}

/** A TenantformError for a failed connection to `at`, or undefined when `err` is not one. */
export function networkFailure(err: unknown, at: Endpoint): TenantformError | undefined {
  const found = findNetworkCause(err);
  if (!found) return undefined;
  const url = safeUrl(at.url);
  const host = url ? url.host : at.url;
  const where = `${at.service} at ${host}`;
  const check = at.flag ? `Check ${at.flag} (${url?.origin ?? at.url})` : `Check the network`;
  const meta = { service: at.service, host, url: at.url, cause: found.cause, errno: found.errno, ...(at.flag ? { flag: at.flag } : {}) };
  // meta.problem and meta.next let a caller put the two halves in its own words (verify's diagnosis rows).
  const fail = (code: 'NETWORK_ERROR' | 'TLS_ERROR', problem: string, next: string) =>
    new TenantformError(code, `${problem}. ${next}`, { ...meta, ...(found.detail ? { detail: found.detail } : {}), problem, next });
  const net = (what: string, next: string) => fail('NETWORK_ERROR', `Cannot reach ${where}: ${what} (${found.errno})`, next);
  const tls = (what: string, next: string) => fail('TLS_ERROR', `TLS with ${where} failed: ${what} (${found.errno})`, next);
  const trust = at.extraCa
    ? 'The certificate passed with --ca-file did not issue it: pass the CA certificate (PEM) of that server, e.g. the caFile line of `tenantform emulator`.'
    : 'Trust its CA with --ca-file <pem> (for `tenantform emulator`, the caFile it prints), or NODE_EXTRA_CA_CERTS for a corporate TLS proxy.';
  switch (found.cause) {
    case 'dns':
      return net('the host name does not resolve', `${check} for a typo, and this machine's DNS and network.`);
    case 'refused':
      return net(
        'connection refused',
        `Nothing listens on that port. ${check}; for a separately started emulator, is \`tenantform emulator\` still running, on that port?`,
      );
    case 'timeout':
      return net('no answer in time', `Check the network, and a firewall or proxy between this machine and ${host}; then re-run.`);
    case 'unreachable':
      return net('no route to the host', `Check the network connection (VPN, offline?) and ${at.flag ?? 'the URL'}.`);
    case 'reset':
      return net('the connection was closed before an answer', `Re-run; if it persists, check a proxy or firewall between this machine and ${host}.`);
    case 'blocked-port':
      return net(`fetch refuses to connect to port ${url?.port || '?'}`, 'It is on the WHATWG list of blocked ports: use another port.');
    case 'not-tls':
      return tls('the server does not speak TLS on that port (plain HTTP?)', `${check}: it must be an https:// endpoint.`);
    case 'self-signed':
      return tls("the server's certificate is self-signed and not trusted", trust);
    case 'self-signed-in-chain':
      return tls("the server's certificate chain ends in a self-signed root this machine does not trust", trust);
    case 'unknown-ca':
      return tls("the server's certificate is signed by an unknown CA", trust);
    case 'hostname-mismatch':
      return tls(
        `the certificate is not valid for ${url?.hostname ?? host}${found.detail ? ` (${found.detail.trim()})` : ''}`,
        `Use the host name the certificate was issued for in ${at.flag ?? 'the URL'} (the emulator's is 127.0.0.1).`,
      );
    case 'expired':
      return tls("the server's certificate has expired", "Renew the server's certificate, or check this machine's clock.");
    case 'not-yet-valid':
      return tls("the server's certificate is not valid yet", "Check this machine's clock.");
    case 'revoked':
      return tls("the server's certificate is revoked", 'The server needs a new certificate.');
    case 'bad-certificate':
      return tls("the server's certificate was rejected", trust);
  }
}

/**
 * Why a token request failed when the SDK does not say: MSAL folds a failed discovery or token request into
 * `endpoints_resolution_error` / `network_error` without its cause. So ask the authority ourselves — its
 * tenant's OpenID configuration, with the same CA — and map what happens. Undefined when the authority answers
 * (the sign-in failed for another reason, which the caller reports), or when the probe answers why.
 */
export async function probeAuthority(o: {
  authorityHost: string;
  tenant: string;
  ca?: string;
  flag?: string;
  timeoutMs?: number;
}): Promise<TenantformError | undefined> {
  const base = o.authorityHost.replace(/\/+$/, '');
  const url = `${base}/${encodeURIComponent(o.tenant)}/v2.0/.well-known/openid-configuration`;
  const dispatcher = new Agent({ connect: { ...(o.ca ? { ca: o.ca } : {}), timeout: o.timeoutMs ?? 10_000 } });
  try {
    const res = await fetch(url, { dispatcher, signal: AbortSignal.timeout(o.timeoutMs ?? 10_000) } as RequestInit);
    const body = (await res.json().catch(() => undefined)) as { error_codes?: number[]; error_description?: string } | undefined;
    // AADSTS90002: the authority does not know the tenant (a mistyped domain or id).
    if (res.status === 400 && body?.error_codes?.includes(90002)) {
      return new TenantformError(
        'AUTH_FAILED',
        `Tenant "${o.tenant}" does not exist at ${base} (AADSTS90002). Check --tenant: a tenant id (GUID) or one of its domains, e.g. contoso.onmicrosoft.com.`,
        { tenant: o.tenant, aadsts: 90002 },
      );
    }
    return undefined;
  } catch (e) {
    return networkFailure(e, { service: 'the Entra authority', url: base, flag: o.flag, extraCa: !!o.ca });
  } finally {
    void dispatcher.close();
  }
}

function safeUrl(u: string): URL | undefined {
  try {
    return new URL(u);
  } catch {
    return undefined;
  }
}
