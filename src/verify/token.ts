import { resolve } from 'node:path';
import { ClientCertificateCredential, ClientSecretCredential, type ClientSecretCredentialOptions } from '@azure/identity';
import { credentialOptions } from '../graph/authority.js';
import type { ProbeCredential } from './probes.js';

/**
 * One client-credentials token request, made exactly as a daemon makes it: through @azure/identity's
 * ClientSecretCredential / ClientCertificateCredential (msal-node underneath) with the written config.
 *
 * @azure/identity folds the token endpoint's error into a message string, so a pipeline policy keeps the
 * raw error response: verify branches on its `error_codes` (the AADSTS numbers) and `error`, never on the
 * description's text (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
export interface TokenRequest {
  /** https://login.microsoftonline.com, or the emulator's origin. */
  authorityHost: string;
  tenant: string;
  clientId: string;
  credential: ProbeCredential;
  scope: string;
  /** Extra CA (PEM) to trust: the emulator's. */
  ca?: string;
  /** Base for relative certificate paths. */
  cwd: string;
}

export type TokenOutcome =
  | { ok: true; token: string }
  | {
      ok: false;
      /** HTTP status of the token endpoint's answer (0 = no answer: network, configuration). */
      status: number;
      /** OAuth `error` (invalid_client, invalid_scope, …). */
      error: string;
      /** AADSTS numbers from `error_codes`. */
      codes: number[];
      /** The description, for display only. */
      description: string;
    };

type Policy = NonNullable<ClientSecretCredentialOptions['additionalPolicies']>[number]['policy'];

export async function requestToken(req: TokenRequest): Promise<TokenOutcome> {
  let answer: { status: number; body: string } | undefined;
  const capture: Policy = {
    name: 'tenantformTokenErrorCapture',
    async sendRequest(request, next) {
      const res = await next(request);
      if (res.status >= 400 && /\/oauth2\/(v2\.0\/)?token$/.test(new URL(request.url).pathname)) answer = { status: res.status, body: res.bodyAsText ?? '' };
      return res;
    },
  };
  const options: ClientSecretCredentialOptions = {
    ...credentialOptions(req.authorityHost, req.ca),
    additionalPolicies: [{ policy: capture, position: 'perCall' }],
  };
  const c = req.credential;
  try {
    // A new credential per attempt: @azure/identity caches tokens, and a retry must see the tenant's current state.
    const credential =
      c.kind === 'secret'
        ? new ClientSecretCredential(req.tenant, req.clientId, c.value, options)
        : c.pem !== undefined
          ? new ClientCertificateCredential(req.tenant, req.clientId, { certificate: c.pem }, options)
          : new ClientCertificateCredential(req.tenant, req.clientId, { certificatePath: resolve(req.cwd, c.path ?? '') }, options);
    const t = await credential.getToken(req.scope);
    if (!t?.token) return { ok: false, status: 0, error: 'no_token', codes: [], description: 'The credential returned no token.' };
    return { ok: true, token: t.token };
  } catch (e) {
    if (answer) return parseError(answer.status, answer.body);
    return { ok: false, status: 0, error: 'client_error', codes: [], description: firstLine((e as Error).message ?? String(e)) };
  }
}

function parseError(status: number, body: string): TokenOutcome {
  try {
    const j = JSON.parse(body) as { error?: string; error_codes?: unknown; error_description?: string };
    const codes = Array.isArray(j.error_codes) ? j.error_codes.map(Number).filter(Number.isFinite) : [];
    return { ok: false, status, error: String(j.error ?? 'unknown_error'), codes, description: firstLine(String(j.error_description ?? '')) };
  } catch {
    return { ok: false, status, error: 'unknown_error', codes: [], description: firstLine(body) };
  }
}

/** AADSTS descriptions end with trace/correlation lines; the first line is the message. */
function firstLine(s: string): string {
  return s.split(/\r?\n/)[0].slice(0, 500);
}
