import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { decodeJwt } from 'jose';
import type { TestUser } from '../../src/emulator/index.js';
import { AZURE_CLI_APP_ID } from '../../src/emulator/login/first-party.js';
import { graphClient, rawFetch, useEmulator } from '../helpers/emulator.js';
import { createApi, msalPublicApp } from '../helpers/users.js';

interface GraphError {
  error: { code: string; message: string };
}

/**
 * Microsoft Graph called with delegated (user) tokens: the Azure CLI's first-party client (what @azure/identity's
 * DeviceCodeCredential uses without a client id) signs users in with no registration or consent in the tenant, and
 * what a call may do is the intersection of the token's scopes and the user's directory roles
 * (https://learn.microsoft.com/graph/permissions-overview#delegated-permissions). Tokens come from msal-node (ROPC,
 * the quickest user flow; the device code flow is covered through @azure/identity in test/e2e/cli-device-code.test.ts).
 */
describe('Graph with delegated tokens', () => {
  const emu = useEmulator();
  let admin: Client;
  let ada: TestUser; // Global Administrator
  let mo: TestUser; // member user, no role
  let appAdmin: TestUser; // Application Administrator
  let pra: TestUser; // Privileged Role Administrator
  const tokens = new Map<string, string>();

  const tokenOf = async (user: TestUser): Promise<string> => {
    const cached = tokens.get(user.id);
    if (cached) return cached;
    const r = await msalPublicApp(emu, AZURE_CLI_APP_ID).acquireTokenByUsernamePassword({
      scopes: ['https://graph.microsoft.com/.default'],
      username: user.userPrincipalName,
      password: user.password,
    });
    tokens.set(user.id, r!.accessToken);
    return r!.accessToken;
  };
  const call = async (user: TestUser, method: string, path: string, body?: unknown) => {
    const res = await rawFetch(emu, `/v1.0${path}`, {
      method,
      token: await tokenOf(user),
      ...(body ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const denied = (r: { status: number; body: GraphError }) => {
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'Authorization_RequestDenied');
    assert.equal(r.body.error.message, 'Insufficient privileges to complete the operation.');
  };
  const createApp = async (user: TestUser, displayName: string): Promise<Application> => {
    const r = await call(user, 'POST', '/applications', { displayName });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    emu.clock.advance(60_000);
    return r.body as Application;
  };

  before(() => {
    admin = graphClient(emu);
    ada = emu.addUser({ userPrincipalName: 'ada', password: 'ada-pass-1', roles: ['Global Administrator'] });
    mo = emu.addUser({ userPrincipalName: 'mo', password: 'mo-pass-1' });
    appAdmin = emu.addUser({ userPrincipalName: 'aaron', password: 'aaron-pass-1', roles: ['application administrator'] });
    pra = emu.addUser({ userPrincipalName: 'priya', password: 'priya-pass-1', roles: ['e8611ab8-c189-46e8-94e1-60213ab1f814'] });
  });

  it('the Azure CLI needs no registration or consent: its token carries the Graph scopes it is pre-authorized for, as a v1 token for Graph', async () => {
    const claims = decodeJwt(await tokenOf(ada));
    assert.equal(claims.appid, AZURE_CLI_APP_ID);
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.equal(claims.oid, ada.id);
    const scp = String(claims.scp).split(' ');
    for (const s of ['Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.AccessAsUser.All']) {
      assert.ok(scp.includes(s), `${s} in ${claims.scp}`);
    }
    assert.ok(!scp.includes('Policy.ReadWrite.ConditionalAccess'), 'not pre-authorized for conditional access (Azure/azure-cli#22775)');
    assert.deepEqual(ada.roles, ['Global Administrator']);
    assert.deepEqual(pra.roles, ['Privileged Role Administrator']);
  });

  it('/me is the signed-in user; /organization needs only User.Read', async () => {
    const me = await call(mo, 'GET', '/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.id, mo.id);
    assert.equal(me.body.userPrincipalName, mo.userPrincipalName);
    assert.equal((await call(mo, 'GET', '/organization')).status, 200);
  });

  it('an application a user creates is owned by that user, and listed in its /me/ownedObjects', async () => {
    const app = await createApp(mo, 'mo-app');
    const owners = (await admin.api(`/applications/${app.id}/owners`).get()) as { value: Array<{ id: string; '@odata.type': string }> };
    assert.deepEqual(
      owners.value.map((o) => [o.id, o['@odata.type']]),
      [[mo.id, '#microsoft.graph.user']],
    );
    const owned = await call(mo, 'GET', '/me/ownedObjects/microsoft.graph.application');
    assert.equal(owned.status, 200);
    assert.deepEqual(
      (owned.body.value as Application[]).map((a) => a.appId),
      [app.appId],
    );
  });

  it('a member user reads every application but changes only the ones it owns', async () => {
    const own = await createApp(mo, 'mo-own');
    const other = await createApp(ada, 'ada-app');
    assert.equal((await call(mo, 'GET', `/applications/${other.id}`)).status, 200);
    assert.equal((await call(mo, 'PATCH', `/applications/${own.id}`, { description: 'mine' })).status, 204);
    denied(await call(mo, 'PATCH', `/applications/${other.id}`, { description: 'not mine' }));
    denied(await call(mo, 'DELETE', `/applications/${other.id}`));
  });

  it('an Application Administrator changes any application; a member user grants no consent', async () => {
    const app = await createApp(mo, 'mo-managed');
    assert.equal((await call(appAdmin, 'PATCH', `/applications/${app.id}`, { description: 'by the admin' })).status, 204);
    const client = await call(mo, 'POST', '/servicePrincipals', { appId: app.appId });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    emu.clock.advance(60_000);
    const graph = (await admin.api("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").get()) as { id: string };
    denied(
      await call(mo, 'POST', '/oauth2PermissionGrants', { clientId: client.body.id, consentType: 'AllPrincipals', resourceId: graph.id, scope: 'User.Read' }),
    );
    const byAdmin = await call(appAdmin, 'POST', '/oauth2PermissionGrants', {
      clientId: client.body.id,
      consentType: 'AllPrincipals',
      resourceId: graph.id,
      scope: 'User.Read',
    });
    assert.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body));
  });

  it("Microsoft Graph's app roles are granted only by a Privileged Role Administrator or Global Administrator; another API's by an Application Administrator too", async () => {
    const daemon = await createApp(ada, 'daemon');
    const sp = await call(ada, 'POST', '/servicePrincipals', { appId: daemon.appId });
    assert.equal(sp.status, 201);
    emu.clock.advance(60_000);
    const graph = (await admin.api("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").get()) as {
      id: string;
      appRoles: Array<{ id: string; value: string }>;
    };
    const userReadAll = graph.appRoles.find((r) => r.value === 'User.Read.All')!.id;
    const assign = (user: TestUser, resourceId: string, appRoleId: string) =>
      call(user, 'POST', `/servicePrincipals/${sp.body.id}/appRoleAssignments`, { principalId: sp.body.id, resourceId, appRoleId });
    denied(await assign(appAdmin, graph.id, userReadAll));
    denied(await assign(mo, graph.id, userReadAll));
    const byPra = await assign(pra, graph.id, userReadAll);
    assert.equal(byPra.status, 201, JSON.stringify(byPra.body));

    const api = await createApi(emu, admin, { scopes: ['Read'] });
    const role = {
      id: '3e3a5e0c-6d53-4d0b-a7a1-3a43f7e6d6a1',
      value: 'Jobs.Run',
      displayName: 'Run',
      description: 'Run',
      allowedMemberTypes: ['Application'],
      isEnabled: true,
    };
    await admin.api(`/applications/${api.app.id}`).patch({ appRoles: [role] });
    emu.clock.advance(60_000);
    const byAppAdmin = await assign(appAdmin, api.sp.id!, role.id);
    assert.equal(byAppAdmin.status, 201, JSON.stringify(byAppAdmin.body));
  });

  it("/me with an app-only token is still Graph's 400; a disabled user's token is refused", async () => {
    const appOnly = await rawFetch(emu, '/v1.0/me', { token: await (await import('../helpers/emulator.js')).graphToken(emu) });
    assert.equal(appOnly.status, 400);
    const eve = emu.addUser({ userPrincipalName: 'eve', password: 'eve-pass-1' });
    const token = await tokenOf(eve);
    await admin.api(`/users/${eve.id}`).delete();
    emu.clock.advance(60_000);
    const res = await rawFetch(emu, '/v1.0/me', { token });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as GraphError).error.code, 'InvalidAuthenticationToken');
  });

  it('an unknown directory role is refused when the user is provisioned', () => {
    assert.throws(
      () => emu.addUser({ userPrincipalName: 'zed', password: 'zed-pass-1', roles: ['Tenant Overlord'] }),
      /unknown directory role 'Tenant Overlord' \(known: Global Administrator, /,
    );
  });
});
