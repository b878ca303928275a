import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { Agent } from 'undici';
import { apply, plan } from '../../src/index.js';
import { startEmulator, useEmulator } from '../helpers/emulator.js';
import { assertConverged, daemonToken, engineOptions, readDotenv, settle, variant } from '../helpers/engine.js';

describe('apply manifests/todolist-daemon.yaml (the daemon tutorial) end to end', () => {
  let opts: ReturnType<typeof engineOptions>;
  const emu = useEmulator();
  before(async () => {
    opts = engineOptions(emu);
  });

  it('creates both apps, consent and the secret, and writes a 0600 config file', async () => {
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.deepEqual(r.outputs, ['out/todolist-daemon.env']);
    const file = join(opts.cwd!, 'out/todolist-daemon.env');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const env = readDotenv(file);
    assert.equal(env.TENANT_ID, emu.tenantId);
    assert.equal(env.TENANT_SUBDOMAIN, 'tenantformlocal');
    assert.equal(env.AUTHORITY, `${emu.authorityHost}/${emu.tenantId}`);
    assert.equal(env.WEB_API_SCOPE, `api://${env.WEB_API_CLIENT_ID}/.default`);
    assert.match(env.CLIENT_SECRET, /^.{16,64}$/);
  });

  it('converges: the next plan is empty and a second apply makes zero writes', async () => {
    await assertConverged(emu, opts);
  });

  it('the written config gets a token with both roles and idtyp=app, valid against discovery + JWKS', async () => {
    const env = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
    const token = await daemonToken(emu, env);
    const dispatcher = new Agent({ connect: { ca: emu.ca } });
    const get = async (url: string) => (await fetch(url, { dispatcher } as RequestInit)).json() as Promise<Record<string, unknown>>;
    const discovery = await get(`${env.AUTHORITY}/v2.0/.well-known/openid-configuration`);
    const jwks = createLocalJWKSet((await get(String(discovery.jwks_uri))) as never);
    const { payload } = await jwtVerify(token, jwks, { issuer: String(discovery.issuer), audience: env.WEB_API_CLIENT_ID });
    assert.deepEqual([...(payload.roles as string[])].sort(), ['ToDoList.Read.All', 'ToDoList.ReadWrite.All']);
    assert.equal(payload.idtyp, 'app');
    assert.equal(payload.azp, env.CLIENT_ID);
  });
});

describe('changes to the stack plan and apply correctly', () => {
  let opts: ReturnType<typeof engineOptions>;
  const emu = useEmulator({ replicationLagMs: 150 });
  before(async () => {
    opts = engineOptions(emu);
    assert.ok((await apply(opts)).ok);
  });

  const actions = async (manifest: string) => {
    settle(emu);
    return (await plan({ ...opts, manifests: [manifest] })).plan.changes.map((c) => c.action);
  };

  it("changing a role's description disables it first, then writes the new description", async () => {
    const m = variant(opts.cwd!, (y) => y.replace("read every user's ToDo list using the 'TodoListApi'", 'Read all ToDo lists'));
    assert.deepEqual(await actions(m), ['disable-entitlements', 'update-application']);
    const r = await apply({ ...opts, manifests: [m] });
    assert.ok(r.ok, JSON.stringify(r.results));
    await assertConverged(emu, { ...opts, manifests: [m] });
  });

  it('removing a role revokes its assignment and removes the role (disabled first)', async () => {
    const m = variant(opts.cwd!, (y) =>
      y
        .replace(/      - value: ToDoList\.ReadWrite\.All[\s\S]*?allowedMemberTypes: \[Application\]\n/, '')
        .replace('roles: [ToDoList.Read.All, ToDoList.ReadWrite.All]', 'roles: [ToDoList.Read.All]'),
    );
    const planned = await actions(m);
    assert.ok(planned.includes('delete-app-role-assignment'), planned.join());
    assert.ok(planned.includes('disable-entitlements'), planned.join());
    const applied = await apply({ ...opts, manifests: [m] });
    assert.ok(applied.ok, JSON.stringify(applied.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, { ...opts, manifests: [m] });
  });

  it('renaming an application updates its displayName in place (same appId)', async () => {
    settle(emu);
    const m = variant(opts.cwd!, (y) => y.replace('displayName: ciam-client-app', 'displayName: ciam-daemon-renamed'));
    const p = (await plan({ ...opts, manifests: [m] })).plan;
    const upd = p.changes.find((c) => c.action === 'update-application' && c.app === 'app:todolist-daemon/daemon');
    assert.ok(upd && 'fields' in upd && upd.fields.some((f) => f.field === 'displayName' && f.after === 'ciam-daemon-renamed'), JSON.stringify(p.changes));
    assert.ok(!p.changes.some((c) => c.action === 'create-application'), 'a rename never creates a new application');
    const applied = await apply({ ...opts, manifests: [m] });
    assert.ok(applied.ok, JSON.stringify(applied.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, { ...opts, manifests: [m] });
  });

  it('adding a permission on Microsoft Graph resolves it by name against the tenant and consents', async () => {
    const m = variant(opts.cwd!, (y) =>
      y.replace(
        '        adminConsent: true\n',
        '        adminConsent: true\n      - api: Microsoft Graph\n        roles: [User.Read.All]\n        adminConsent: true\n',
      ),
    );
    settle(emu);
    const p = (await plan({ ...opts, manifests: [m] })).plan;
    const grant = p.changes.find((c) => c.action === 'create-app-role-assignment');
    assert.ok(
      grant && grant.action === 'create-app-role-assignment' && grant.role === 'User.Read.All' && grant.appRoleId === 'df021288-bdef-4463-88db-98f22de89214',
    );
    const applied = await apply({ ...opts, manifests: [m] });
    assert.ok(applied.ok, JSON.stringify(applied.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, { ...opts, manifests: [m] });
  });
});

describe('apply under injected faults', () => {
  it('converges with replication lag and 429s (Retry-After) injected', async () => {
    const emu = await startEmulator({ replicationLagMs: 400, throttleRate: 0.2, retryAfterSeconds: 0, seed: 7 });
    try {
      const opts = engineOptions(emu);
      const r = await apply(opts);
      assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
      const statuses = emu.requestLog.entries.map((e) => e.status);
      assert.ok(statuses.includes(429), 'some requests were throttled');
      assert.ok(
        emu.requestLog.entries.some((e) => e.status === 404 || e.errorCode === 'Request_BadRequest'),
        'replication lag was hit',
      );
      await assertConverged(emu, opts);
      const token = decodeJwt(await daemonToken(emu, readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'))));
      assert.equal((token.roles as string[]).length, 2);
    } finally {
      await emu.close();
    }
  });
});
