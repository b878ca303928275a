import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { EmulatorEnv } from '../context.js';
import type { ClientAppType } from './ca-evaluation.js';

/**
 * What a user access token carries about the sign-in behind it, so that On-Behalf-Of can evaluate conditional
 * access for the downstream resource with the authentication the user really did (an MFA sign-in satisfies an
 * MFA policy on the downstream API; a password-only one meets the claims challenge).
 *
 * Where it travels: in `aio`. Entra documents `aio` as "an internal claim that's used to record data for token
 * reuse" that resources must not use (access-token-claims-reference) — an opaque blob only the token service reads,
 * which is exactly this. A v2 access token has no `amr`, so nothing public could carry it; a v1 token's `amr`
 * says the same and is read when `aio` carries nothing (obo-assertion.ts). The value is AES-256-GCM under a key
 * derived from the tenant's token-signing key: opaque to APIs (they cannot start depending on it), unforgeable
 * without that key, and readable after a restart of a persisted tenant.
 *
 * Writing it: the OBO grant writes it into every token it issues (so OBO chains keep the MFA of the first
 * sign-in). The grants that sign a user in (login/user-token.ts issueUserTokens, shared with the authorize
 * endpoint) should write `sessionAio(env, …)` as their `aio`; until they do, their tokens carry a random `aio`
 * and OBO falls back to the v1 `amr` or to password-only — exact for the password grant (it never does MFA), not
 * for an MFA sign-in of the authorization code flow.
 */
/** amr values: a password, and multi-factor on top of it (the same as user-token.ts AuthMethod, which may import this file). */
export type SessionAuthMethod = 'pwd' | 'mfa';

export interface SignInSession {
  /** What the user's authentication included: ['pwd'] or ['pwd', 'mfa']. */
  authMethods: SessionAuthMethod[];
  /** Unix seconds of the authentication. */
  authTime: number;
  /** The conditional access client app type of the original sign-in (browser, mobileAppsAndDesktopClients). */
  clientAppType: ClientAppType;
}

const FORMAT = 1;
const CLIENT_APP_TYPES: readonly ClientAppType[] = ['browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'other'];

function aioKey(env: EmulatorEnv): Buffer {
  return createHmac('sha256', env.tenant.signingKey.privatePem).update('tenantform emulator aio').digest();
}

/** The `aio` value recording a sign-in (opaque: base64url of iv, tag and ciphertext). */
export function sessionAio(env: EmulatorEnv, session: SignInSession): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', aioKey(env), iv);
  const plain = JSON.stringify({ f: FORMAT, m: session.authMethods, t: session.authTime, c: session.clientAppType });
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The sign-in an `aio` records, or undefined when it records none this tenant can read (random, foreign, older). */
export function readSessionAio(env: EmulatorEnv, aio: unknown): SignInSession | undefined {
  if (typeof aio !== 'string' || aio.length < 40) return undefined;
  try {
    const raw = Buffer.from(aio, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', aioKey(env), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const v = JSON.parse(plain) as { f?: unknown; m?: unknown; t?: unknown; c?: unknown };
    if (v.f !== FORMAT || !Array.isArray(v.m) || typeof v.t !== 'number') return undefined;
    const authMethods = v.m.filter((x): x is SessionAuthMethod => x === 'pwd' || x === 'mfa');
    const clientAppType = CLIENT_APP_TYPES.find((t) => t === v.c) ?? 'mobileAppsAndDesktopClients';
    return { authMethods, authTime: v.t, clientAppType };
  } catch {
    return undefined;
  }
}

/**
 * An access token issued by issueUserTokens, with `aio` recording `session` (signed again with the tenant's key in
 * the token's own format). A token whose `aio` already records it is returned as it is.
 */
export async function withSession(env: EmulatorEnv, accessToken: string, session: SignInSession): Promise<string> {
  const claims = decodeJwt(accessToken);
  const current = readSessionAio(env, claims.aio);
  if (current && sameSession(current, session)) return accessToken;
  const version = claims.ver === '1.0' ? '1.0' : '2.0';
  return env.keys.sign({ ...claims, aio: sessionAio(env, session) }, version);
}

function sameSession(a: SignInSession, b: SignInSession): boolean {
  return a.authTime === b.authTime && a.clientAppType === b.clientAppType && a.authMethods.join(' ') === b.authMethods.join(' ');
}
