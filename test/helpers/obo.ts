import { randomBytes } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import type { Emulator } from '../../src/emulator/index.js';
import type { EmulatorEnv } from '../../src/emulator/context.js';
import { TokenKeys } from '../../src/emulator/keys.js';
import type { ClientAppType } from '../../src/emulator/login/ca-evaluation.js';
import { JWT_BEARER_GRANT } from '../../src/emulator/login/obo-grant.js';
import { readSessionAio, sessionAio, type SignInSession } from '../../src/emulator/login/obo-session.js';
import type { AuthMethod } from '../../src/emulator/login/user-token.js';
import { settle } from './directory.js';
import { postToken } from './tokens.js';
import { createApi, type ApiFixture } from './users.js';

/** Fixtures of the On-Behalf-Of tests: a middle-tier API (an API that is also a confidential client), raw OBO requests. */

export interface MiddleTierFixture extends ApiFixture {
  secret: string;
}

/** A web API exposing `access_as_user` that is also a confidential client with a secret: the middle tier. */
export async function createMiddleTier(
  emu: Emulator,
  admin: Client,
  o: { requestedAccessTokenVersion?: 1 | 2 | null; displayName?: string } = {},
): Promise<MiddleTierFixture> {
  const api = await createApi(emu, admin, {
    requestedAccessTokenVersion: o.requestedAccessTokenVersion ?? 2,
    ...(o.displayName ? { displayName: o.displayName } : {}),
  });
  const password = (await admin.api(`/applications/${api.app.id}/addPassword`).post({ passwordCredential: { displayName: 'obo' } })) as PasswordCredential;
  settle(emu);
  return { ...api, secret: password.secretText! };
}

/** An On-Behalf-Of request as a raw form (for the answers msal-node would hide). */
export function oboGrant(emu: Emulator, fields: Record<string, string>): Promise<Response> {
  return postToken(emu, { grant_type: JWT_BEARER_GRANT, requested_token_use: 'on_behalf_of', ...fields });
}

/** The slice of EmulatorEnv the aio codec reads: the tenant (its signing key). */
function envOf(emu: Emulator): EmulatorEnv {
  return { tenant: emu.tenant } as EmulatorEnv;
}

/** The sign-in an emulator-issued token's `aio` records (undefined when it records none). */
export function tokenSession(emu: Emulator, token: string): SignInSession | undefined {
  return readSessionAio(envOf(emu), decodeJwt(token).aio);
}

/**
 * TEST-ONLY: `token` (a user access token this emulator issued) as if its sign-in had included the given methods,
 * e.g. an MFA sign-in — re-signed with the tenant's key (which the test holds: it passed the signing-key fixture).
 * It stands in for a token from the authorization code flow's MFA step until that sign-in writes the session itself;
 * nothing but a test holding the tenant's private key can make one. `amr` (v1 tokens) is set to match.
 */
export async function withSignIn(
  emu: Emulator,
  token: string,
  o: { authMethods: AuthMethod[]; clientAppType?: ClientAppType; /** false: an aio recording nothing. */ aio?: boolean },
): Promise<string> {
  const claims = decodeJwt(token) as JWTPayload & Record<string, unknown>;
  const version = decodeProtectedHeader(token).x5t ? '1.0' : '2.0';
  const session: SignInSession = { authMethods: o.authMethods, authTime: Number(claims.iat), clientAppType: o.clientAppType ?? 'browser' };
  const next: Record<string, unknown> = { ...claims };
  // aio: false — a token whose aio records no sign-in (as every token did before the session was recorded there).
  next.aio = o.aio === false ? randomBytes(48).toString('base64url') : sessionAio(envOf(emu), session);
  if (version === '1.0') next.amr = [...o.authMethods];
  const keys = await TokenKeys.load(emu.tenant.signingKey);
  return keys.sign(next as JWTPayload, version);
}
