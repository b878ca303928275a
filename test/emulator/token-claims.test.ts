import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import catalogue from '../../src/emulator/data/microsoft-graph-permissions.json' with { type: 'json' };
import { settle } from '../helpers/directory.js';
import { graphClient, rawFetch, secretCredential, useEmulator } from '../helpers/emulator.js';
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

  it('gives a Microsoft Graph app-only token the claims real ones carry, in their order (wids, tenant_region_scope, xms_tcdt)', async () => {
    // Real v1 app-only Graph tokens (decoded samples): aud iss iat nbf exp aio app_displayname appid appidacr idp idtyp
    // oid rh roles sub tenant_region_scope tid uti ver wids xms_tcdt.
    const c = decodeJwt((await secretCredential(emu).getToken('https://graph.microsoft.com/.default')).token);
    assert.deepEqual(Object.keys(c), [
      'aud',
      'iss',
      'iat',
      'nbf',
      'exp',
      'aio',
      'app_displayname',
      'appid',
      'appidacr',
      'idp',
      'idtyp',
      'oid',
      'rh',
      'roles',
      'sub',
      'tenant_region_scope',
      'tid',
      'uti',
      'ver',
      'wids',
      'xms_tcdt',
    ]);
    assert.deepEqual(c.wids, ['0997a1d0-0d1d-4acb-b408-d5ca73121e90']);
    assert.equal(c.tenant_region_scope, 'WW', "the tenant's region, as its discovery document says");
    const created = Date.parse(emu.tenant.organization().createdDateTime!);
    assert.equal(c.xms_tcdt, Math.floor(created / 1000));
  });

  it('gives a custom API no app_displayname in v2 tokens and no Graph-only claims in either version', async () => {
    const v2 = decodeJwt(await token(`api://${apiV2.app.appId}/.default`));
    // The observed v2 app-only payload keys (reference/tokens.md §4.2), with idtyp (configured) and roles (granted).
    assert.deepEqual(Object.keys(v2).sort(), [
      'aio',
      'aud',
      'azp',
      'azpacr',
      'exp',
      'iat',
      'idtyp',
      'iss',
      'nbf',
      'oid',
      'rh',
      'roles',
      'sub',
      'tid',
      'uti',
      'ver',
    ]);
    const v1 = decodeJwt(await token(`${apiV1.app.appId}/.default`));
    for (const k of ['wids', 'tenant_region_scope', 'xms_tcdt']) assert.equal(v1[k], undefined, k);
  });

  it('refuses a token signed by this tenant for another audience at Graph (401)', async () => {
    const t = await token(`api://${apiV2.app.appId}/.default`);
    const res = await rawFetch(emu, '/v1.0/organization', { token: t });
    assert.equal(res.status, 401);
  });
});

describe('the Microsoft Graph permission catalogue (data/microsoft-graph-permissions.json)', () => {
  const emu = useEmulator();
  const graphSp = async (): Promise<ServicePrincipal> => {
    // As the tool reads it: the tenant's Graph service principal by appId, through the Graph SDK.
    const list = (await graphClient(emu).api('/servicePrincipals').filter("appId eq '00000003-0000-0000-c000-000000000000'").get()) as {
      value: ServicePrincipal[];
    };
    assert.equal(list.value.length, 1);
    return list.value[0];
  };

  it('publishes every application and delegated permission with Microsoft ids, texts and consent types', async () => {
    const sp = await graphSp();
    assert.equal(sp.appRoles!.length, catalogue.appRoles.length);
    assert.equal(sp.oauth2PermissionScopes!.length, catalogue.oauth2PermissionScopes.length);
    assert.ok(sp.appRoles!.length > 200 && sp.oauth2PermissionScopes!.length > 250, 'the whole catalogue, not a subset');
    const role = (v: string) => sp.appRoles!.find((r) => r.value === v);
    const scope = (v: string) => sp.oauth2PermissionScopes!.find((s) => s.value === v);
    // Ids from the permissions reference (https://learn.microsoft.com/graph/permissions-reference).
    assert.deepEqual(role('Sites.Read.All'), {
      allowedMemberTypes: ['Application'],
      description: 'Allows the app to read documents and list items in all site collections without a signed in user.',
      displayName: 'Read items in all site collections ',
      id: '332a536c-c7ef-4017-ab91-336970924f0d',
      isEnabled: true,
      origin: 'Application',
      value: 'Sites.Read.All',
    });
    assert.equal(role('Application.ReadWrite.All')?.id, '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9');
    assert.equal(scope('User.Read')?.id, 'e1fe6dd8-ba31-4d61-89e7-88639da4683d');
    assert.equal(scope('User.Read')?.type, 'User');
    assert.equal(scope('User.Read.All')?.type, 'Admin');
    assert.equal(scope('offline_access')?.type, 'User');
    assert.equal(scope('Sites.Read.All')?.adminConsentDisplayName, 'Read items in all site collections');
  });

  it('names its source and commit, and was generated (sorted, no duplicates)', () => {
    assert.match(
      catalogue.source.url,
      /^https:\/\/github\.com\/microsoftgraph\/microsoft-graph-devx-content\/blob\/[0-9a-f]{40}\/permissions\/permissions-descriptions\.json$/,
    );
    assert.ok(catalogue.source.url.includes(catalogue.source.commit));
    for (const list of [catalogue.appRoles, catalogue.oauth2PermissionScopes]) {
      const values = list.map((e) => e.value);
      assert.deepEqual(
        values,
        [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      );
      assert.equal(new Set(list.map((e) => e.id)).size, list.length);
    }
  });

  it('grants any catalogue permission: an app assigned Sites.Read.All gets it in its Graph token', async () => {
    const admin = graphClient(emu);
    const sp = await graphSp();
    const c = addApp(emu, { displayName: 'sites-reader' });
    const secret = addSecret(emu, c.app);
    const roleId = sp.appRoles!.find((r) => r.value === 'Sites.Read.All')!.id!;
    await admin.api(`/servicePrincipals/${sp.id}/appRoleAssignedTo`).post({ principalId: c.sp!.id, resourceId: sp.id, appRoleId: roleId });
    settle(emu);
    const t = await secretCredential(emu, c.app.appId!, secret).getToken('https://graph.microsoft.com/.default');
    assert.deepEqual(decodeJwt(t.token).roles, ['Sites.Read.All']);
  });
});
