import { createHash, X509Certificate } from 'node:crypto';
import type { KeyCredential } from '@microsoft/microsoft-graph-types';
import { compactVerify, decodeJwt, decodeProtectedHeader, importX509, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import type { EmulatorEnv } from '../context.js';
import type { ClientIdentity } from './client.js';
import { LoginNotImplemented } from './not-implemented.js';
import { oauthErrors } from './oauth-errors.js';

/** RFC 7523 client authentication; the only assertion type Entra accepts. */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Algorithms and key identifiers Entra accepts in a certificate credential's assertion: RS256 with `x5t`
 * (SHA-1 thumbprint, older docs and msal-node `thumbprint`) and PS256 with `x5t#S256` (SHA-256, current docs
 * and msal-node `thumbprintSha256`) — https://learn.microsoft.com/entra/identity-platform/certificate-credentials.
 * Mixing them (PS256 + x5t) is accepted too: which header picks the key is undocumented (UNCONFIRMED).
 */
const ALGORITHMS = ['RS256', 'PS256'];

/**
 * Tolerated clock skew for nbf/exp. Entra's exact tolerance is undocumented (UNCONFIRMED); 5 minutes is the
 * usual default of Microsoft's token validators.
 */
const SKEW_MS = 5 * 60_000;

export interface AssertionCheck {
  client: ClientIdentity;
  clientId: string;
  assertion: string;
  /** Accepted `aud` values (token endpoint URLs), compared case-insensitively. */
  audiences: string[];
}

/**
 * Verify a client assertion against the client application's registered certificates
 * (keyCredentials of type AsymmetricX509Cert, usage Verify; key = base64 DER). The key is picked by
 * thumbprint from the header, the signature verified with the certificate's public key, then the claims:
 * aud = token endpoint, iss = sub = client_id, nbf/exp against the emulator clock.
 */
export async function checkAssertion(env: EmulatorEnv, check: AssertionCheck): Promise<void> {
  const { client, assertion } = check;
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch (e) {
    throw oauthErrors.malformedAssertion(String((e as Error).message));
  }
  if (typeof claims.iss === 'string' && claims.iss.toLowerCase() !== check.clientId.toLowerCase()) {
    // An assertion issued by someone else is a federated identity credential (workload identity federation).
    if (client.home.applications.masterFederatedCredentials(client.app.id!).length > 0)
      throw new LoginNotImplemented('federated identity credential (workload identity federation) client assertions');
  }
  const alg = String(header.alg ?? '');
  if (!ALGORITHMS.includes(alg)) throw oauthErrors.badSignature();

  const found = findKey(client.app.keyCredentials ?? [], header);
  if (!found) throw oauthErrors.keyNotFound(headerThumbprintHex(header), client.app.appId!);
  const { credential, cert } = found;
  const now = env.clock.now();
  const start = credential.startDateTime ?? '';
  const end = credential.endDateTime ?? '';
  if (end && Date.parse(end) <= now) throw oauthErrors.keyExpired(thumbHex(cert), start, end);
  if (start && Date.parse(start) > now) throw oauthErrors.keyNotYetValid(thumbHex(cert), start, end);

  try {
    const key = await importX509(cert.toString(), alg);
    await compactVerify(assertion, key, { algorithms: [alg] });
  } catch {
    throw oauthErrors.badSignature();
  }

  const auds = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter((a): a is string => typeof a === 'string');
  const accepted = check.audiences.map(normalizeAud);
  if (!auds.some((a) => accepted.includes(normalizeAud(a)))) throw oauthErrors.wrongAudience(auds.join(' '));
  if (claims.iss !== claims.sub) throw oauthErrors.subjectMismatch();
  if (String(claims.sub ?? '').toLowerCase() !== check.clientId.toLowerCase()) throw oauthErrors.assertionClientMismatch();
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  const nbf = typeof claims.nbf === 'number' ? claims.nbf : undefined;
  if (exp === undefined || exp * 1000 + SKEW_MS <= now || (nbf !== undefined && nbf * 1000 - SKEW_MS > now)) {
    throw oauthErrors.assertionTime(now, nbf, exp);
  }
}

function normalizeAud(a: string): string {
  return a.toLowerCase().replace(/\/+$/, '');
}

/** The registered certificate whose thumbprint the header names (x5t#S256 preferred over x5t). */
function findKey(creds: KeyCredential[], header: ProtectedHeaderParameters): { credential: KeyCredential; cert: X509Certificate } | undefined {
  const s256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const s1 = typeof header.x5t === 'string' ? header.x5t : undefined;
  if (!s256 && !s1) return undefined;
  for (const credential of creds) {
    if (credential.type !== 'AsymmetricX509Cert' || credential.usage !== 'Verify' || !credential.key) continue;
    const cert = parseCert(credential.key);
    if (!cert) continue;
    if (s256 && sameBytes(s256, createHash('sha256').update(cert.raw).digest())) return { credential, cert };
    if (!s256 && s1) {
      const sha1 = createHash('sha1').update(cert.raw).digest();
      // customKeyIdentifier is documented as the base64 SHA-1 thumbprint; the key itself decides.
      if (sameBytes(s1, sha1)) return { credential, cert };
    }
  }
  return undefined;
}

/** keyCredentials.key is base64 of the certificate (DER); some tools upload base64 of the PEM text instead. */
function parseCert(key: string): X509Certificate | undefined {
  try {
    return new X509Certificate(Buffer.from(key, 'base64'));
  } catch {
    return undefined;
  }
}

function sameBytes(b64url: string, digest: Buffer): boolean {
  return Buffer.from(b64url, 'base64url').equals(digest);
}

function thumbHex(cert: X509Certificate): string {
  return createHash('sha1').update(cert.raw).digest('hex').toUpperCase();
}

function headerThumbprintHex(header: ProtectedHeaderParameters): string {
  const t = header['x5t#S256'] ?? header.x5t;
  return typeof t === 'string' ? Buffer.from(t, 'base64url').toString('hex').toUpperCase() : '';
}
