import { X509Certificate } from 'node:crypto';
import type { User } from '@microsoft/microsoft-graph-types';
import { decodeProtectedHeader, errors as joseErrors, type JWTPayload } from 'jose';
import { acceptedIssuers } from '../auth.js';
import type { EmulatorEnv } from '../context.js';
import type { ClientIdentity } from './client.js';
import { oboErrors } from './obo-errors.js';
import { readSessionAio, type SignInSession } from './obo-session.js';
import { userFlowErrors } from './oauth-errors.js';
import type { TenantSegment } from './tenant.js';
import type { AuthMethod } from './user-token.js';

/** A user assertion the On-Behalf-Of grant accepted: the user it names and the sign-in behind it. */
export interface AcceptedAssertion {
  claims: JWTPayload;
  user: User;
  session: SignInSession;
  /** Where the session came from: the token's `aio` (obo-session.ts), a v1 token's `amr`, or neither (password only). */
  sessionFrom: 'aio' | 'amr' | 'default';
}

/**
 * Check the `assertion` of an On-Behalf-Of request (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow):
 * "the access token that was sent to the middle-tier API. This token must have an audience (aud) claim of the app
 * making this OBO request". In order (the order of Entra's own checks is not observable in every combination:
 * UNCONFIRMED):
 * 1. a JWT signed by this tenant's key (RS256; AADSTS50013 with the signature reason, or "key not found");
 * 2. within its lifetime on the emulator clock, no skew (AADSTS500133);
 * 3. issued by this tenant (v1 `https://sts.windows.net/{tid}/` or v2 `{origin}/{tid}/v2.0` on an origin the emulator
 *    issued tokens on, auth.ts acceptedIssuers; and `tid`; else 50013);
 * 4. `aud` = the calling application: its appId (any case) or one of its identifierUris (exactly: an identifier URI
 *    registered with upper case letters did not match a lower-case audience in OfficeDev/microsoft-teams-apps-company-communicator#214) — else AADSTS500131;
 * 5. an access token of a user: an ID token (no azp/appid) answers AADSTS240002, an application token (idtyp app,
 *    or no scp with oid = sub) AADSTS50013;
 * 6. the user (`oid`) still exists (deleted since: AADSTS50034, UNCONFIRMED). A disabled account is refused at
 *    issuance (AADSTS50057, user-token.ts).
 */
export async function acceptUserAssertion(env: EmulatorEnv, tenant: TenantSegment, assertion: string, client: ClientIdentity): Promise<AcceptedAssertion> {
  const claims = await verifySignatureAndLifetime(env, assertion);
  const tid = env.tenant.tenantId;
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  if (!acceptedIssuers(env, tid).includes(iss) || String(claims.tid ?? '').toLowerCase() !== tid.toLowerCase()) {
    throw oboErrors.wrongIssuer(iss);
  }

  const auds = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter((a): a is string => typeof a === 'string');
  const appId = client.app.appId!.toLowerCase();
  const uris = client.app.identifierUris ?? [];
  if (!auds.some((a) => a.toLowerCase() === appId || uris.includes(a))) {
    throw oboErrors.audienceMismatch(auds.join(' '), client.app.appId!, client.app.displayName ?? '');
  }

  if (claims.azp === undefined && claims.appid === undefined) throw oboErrors.idTokenAssertion();
  if (claims.idtyp === 'app' || (claims.scp === undefined && claims.oid !== undefined && claims.oid === claims.sub)) throw oboErrors.appOnlyAssertion();

  const user = typeof claims.oid === 'string' ? env.tenant.users.visible(claims.oid) : undefined;
  if (!user) throw userFlowErrors.userNotFound(tenant.kind === 'tenant' ? tenant.given : tid);

  const fromAio = readSessionAio(env, claims.aio);
  if (fromAio) return { claims, user, session: fromAio, sessionFrom: 'aio' };
  const iat = typeof claims.iat === 'number' ? claims.iat : Math.floor(env.clock.now() / 1000);
  // A v1 token says what the authentication included in `amr`. Without either, the sign-in was the password grant's
  // (the only user flow whose tokens do not record their session yet): a password, on a native client.
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((m): m is AuthMethod => m === 'pwd' || m === 'mfa') : [];
  return {
    claims,
    user,
    session: { authMethods: amr.length > 0 ? amr : ['pwd'], authTime: iat, clientAppType: 'mobileAppsAndDesktopClients' },
    sessionFrom: amr.length > 0 ? 'amr' : 'default',
  };
}

async function verifySignatureAndLifetime(env: EmulatorEnv, assertion: string): Promise<JWTPayload> {
  if (assertion.split('.').length !== 3) throw oboErrors.malformed();
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw oboErrors.malformed();
  }
  const thumbprint = thumbprintHex(typeof header.x5t === 'string' ? header.x5t : typeof header.kid === 'string' ? header.kid : '');
  if (header.kid !== env.keys.kid && header.x5t !== env.keys.kid) throw oboErrors.keyNotFound(thumbprint);
  const now = env.clock.now();
  try {
    return await env.keys.verify(assertion, { currentDate: new Date(now) });
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw oboErrors.assertionExpired(now, Number(e.payload.exp));
    if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'nbf') throw oboErrors.assertionNotYetValid(now, Number(e.payload.nbf));
    if (e instanceof joseErrors.JWSSignatureVerificationFailed || e instanceof joseErrors.JOSEAlgNotAllowed) {
      const cert = new X509Certificate(env.tenant.signingKey.certPem);
      throw oboErrors.badSignature(thumbprint, dotnetDate(cert.validFrom), dotnetDate(cert.validTo));
    }
    throw oboErrors.malformed();
  }
}

/** A base64url SHA-1 thumbprint (x5t, the emulator's kid) as the upper-case hex Entra's texts show. */
function thumbprintHex(x5t: string): string {
  const bytes = Buffer.from(x5t, 'base64url');
  return bytes.length === 20 ? bytes.toString('hex').toUpperCase() : x5t;
}

/** "06/21/2019 00:00:00", as the observed AADSTS50013 texts print the key's validity. */
function dotnetDate(x509Date: string): string {
  const d = new Date(x509Date);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
