import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { rawFetch, secretCredential, useEmulator } from '../helpers/emulator.js';
import { addApp, addSecret, assignRoles, postToken, verifyWithDiscovery, type OAuthErrorBody } from '../helpers/tokens.js';

describe('token endpoint: resources, audiences and claims', () => {
  let client: { app: Application; sp: ServicePrincipal; secret: string };
  let apiV2: { app: Application; sp: ServicePrincipal };
  let apiV1: { app: Application; sp: ServicePrincipal };

  const emu = useEmulator();
  before(async () => {
    const c = addApp(emu, { displayName: 'daemon' });
    client = { app: c.app, sp: c.sp!, secret: addSecret(emu, c.app) };
    const v2 = addApp(emu, {
      displayName: 'api-v2',
      identifierUris: ['api://{appId}'],
      roles: [{ value: 'Read.All' }, { value: 'Write.All' }, { value: 'Old.All', isEnabled: false }],
      requestedAccessTokenVersion: 2,
      optionalClaims: { accessToken: [{ name: 'idtyp', essential: false, additionalProperties: [] }], idToken: [], saml2Token: [] },
    });
    apiV2 = { app: v2.app, sp: v2.sp! };
    const v1 = addApp(emu, { displayName: 'api-v1', identifierUris: ['https://api.tenantformlocal.onmicrosoft.com/v1/'], roles: [{ value: 'Read.All' }] });
    apiV1 = { app: v1.app, sp: v1.sp! };
    assignRoles(emu, client.sp, apiV2.sp, ['Read.All', 'Old.All']);
  });

  const token = async (scope: string) => (await secretCredential(emu, client.app.appId!, client.secret).getToken(scope)).token;
  const raw = (scope: string) => postToken(emu, { grant_type: 'client_credentials', client_id: client.app.appId!, client_secret: client.secret, scope });

  it('issues a v2 token when the resource asks for requestedAccessTokenVersion 2', async () => {
    const t = await token(`api://${apiV2.app.appId}/.default`);
    const { payload, issuer } = await verifyWithDiscovery(emu, t, '2.0');
    assert.equal(issuer, `${emu.authorityHost}/${emu.tenantId}/v2.0`);
    assert.equal(payload.ver, '2.0');
    assert.equal(payload.aud, apiV2.app.appId);
    assert.equal(payload.azp, client.app.appId);
    assert.equal(payload.azpacr, '1');
    assert.equal(payload.appid, undefined);
    assert.equal(payload.oid, client.sp.id);
    assert.equal(payload.sub, client.sp.id);
    assert.equal(payload.tid, emu.tenantId);
    assert.equal(payload.scp, undefined);
    for (const k of ['aio', 'rh', 'uti']) assert.equal(typeof payload[k], 'string', k);
    assert.deepEqual(decodeProtectedHeader(t).x5t, undefined);
  });

  it('puts only the values of assigned, enabled app roles in roles', async () => {
    const c = decodeJwt(await token(`api://${apiV2.app.appId}/.default`));
    assert.deepEqual(c.roles, ['Read.All']);
  });

  it('adds idtyp=app only when the resource configured the idtyp optional claim', async () => {
    assert.equal(decodeJwt(await token(`api://${apiV2.app.appId}/.default`)).idtyp, 'app');
    assert.equal(decodeJwt(await token(`${apiV1.app.appId}/.default`)).idtyp, undefined);
  });

  it('issues a v1 token (sts.windows.net issuer, appid/appidacr, x5t header) when the resource does not ask for v2', async () => {
    const t = await token(`${apiV1.app.appId}/.default`);
    const { payload } = await verifyWithDiscovery(emu, t, '1.0');
    assert.equal(payload.iss, `https://sts.windows.net/${emu.tenantId}/`);
    assert.equal(payload.ver, '1.0');
    assert.equal(payload.appid, client.app.appId);
    assert.equal(payload.appidacr, '1');
    assert.equal(payload.azp, undefined);
    assert.equal(payload.app_displayname, 'daemon');
    const h = decodeProtectedHeader(t);
    assert.equal(h.x5t, h.kid);
  });

  it('omits the roles claim when nothing is granted, and still issues the token', async () => {
    assert.equal(decodeJwt(await token(`${apiV1.app.appId}/.default`)).roles, undefined);
  });

  it('uses the requested identifier as the v1 audience: appId when asked by appId, the URI when asked by URI', async () => {
    assert.equal(decodeJwt(await token(`${apiV1.app.appId}/.default`)).aud, apiV1.app.appId);
    const uri = 'https://api.tenantformlocal.onmicrosoft.com/v1/';
    assert.equal(decodeJwt(await token(`${uri}/.default`)).aud, uri);
  });

  it('needs the double slash for an identifier URI that ends in / (AADSTS500011 otherwise)', async () => {
    const res = await raw('https://api.tenantformlocal.onmicrosoft.com/v1/.default');
    assert.equal(res.status, 400);
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(body.error, 'invalid_resource');
    assert.deepEqual(body.error_codes, [500011]);
  });

  it('matches the resource identifier case-insensitively', async () => {
    const res = await raw(`API://${apiV2.app.appId!.toUpperCase()}/.default`);
    assert.equal(res.status, 200);
  });

  it('always uses the appId as the v2 audience, however the resource was named', async () => {
    assert.equal(decodeJwt(await token(`${apiV2.app.appId}/.default`)).aud, apiV2.app.appId);
  });

  it('gives Microsoft Graph tokens the https://graph.microsoft.com audience, also when asked by appId', async () => {
    const admin = secretCredential(emu);
    assert.equal(decodeJwt((await admin.getToken('https://graph.microsoft.com/.default')).token).aud, 'https://graph.microsoft.com');
    assert.equal(decodeJwt((await admin.getToken('00000003-0000-0000-c000-000000000000/.default')).token).aud, 'https://graph.microsoft.com');
  });

  it('answers an unknown resource with invalid_resource AADSTS500011', async () => {
    const body = (await (await raw('api://nothing-here/.default')).json()) as OAuthErrorBody;
    assert.deepEqual(body.error_codes, [500011]);
    assert.match(body.error_description, /The resource principal named api:\/\/nothing-here was not found in the tenant named/);
  });

  it('answers a scope without /.default with invalid_scope AADSTS1002012', async () => {
    const res = await raw(`api://${apiV2.app.appId}/Read.All`);
    assert.equal(res.status, 400);
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(body.error, 'invalid_scope');
    assert.deepEqual(body.error_codes, [1002012]);
    await assert.rejects(secretCredential(emu, client.app.appId!, client.secret).getToken('User.Read'), /AADSTS1002012/);
  });

  it('answers .default scopes of two resources with AADSTS700022', async () => {
    const body = (await (await raw(`api://${apiV2.app.appId}/.default ${apiV1.app.appId}/.default`)).json()) as OAuthErrorBody;
    assert.equal(body.error, 'invalid_scope');
    assert.deepEqual(body.error_codes, [700022]);
  });

  it('answers a bare .default with AADSTS700023', async () => {
    const body = (await (await raw('.default')).json()) as OAuthErrorBody;
    assert.deepEqual(body.error_codes, [700023]);
  });

  it('refuses a client with no assignment when the resource requires one (AADSTS501051), and allows it once assigned', async () => {
    const locked = addApp(emu, { displayName: 'locked-api', identifierUris: ['api://locked'], roles: [{ value: 'Use' }], appRoleAssignmentRequired: true });
    const res = await raw('api://locked/.default');
    assert.equal(res.status, 400);
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [501051]);
    assert.match(
      body.error_description,
      new RegExp(`Application '${client.app.appId}'\\(daemon\\) is not assigned to a role for the application '${locked.app.appId}'\\(locked-api\\)`),
    );
    assignRoles(emu, client.sp, locked.sp!, ['Use']);
    const ok = await raw('api://locked/.default');
    assert.equal(ok.status, 200);
    assert.deepEqual(decodeJwt(((await ok.json()) as { access_token: string }).access_token).roles, ['Use']);
  });

  it('refuses a token signed by this tenant for another audience at Graph (401)', async () => {
    const t = await token(`api://${apiV2.app.appId}/.default`);
    const res = await rawFetch(emu, '/v1.0/organization', { token: t });
    assert.equal(res.status, 401);
  });
});
