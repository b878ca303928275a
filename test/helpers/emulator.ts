import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { after, before } from 'node:test';
import { Agent } from 'undici';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
// Generated once with the emulator's own code (certs.ts); a fresh RSA key per start costs ~1 s of CPU.
import signingKey from '../fixtures/emulator-signing-key.json' with { type: 'json' };
import tls from '../fixtures/emulator-tls.json' with { type: 'json' };

/**
 * Start an in-memory emulator on a free port; stop it with `await emu.close()`. Injected 429s carry
 * `Retry-After: 0` unless the test asks for a wait (`retryAfterSeconds`). Most tests want `useEmulator()`.
 */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({ port: 0, env: {}, signingKey, tls, retryAfterSeconds: 0, ...options });
}

/**
 * One emulator for the enclosing `describe` (or the file, at top level): started by a `before` hook, closed
 * by an `after` hook. Returns a stand-in that forwards to the running emulator, so it reads like one
 * (`emu.tenantId`, `graphClient(emu)`) — but only inside tests and hooks, once `before` has run.
 * node:test runs hooks in the order they were registered: a `before` registered after this call sees the
 * emulator running; an `after` that still needs it must be registered BEFORE this call.
 */
export function useEmulator(options: EmulatorOptions = {}): Emulator {
  let current: Emulator | undefined;
  before(async () => {
    current = await startEmulator(options);
  });
  after(async () => {
    const e = current;
    current = undefined;
    await e?.close();
  });
  const live = (): Emulator => {
    if (!current) throw new Error('useEmulator(): the emulator runs from the before hook to the after hook; use it inside tests and hooks');
    return current;
  };
  return new Proxy({} as Emulator, {
    get: (_t, p) => Reflect.get(live(), p),
    has: (_t, p) => Reflect.has(live(), p),
    ownKeys: () => Reflect.ownKeys(live()),
    getOwnPropertyDescriptor: (_t, p) => {
      const d = Reflect.getOwnPropertyDescriptor(live(), p);
      return d && { ...d, configurable: true };
    },
  });
}

/** A ClientSecretCredential pointed at the emulator, trusting its certificate in process. */
export function secretCredential(emu: Emulator, clientId = emu.adminClientId, secret = emu.adminClientSecret): ClientSecretCredential {
  return new ClientSecretCredential(emu.tenantId, clientId, secret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.ca },
  });
}

/** The real Graph SDK client against the emulator (customHosts is needed for the bearer token to be attached). */
export function graphClient(emu: Emulator, credential: TokenCredential = secretCredential(emu)): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] });
  return Client.initWithMiddleware({
    authProvider,
    baseUrl: `${emu.graphUrl}/`,
    customHosts: new Set([new URL(emu.graphUrl).hostname]),
    fetchOptions: { dispatcher: new Agent({ connect: { ca: emu.ca } }) },
  } as Parameters<typeof Client.initWithMiddleware>[0]);
}

/** Raw HTTPS to the emulator (for status codes and headers the SDK hides). */
export async function rawFetch(emu: Emulator, path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
  return fetch(`${emu.graphUrl}${path}`, { ...init, headers, dispatcher: new Agent({ connect: { ca: emu.ca } }) } as RequestInit);
}

/** An app-only token for Graph for the admin client (or any client), through @azure/identity. */
export async function graphToken(emu: Emulator, credential: TokenCredential = secretCredential(emu)): Promise<string> {
  const t = await credential.getToken('https://graph.microsoft.com/.default');
  if (!t) throw new Error('no token');
  return t.token;
}
