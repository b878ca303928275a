import type { EmulatorEnv } from '../context.js';
import type { EmuRequest } from '../http.js';

/**
 * The origin a sign-in request came to. Entra serves the same endpoints under each of its host names
 * (login.microsoftonline.com, login.windows.net, …; that every field of each alias's documents names that alias is
 * UNCONFIRMED), and a client checks the `issuer` and `token_endpoint` it is handed against the authority it was given (msal-node:
 * reference/tokens.md §6.2). So the emulator answers on the `Host` of the request, always as https (the emulator
 * only speaks HTTPS; a TLS-terminating proxy in front of it forwards https traffic): a client that reaches it
 * through a proxy answering for `login.microsoftonline.com` stays on that origin, and its tokens' `iss` is the
 * issuer that client saw. Without a usable Host (HTTP/1.0, a `$batch` replay) the emulator's own origin is kept.
 */
export function servedOrigin(req: EmuRequest, fallback: string): string {
  const host = req.headers.host;
  // A DNS name or IPv4 address with an optional port, or a bracketed IPv6 literal: anything else (a path, a user
  // name, spaces) could smuggle text into the URLs the documents print, so it is ignored.
  if (typeof host !== 'string' || !/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(host)) {
    return fallback;
  }
  // URL drops a default port (`:443`) and lowercases, so one host always prints one origin; it refuses a port
  // above 65535.
  try {
    return new URL(`https://${host}`).origin;
  } catch {
    return fallback;
  }
}

/** The environment of one sign-in request: the tenant's, with the authority host the request came to. */
export function onRequestOrigin(env: EmulatorEnv, req: EmuRequest): EmulatorEnv {
  const origin = servedOrigin(req, env.authorityHost);
  return origin === env.authorityHost ? env : { ...env, authorityHost: origin };
}
