import { X509Certificate } from 'node:crypto';
import { importPKCS8, importX509, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyOptions, type CryptoKey } from 'jose';
import { certDerBase64 } from './certs.js';
import type { SigningKey } from './store/index.js';

/** `https://{host}/{tenant}/v2.0`: the v2 issuer form, whose origin is the one the token was requested on. */
const V2_ISSUER = /^(https:\/\/[^/]+)\/[^/]+\/v2\.0$/i;
const MAX_ISSUER_ORIGINS = 64;

/** The tenant's token signing key in usable form: sign access tokens, verify them (Graph), publish the JWKS. */
export class TokenKeys {
  private constructor(
    readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly certPem: string,
  ) {}

  static async load(key: SigningKey): Promise<TokenKeys> {
    return new TokenKeys(key.kid, await importPKCS8(key.privatePem, 'RS256'), await importX509(key.certPem, 'RS256'), key.certPem);
  }

  /**
   * Origins the emulator has issued v2 tokens on (`iss` = `{origin}/{tid}/v2.0`; login/origin.ts): a client behind a
   * proxy for login.microsoftonline.com gets tokens with that issuer, and Graph and the OBO check must take them back.
   * Only origins this key itself signed for are recorded, so a token claiming an issuer the emulator never answered
   * as is still refused. Bounded: a client cycling Host headers cannot grow it without end.
   */
  private readonly issuerOrigins = new Set<string>();

  /** Sign an access token: RS256 with `kid`; v1 tokens also carry `x5t` (= kid), as Entra's do (reference/tokens.md §4.1). */
  sign(claims: JWTPayload, version: '1.0' | '2.0'): Promise<string> {
    const origin = typeof claims.iss === 'string' ? V2_ISSUER.exec(claims.iss)?.[1] : undefined;
    if (origin && this.issuerOrigins.size < MAX_ISSUER_ORIGINS) this.issuerOrigins.add(origin.toLowerCase());
    const header = version === '1.0' ? { alg: 'RS256', typ: 'JWT', kid: this.kid, x5t: this.kid } : { alg: 'RS256', typ: 'JWT', kid: this.kid };
    return new SignJWT(claims).setProtectedHeader(header).sign(this.privateKey);
  }

  /** The origins this key has signed v2 tokens on (see issuerOrigins). */
  servedOrigins(): string[] {
    return [...this.issuerOrigins];
  }

  async verify(token: string, options: JWTVerifyOptions): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.publicKey, { algorithms: ['RS256'], ...options });
    return payload;
  }

  /** One JWK as Entra publishes it: kty, use, kid, x5t, n, e, x5c, issuer. */
  jwk(issuer: string): Record<string, unknown> {
    // X509Certificate.publicKey is already a public KeyObject (createPublicKey() on it throws ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE).
    const pub = new X509Certificate(this.certPem).publicKey.export({ format: 'jwk' });
    // Real keys carry `cloud_instance_name` between x5c and issuer (recorded login.microsoftonline.com/{tenant}/discovery/v2.0/keys
    // answers); that the v1 document's keys carry it too is UNCONFIRMED. The emulator's cloud is the public one.
    return {
      kty: 'RSA',
      use: 'sig',
      kid: this.kid,
      x5t: this.kid,
      n: pub.n,
      e: pub.e,
      x5c: [certDerBase64(this.certPem)],
      cloud_instance_name: 'microsoftonline.com',
      issuer,
    };
  }
}
