import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graphToken, useEmulator } from '../helpers/emulator.js';
import { loginFetch, verifyWithDiscovery, type OAuthErrorBody } from '../helpers/tokens.js';

describe('discovery and signing keys', () => {
  const domain = 'tenantformlocal.onmicrosoft.com';
  const emu = useEmulator();

  it('serves the v2 OpenID configuration with endpoints on the emulator origin', async () => {
    const res = await loginFetch(emu, `/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    const base = `${emu.authorityHost}/${emu.tenantId}`;
    assert.equal(doc.issuer, `${base}/v2.0`);
    assert.equal(doc.token_endpoint, `${base}/oauth2/v2.0/token`);
    assert.equal(doc.jwks_uri, `${base}/discovery/v2.0/keys`);
    assert.equal(doc.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
    assert.equal(doc.device_authorization_endpoint, `${base}/oauth2/v2.0/devicecode`);
    assert.equal(doc.end_session_endpoint, `${base}/oauth2/v2.0/logout`);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['client_secret_post', 'private_key_jwt', 'client_secret_basic']);
    assert.deepEqual(doc.subject_types_supported, ['pairwise']);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(doc.scopes_supported, ['openid', 'profile', 'email', 'offline_access']);
    assert.ok(Array.isArray(doc.response_types_supported) && Array.isArray(doc.claims_supported));
    assert.equal(doc.tenant_region_scope, 'WW');
    assert.equal(doc.cloud_instance_name, 'microsoftonline.com');
    assert.equal(doc.msgraph_host, new URL(emu.graphUrl).host);
  });

  it('marks discovery responses cacheable for a day and readable cross-origin', async () => {
    for (const path of [`/${emu.tenantId}/v2.0/.well-known/openid-configuration`, `/${emu.tenantId}/discovery/v2.0/keys`]) {
      const res = await loginFetch(emu, path);
      assert.equal(res.headers.get('cache-control'), 'max-age=86400, private');
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      await res.body?.cancel();
    }
  });

  it('serves the v1 OpenID configuration with the sts.windows.net issuer', async () => {
    const doc = (await (await loginFetch(emu, `/${emu.tenantId}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(doc.issuer, `https://sts.windows.net/${emu.tenantId}/`);
    assert.equal(doc.jwks_uri, `${emu.authorityHost}/${emu.tenantId}/discovery/keys`);
    assert.equal(doc.token_endpoint, `${emu.authorityHost}/${emu.tenantId}/oauth2/token`);
  });

  it('publishes the signing key as an RSA JWK with kid = x5t, x5c and the issuer', async () => {
    const body = (await (await loginFetch(emu, `/${emu.tenantId}/discovery/v2.0/keys`)).json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(body.keys.length, 1);
    const [key] = body.keys;
    assert.equal(key.kty, 'RSA');
    assert.equal(key.use, 'sig');
    assert.equal(key.e, 'AQAB');
    assert.equal(key.kid, key.x5t);
    assert.ok(Array.isArray(key.x5c) && (key.x5c as string[]).length === 1);
    assert.equal(key.issuer, `${emu.authorityHost}/${emu.tenantId}/v2.0`);
    const v1 = (await (await loginFetch(emu, `/${emu.tenantId}/discovery/keys`)).json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(v1.keys[0].kid, key.kid);
  });

  it('accepts a verified domain name in place of the tenant id (endpoints still name the tenant id)', async () => {
    const res = await loginFetch(emu, `/${domain}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, `${emu.authorityHost}/${emu.tenantId}/v2.0`);
    assert.equal(doc.token_endpoint, `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`);
  });

  it('answers an unknown tenant with AADSTS90002', async () => {
    const res = await loginFetch(emu, '/nosuchtenant.onmicrosoft.com/v2.0/.well-known/openid-configuration');
    assert.equal(res.status, 400);
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(body.error, 'invalid_request');
    assert.deepEqual(body.error_codes, [90002]);
    assert.match(body.error_description, /^AADSTS90002: Tenant 'nosuchtenant.onmicrosoft.com' not found\./);
    assert.match(body.error_description, /\r\nTrace ID: .+\r\nCorrelation ID: .+\r\nTimestamp: /);
  });

  it('serves the common and organizations documents with the templated issuer', async () => {
    for (const t of ['common', 'organizations']) {
      const doc = (await (await loginFetch(emu, `/${t}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.equal(doc.issuer, `${emu.authorityHost}/{tenantid}/v2.0`);
      assert.equal(doc.token_endpoint, `${emu.authorityHost}/${t}/oauth2/v2.0/token`);
      assert.equal(doc.tenant_region_scope, null);
    }
    const v1 = (await (await loginFetch(emu, '/common/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    assert.equal(v1.issuer, 'https://sts.windows.net/{tenantid}/');
  });

  it('answers anything else on the authority host with an explicit not_implemented error', async () => {
    for (const path of [`/${emu.tenantId}/oauth2/v2.0/logout?post_logout_redirect_uri=x`, `/${emu.tenantId}/oauth2/token`, '/common/discovery/nope', '/']) {
      const res = await loginFetch(emu, path);
      assert.equal(res.status, 501, path);
      const body = (await res.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'not_implemented');
      assert.match(body.error_description, /does not implement/);
    }
  });

  it('lets a Graph token (v1) be verified through the v1 discovery document and JWKS', async () => {
    const token = await graphToken(emu);
    const { payload, issuer } = await verifyWithDiscovery(emu, token, '1.0');
    assert.equal(payload.iss, issuer);
    assert.equal(payload.aud, 'https://graph.microsoft.com');
  });
});
