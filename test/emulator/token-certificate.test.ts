import assert from 'node:assert/strict';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { decodeJwt, decodeProtectedHeader, importPKCS8, SignJWT, type JWTPayload } from 'jose';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../helpers/emulator.js';
import { addApp, addCert, assignRoles, certificateCredential, makeCert, msalApp, postToken, type OAuthErrorBody, type TestCert } from '../helpers/tokens.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('token endpoint: certificate credentials (client assertions)', () => {
  let emu: Emulator;
  let cert: TestCert;
  let other: TestCert;
  let client: { app: Application; sp: ServicePrincipal };
  let api: { app: Application; sp: ServicePrincipal };
  const scope = () => `api://${api.app.appId}/.default`;

  before(async () => {
    [emu, cert, other] = await Promise.all([startEmulator(), makeCert(), makeCert('unregistered')]);
    const c = addApp(emu, { displayName: 'cert-daemon' });
    client = { app: c.app, sp: c.sp! };
    addCert(emu, client.app, cert);
    const a = addApp(emu, { displayName: 'cert-api', identifierUris: ['api://{appId}'], roles: [{ value: 'Read.All' }], requestedAccessTokenVersion: 2 });
    api = { app: a.app, sp: a.sp! };
    assignRoles(emu, client.sp, api.sp, ['Read.All']);
  });
  after(() => emu.close());

  /** A hand-made assertion, RS256 + x5t unless told otherwise. */
  async function assertion(o: { signer?: TestCert; headerCert?: TestCert; alg?: string; claims?: JWTPayload; header?: Record<string, unknown> } = {}) {
    const alg = o.alg ?? 'RS256';
    const signer = o.signer ?? cert;
    const der = new X509Certificate((o.headerCert ?? signer).certPem).raw;
    const thumb = alg.startsWith('PS')
      ? { 'x5t#S256': createHash('sha256').update(der).digest('base64url') }
      : { x5t: createHash('sha1').update(der).digest('base64url') };
    const now = Math.floor(emu.clock.now() / 1000);
    return new SignJWT({
      aud: `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`,
      iss: client.app.appId!,
      sub: client.app.appId!,
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + 600,
      ...o.claims,
    })
      .setProtectedHeader({ alg, typ: 'JWT', ...thumb, ...o.header })
      .sign(await importPKCS8(signer.keyPem, alg));
  }

  const post = (clientAssertion: string, extra: Record<string, string> = {}) =>
    postToken(emu, {
      grant_type: 'client_credentials',
      client_id: client.app.appId!,
      scope: scope(),
      client_assertion_type: JWT_BEARER,
      client_assertion: clientAssertion,
      ...extra,
    });

  async function expectError(res: Response, code: number, error = 'invalid_client', status = 401): Promise<OAuthErrorBody> {
    const body = (await res.json()) as OAuthErrorBody;
    assert.deepEqual(body.error_codes, [code], body.error_description);
    assert.equal(body.error, error);
    assert.equal(res.status, status);
    return body;
  }

  it('issues a token to ClientCertificateCredential (PEM with key + certificate), with azpacr "2"', async () => {
    const t = await certificateCredential(emu, client.app.appId!, cert).getToken(scope());
    const c = decodeJwt(t.token);
    assert.equal(c.azp, client.app.appId);
    assert.equal(c.azpacr, '2');
    assert.deepEqual(c.roles, ['Read.All']);
  });

  it('accepts ClientCertificateCredential with sendCertificateChain (x5c in the header)', async () => {
    const t = await certificateCredential(emu, client.app.appId!, cert, true).getToken(scope());
    assert.ok(t.token);
  });

  /** The header of the client assertion msal-node sent (captured from its network module). */
  function assertionHeaderOf(bodies: string[]): Record<string, unknown> {
    const a = bodies.map((b) => new URLSearchParams(b).get('client_assertion')).find(Boolean);
    assert.ok(a, 'no client_assertion sent');
    return decodeProtectedHeader(a);
  }

  it('accepts msal-node clientCertificate.thumbprint (RS256 + x5t, SHA-1)', async () => {
    const bodies: string[] = [];
    const app = msalApp(
      emu,
      client.app.appId!,
      { clientCertificate: { thumbprint: cert.sha1Hex, privateKey: cert.keyPem } },
      {
        onRequest: (_m, _u, body) => body && bodies.push(body),
      },
    );
    const r = await app.acquireTokenByClientCredential({ scopes: [scope()] });
    assert.equal(decodeJwt(r!.accessToken).azpacr, '2');
    const h = assertionHeaderOf(bodies);
    assert.equal(h.alg, 'RS256');
    assert.ok(h.x5t && !h['x5t#S256']);
  });

  it('accepts msal-node clientCertificate.thumbprintSha256 (PS256 + x5t#S256)', async () => {
    const bodies: string[] = [];
    const app = msalApp(
      emu,
      client.app.appId!,
      { clientCertificate: { thumbprintSha256: cert.sha256Hex, privateKey: cert.keyPem } },
      {
        onRequest: (_m, _u, body) => body && bodies.push(body),
      },
    );
    const r = await app.acquireTokenByClientCredential({ scopes: [scope()] });
    assert.equal(decodeJwt(r!.accessToken).azp, client.app.appId);
    const h = assertionHeaderOf(bodies);
    assert.equal(h.alg, 'PS256');
    assert.ok(h['x5t#S256']);
  });

  it('accepts an assertion whose aud names the tenant by its domain (msal-node authority with the domain)', async () => {
    const app = msalApp(
      emu,
      client.app.appId!,
      { clientCertificate: { thumbprintSha256: cert.sha256Hex, privateKey: cert.keyPem } },
      {
        tenant: 'tenantformlocal.onmicrosoft.com',
      },
    );
    assert.ok((await app.acquireTokenByClientCredential({ scopes: [scope()] }))?.accessToken);
  });

  it('accepts hand-made RS256/x5t and PS256/x5t#S256 assertions, aud compared case-insensitively', async () => {
    assert.equal((await post(await assertion())).status, 200);
    assert.equal((await post(await assertion({ alg: 'PS256' }))).status, 200);
    const upper = `${emu.authorityHost}/${emu.tenantId}/OAuth2/V2.0/Token`.toUpperCase();
    assert.equal((await post(await assertion({ claims: { aud: upper } }))).status, 200);
  });

  it('refuses a certificate that is not registered on the application (AADSTS700027)', async () => {
    await assert.rejects(certificateCredential(emu, client.app.appId!, other).getToken(scope()), /AADSTS700027/);
    const body = await expectError(await post(await assertion({ signer: other })), 700027);
    assert.match(body.error_description, /not registered on application/);
    assert.match(body.error_description, new RegExp(other.sha1Hex));
  });

  it('refuses a signature that does not match the registered certificate named in the header (AADSTS700027)', async () => {
    const body = await expectError(await post(await assertion({ signer: other, headerCert: cert })), 700027);
    assert.match(body.error_description, /failed signature validation/);
  });

  it('refuses unsupported algorithms (AADSTS700027)', async () => {
    const forged = await new SignJWT({ iss: client.app.appId!, sub: client.app.appId! })
      .setProtectedHeader({ alg: 'HS256', x5t: createHash('sha1').update(new X509Certificate(cert.certPem).raw).digest('base64url') })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expectError(await post(forged), 700027);
  });

  it('refuses a malformed assertion (AADSTS50027)', async () => {
    await expectError(await post('not-a-jwt'), 50027);
  });

  it('refuses an assertion for another audience (AADSTS50012)', async () => {
    await expectError(await post(await assertion({ claims: { aud: 'https://login.example.com/x/oauth2/v2.0/token' } })), 50012);
  });

  it('refuses an assertion whose subject differs from its issuer (AADSTS50048)', async () => {
    await expectError(await post(await assertion({ claims: { sub: randomUUID() } })), 50048);
  });

  it('refuses an assertion issued for another client_id (AADSTS700021)', async () => {
    const otherId = randomUUID();
    await expectError(await post(await assertion({ claims: { iss: otherId, sub: otherId } })), 700021);
  });

  it('refuses an expired assertion, judged by the emulator clock (AADSTS700024)', async () => {
    const stale = await assertion();
    emu.clock.advance(20 * 60_000);
    try {
      await expectError(await post(stale), 700024);
    } finally {
      emu.clock.advance(-20 * 60_000);
    }
  });

  it('refuses an assertion that is not valid yet (AADSTS700024)', async () => {
    const now = Math.floor(emu.clock.now() / 1000);
    await expectError(await post(await assertion({ claims: { nbf: now + 3600, exp: now + 4000 } })), 700024);
  });

  it('refuses a registered certificate credential past its endDateTime (AADSTS700027)', async () => {
    const c = addApp(emu, { displayName: 'expired-cert' });
    const expired = await makeCert('expired');
    addCert(emu, c.app, expired, {
      startDateTime: new Date(emu.clock.now() - 86_400_000).toISOString(),
      endDateTime: new Date(emu.clock.now() - 1000).toISOString(),
    });
    await assert.rejects(certificateCredential(emu, c.app.appId!, expired).getToken(scope()), (e: Error) => {
      assert.match(e.message, /AADSTS700027/);
      assert.match(e.message, /expired/);
      return true;
    });
  });

  it('answers a wrong client_assertion_type with invalid_request AADSTS900144', async () => {
    await expectError(await post(await assertion(), { client_assertion_type: 'urn:example:other' }), 900144, 'invalid_request', 400);
  });
});
