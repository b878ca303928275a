import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { User } from '@microsoft/microsoft-graph-types';
import { generateSync } from 'otplib';
import { Clock } from '../../src/emulator/faults.js';
import { seedTenant } from '../../src/emulator/seed.js';
import { Tenant, type TenantState } from '../../src/emulator/store/index.js';
import { clientWithRoles, expectGraphError, settle, uniqueName } from '../helpers/directory.js';
import { graphClient, graphToken, rawFetch, startEmulator, useEmulator } from '../helpers/emulator.js';
import signingKey from '../fixtures/emulator-signing-key.json' with { type: 'json' };
import { tempDir } from '../helpers/temp.js';
import { readFileSync } from 'node:fs';

/** Test users: /users through the Graph SDK, the programmatic API and the state file (docs/emulator-fidelity.md "Users"). */

type Listed = { '@odata.context': string; value: Array<Record<string, unknown>> };
const DEFAULT_KEYS = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

describe('emulator: /users', () => {
  let admin: Client;
  let domain: string;
  const emu = useEmulator({ users: [{ userPrincipalName: 'seeded', displayName: 'Seeded User', password: 'seeded-pass' }] });
  before(() => {
    admin = graphClient(emu);
    domain = emu.tenants[0].domain;
  });

  const body = (over: Record<string, unknown> = {}) => ({
    accountEnabled: true,
    displayName: 'Adele Vance',
    mailNickname: uniqueName('adele'),
    userPrincipalName: `${uniqueName('adele')}@${domain}`,
    passwordProfile: { forceChangePasswordNextSignIn: false, password: 'xWwvJ]6NMw+bWH-d' },
    ...over,
  });

  it('the admin client holds User.ReadWrite.All', async () => {
    const token = await graphToken(emu);
    const roles = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).roles as string[];
    assert.ok(roles.includes('User.ReadWrite.All'));
  });

  it('seeds the users option: the initial domain is added to a bare name; visible at once', async () => {
    const [seeded] = emu.seededUsers;
    assert.equal(seeded.userPrincipalName, `seeded@${domain}`);
    assert.equal(seeded.password, 'seeded-pass');
    assert.equal(seeded.totpSecret, undefined);
    const u = (await admin.api(`/users/${seeded.id}`).get()) as User;
    assert.equal(u.displayName, 'Seeded User');
  });

  it('POST answers 201 with the default properties; GET by id and by userPrincipalName; $select', async () => {
    const b = body();
    const res = await rawFetch(emu, '/v1.0/users', {
      token: await graphToken(emu),
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(b),
    });
    assert.equal(res.status, 201);
    const created = (await res.json()) as Record<string, unknown>;
    assert.match(String(created['@odata.context']), /\/v1\.0\/\$metadata#users\/\$entity$/);
    assert.deepEqual(Object.keys(created).slice(1), DEFAULT_KEYS);
    assert.equal(created.userPrincipalName, b.userPrincipalName);
    assert.equal(created.mail, null);
    assert.equal(created.givenName, null);
    assert.deepEqual(created.businessPhones, []);
    assert.equal('passwordProfile' in created, false);
    settle(emu);
    const byId = (await admin.api(`/users/${created.id}`).get()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(byId).slice(1), DEFAULT_KEYS, 'accountEnabled is not a default property');
    const byUpn = (await admin.api(`/users/${String(b.userPrincipalName).toUpperCase()}`).get()) as User;
    assert.equal(byUpn.id, created.id);
    const selected = (await admin.api(`/users/${created.id}`).select('id,accountEnabled,mailNickname,userType,createdDateTime').get()) as Record<
      string,
      unknown
    >;
    assert.match(String(selected['@odata.context']), /#users\(id,accountEnabled,mailNickname,userType,createdDateTime\)\/\$entity$/);
    assert.deepEqual([selected.accountEnabled, selected.mailNickname, selected.userType], [true, b.mailNickname, 'Member']);
  });

  it('lists with $filter, $select and $top', async () => {
    const b = body({ displayName: 'Filter Me' });
    await admin.api('/users').post(b);
    settle(emu);
    const list = (await admin.api('/users').filter(`userPrincipalName eq '${b.userPrincipalName}'`).get()) as Listed;
    assert.equal(list.value.length, 1);
    assert.deepEqual(Object.keys(list.value[0]), DEFAULT_KEYS);
    const sel = (await admin.api('/users').select('id,displayName').top(1).get()) as Listed & { '@odata.nextLink'?: string };
    assert.deepEqual(Object.keys(sel.value[0]), ['id', 'displayName']);
    assert.ok(sel['@odata.nextLink']);
  });

  it('a new user is not readable until it has replicated', async () => {
    emu.faults.options.replicationLagMs = 300;
    try {
      const created = (await admin.api('/users').post(body())) as User;
      await expectGraphError(admin.api(`/users/${created.id}`).get(), 404, 'Request_ResourceNotFound');
      settle(emu);
      assert.equal(((await admin.api(`/users/${created.id}`).get()) as User).id, created.id);
    } finally {
      emu.faults.options.replicationLagMs = 0;
    }
  });

  it('refusals: missing required property, duplicate userPrincipalName, unverified domain, weak password, unknown property', async () => {
    const missing = body();
    delete (missing as Record<string, unknown>).mailNickname;
    await expectGraphError(admin.api('/users').post(missing), 400, 'Request_BadRequest', 'Property mailNickname value is required but is empty or missing.');
    const b = body();
    await admin.api('/users').post(b);
    // The uniqueness check runs on the write master: a duplicate right after the create is refused too.
    await assert.rejects(
      admin.api('/users').post({ ...body(), userPrincipalName: b.userPrincipalName }),
      (e: { statusCode: number; code: string; message: string; body: string }) => {
        assert.equal(e.statusCode, 400);
        assert.equal(e.code, 'Request_BadRequest');
        assert.equal(e.message, 'Another object with the same value for property userPrincipalName already exists.');
        assert.deepEqual(JSON.parse(e.body).details ?? JSON.parse(e.body).error?.details, [
          { code: 'ObjectConflict', message: 'Another object with the same value for property userPrincipalName already exists.', target: 'userPrincipalName' },
        ]);
        return true;
      },
    );
    await expectGraphError(
      admin.api('/users').post(body({ userPrincipalName: 'x@contoso.com' })),
      400,
      'Request_BadRequest',
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
    );
    await expectGraphError(
      admin.api('/users').post(body({ passwordProfile: { password: 'short' } })),
      400,
      'Request_BadRequest',
      /^The specified password does not comply with password complexity requirements\./,
    );
    await expectGraphError(
      admin.api('/users').post(body({ mailNickname: 'a,b' })),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'mailNickname' of resource 'User'.",
    );
    await expectGraphError(
      admin.api('/users').post(body({ favouriteColour: 'blue' })),
      400,
      'RequestBodyRead',
      /does not exist on type 'microsoft\.graph\.user'/,
    );
    await expectGraphError(admin.api('/users').post(body({ onPremisesImmutableId: 'abc' })), 501, 'NotImplemented');
  });

  it('DELETE answers 204; the user goes to deletedItems as microsoft.graph.user and can be restored', async () => {
    const created = (await admin.api('/users').post(body())) as User;
    settle(emu);
    await admin.api(`/users/${created.id}`).delete();
    await expectGraphError(admin.api(`/users/${created.id}`).get(), 404, 'Request_ResourceNotFound');
    const deleted = (await admin.api('/directory/deletedItems/microsoft.graph.user').filter(`id eq '${created.id}'`).get()) as Listed;
    assert.equal(deleted.value.length, 1);
    assert.equal(deleted.value[0]['@odata.type'], '#microsoft.graph.user');
    assert.ok(deleted.value[0].deletedDateTime);
    await admin.api(`/directory/deletedItems/${created.id}/restore`).post({});
    settle(emu);
    assert.equal(((await admin.api(`/users/${created.id}`).get()) as User).userPrincipalName, created.userPrincipalName);
  });

  it('permissions: read needs User.Read.All (or Directory.*), write User.ReadWrite.All; PATCH is 501', async () => {
    const reader = await clientWithRoles(emu, admin, ['User.Read.All']);
    const none = await clientWithRoles(emu, admin, ['Application.Read.All']);
    assert.ok(((await reader.client.api('/users').get()) as Listed).value.length > 0);
    await expectGraphError(none.client.api('/users').get(), 403, 'Authorization_RequestDenied');
    await expectGraphError(reader.client.api('/users').post(body()), 403, 'Authorization_RequestDenied');
    const dir = await clientWithRoles(emu, admin, ['Directory.Read.All']);
    assert.ok(((await dir.client.api(`/users/${emu.seededUsers[0].id}`).get()) as User).id);
    await expectGraphError(admin.api(`/users/${emu.seededUsers[0].id}`).patch({ displayName: 'x' }), 501, 'NotImplemented');
    await expectGraphError(admin.api(`/users/${emu.seededUsers[0].id}`).select('signInActivity').get(), 501, 'NotImplemented');
  });

  it('a Principal grant needs a user the directory knows', async () => {
    const client = await clientWithRoles(emu, admin, []);
    const graphSp = (await admin.api("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").get()) as { id: string };
    const post = (principalId: string) =>
      admin.api('/oauth2PermissionGrants').post({ clientId: client.sp.id, resourceId: graphSp.id, consentType: 'Principal', principalId, scope: 'User.Read' });
    await expectGraphError(post('11111111-2222-3333-4444-555555555555'), 400, 'Request_BadRequest', /does not exist/);
    const g = (await post(emu.seededUsers[0].id)) as { principalId: string };
    assert.equal(g.principalId, emu.seededUsers[0].id);
  });
});

describe('emulator: test users from the programmatic API', () => {
  const emu = useEmulator();

  it('addUser returns the user with its password; mfa adds a TOTP secret and otpauth URI that otplib accepts', () => {
    const u = emu.addUser({ userPrincipalName: 'totp', password: 'p', mfa: true });
    assert.match(u.userPrincipalName, /^totp@tenantformlocal\.onmicrosoft\.com$/);
    assert.match(u.totpSecret!, /^[A-Z2-7]{16,}$/);
    assert.equal(
      u.otpauthUri,
      `otpauth://totp/tenantform%20emulator:${encodeURIComponent(u.userPrincipalName)}?secret=${u.totpSecret}&issuer=tenantform%20emulator`,
    );
    assert.match(generateSync({ secret: u.totpSecret! }), /^\d{6}$/);
    assert.throws(() => emu.addUser({ userPrincipalName: 'totp', password: 'p' }), /already exists/);
    assert.throws(() => emu.addUser({ userPrincipalName: 'x@contoso.com', password: 'p' }), /verified domains/);
    assert.throws(() => emu.addUser({ userPrincipalName: 'bad name', password: 'p' }), /may hold only/);
    assert.throws(() => emu.addUser({ userPrincipalName: 'spaces', password: ' p ' }), /whitespace/);
  });

  it('EmulatorTenant.addUser creates the user in that tenant', async () => {
    const other = await emu.addTenant({ subdomain: 'userstenant' });
    const u = other.addUser({ userPrincipalName: 'zed', password: 'p' });
    assert.equal(u.userPrincipalName, 'zed@userstenant.onmicrosoft.com');
    assert.ok(other.tenant.users.visible(u.id));
    assert.equal(emu.tenant.users.visible(u.id), undefined);
  });
});

describe('emulator: users in the state file', () => {
  it('only the hash of a password is stored; a restart with the users option keeps the id and TOTP secret and resets the password', async () => {
    const stateFile = join(tempDir('tenantform-users-'), 'tenant.json');
    const first = await startEmulator({ stateFile, users: [{ userPrincipalName: 'kept', password: 'first-password', mfa: true }] });
    const [u1] = first.seededUsers;
    await first.close();
    const raw = readFileSync(stateFile, 'utf8');
    assert.ok(!raw.includes('first-password'), 'no password in clear');
    const state = JSON.parse(raw) as TenantState;
    assert.equal(state.userInternals[u1.id].password.algorithm, 'scrypt');
    const second = await startEmulator({ stateFile, users: [{ userPrincipalName: 'kept', password: 'second-password' }] });
    try {
      const [u2] = second.seededUsers;
      assert.equal(u2.id, u1.id);
      assert.equal(u2.totpSecret, u1.totpSecret);
      assert.equal(u2.password, 'second-password');
    } finally {
      await second.close();
    }
  });

  it('a state file written before users existed loads with none', () => {
    const state = seedTenant({}, signingKey, new Date().toISOString()) as Partial<TenantState>;
    delete state.users;
    delete state.userInternals;
    delete state.refreshTokens;
    const tenant = new Tenant(state as TenantState, { clock: new Clock(), lagMs: () => 0 });
    assert.deepEqual(tenant.users.list(), []);
    assert.deepEqual(state.users, {}, 'the next save writes the field');
    assert.deepEqual(state.refreshTokens, {});
  });
});
