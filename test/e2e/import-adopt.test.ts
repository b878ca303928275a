import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { adopt, apply, destroy, isTenantformError, plan, planImport, type CommonOptions } from '../../src/index.js';
import { credentialEnv, EXAMPLE_MANIFEST, remoteArgs, runCli, tempCwd } from '../helpers/cli-engine.js';
import { createAppWithSp } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';
import { assertValidPlan, writesDuring } from '../helpers/teardown.js';

/** Adopting an application made by hand (in the portal, by a script) into a stack by its appId. */
describe('tenantform import: adopt an existing application', () => {
  let client: Client;
  let opts: CommonOptions;
  let legacy: { app: Application; sp: ServicePrincipal };
  const get = async (id: string) => (await client.api(`/applications/${id}`).get()) as Application;

  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    opts = engineOptions(emu);
    legacy = await createAppWithSp(emu, client, { displayName: 'legacy ToDo API', tags: ['team:todo'] });
  });

  it('shows what will change: the uniqueName, once, and the ownership tag on the app and its SP', async () => {
    const { plan: p, empty } = await planImport({ ...opts, apps: { api: legacy.app.appId! } });
    assertValidPlan(p);
    assert.equal(empty, false);
    assert.equal(p.operation, 'import');
    assert.equal(p.changes.length, 1);
    const c = p.changes[0];
    assert.equal(c.action, 'adopt-application');
    if (c.action !== 'adopt-application') return;
    assert.deepEqual(c.fields, [
      { field: 'uniqueName', before: null, after: 'todolist-daemon--api' },
      { field: 'tags', before: ['team:todo'], after: ['team:todo', 'tenantform:stack=todolist-daemon'] },
      // The SP was created with its app's tags (Graph copies them), so it has team:todo as well.
      { field: 'servicePrincipal.tags', before: ['team:todo'], after: ['team:todo', 'tenantform:stack=todolist-daemon'] },
    ]);
  });

  it('without a terminal and without --yes the CLI refuses and writes nothing; --yes adopts', async () => {
    const cwd = tempCwd();
    const cli = (args: string[]) =>
      runCli(['import', EXAMPLE_MANIFEST, '--app', `api=${legacy.app.appId}`, ...args, ...remoteArgs(emu)], { cwd, env: credentialEnv(emu) });
    const { value: refused, writes } = await writesDuring(emu, () => cli([]));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\[CONFIRMATION_REQUIRED\].*--yes/);
    assert.deepEqual(writes, []);
    const done = await cli(['--yes', '--json']);
    assert.equal(done.code, 0, done.stderr);
    const doc = JSON.parse(done.stdout) as { ok: boolean; command: string; plan: Parameters<typeof assertValidPlan>[0] };
    assert.deepEqual([doc.ok, doc.command], [true, 'import']);
    assertValidPlan(doc.plan);
    settle(emu);
    const app = await get(legacy.app.id!);
    assert.equal(app.uniqueName, 'todolist-daemon--api');
    assert.deepEqual([...app.tags!].sort(), ['team:todo', 'tenantform:stack=todolist-daemon']);
    const sp = (await client.api(`/servicePrincipals/${legacy.sp.id}`).get()) as ServicePrincipal;
    assert.deepEqual(sp.tags, ['team:todo', 'tenantform:stack=todolist-daemon']);
  });

  it("afterwards the app is the stack's: apply brings it in line with the manifest (same appId) and converges", async () => {
    const p = await plan(opts);
    const mine = p.plan.changes.filter((c) => 'app' in c && c.app === 'app:todolist-daemon/api').map((c) => c.action);
    assert.ok(mine.includes('update-application') && !mine.includes('create-application'), JSON.stringify(mine));
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    const app = await get(legacy.app.id!);
    assert.equal(app.displayName, 'ciam-ToDoList-api');
    assert.ok(app.tags!.includes('team:todo'), 'tags the stack does not manage are kept');
  });

  it('a second import is a no-op', async () => {
    const { value, writes } = await writesDuring(emu, () => adopt({ ...opts, apps: { api: legacy.app.appId! } }));
    assert.ok(value.empty && value.ok);
    assert.deepEqual(writes, []);
  });

  it("refuses: another uniqueName, another stack's tag, a taken uniqueName, an unknown appId or key", async () => {
    const named = (await client
      .api("/applications(uniqueName='someone-else--x')")
      .header('Prefer', 'create-if-missing')
      .patch({ displayName: 'named' })) as Application;
    const foreign = (await createAppWithSp(emu, client, { displayName: 'foreign', tags: ['tenantform:stack=other-stack'] })).app;
    const free = (await createAppWithSp(emu, client, { displayName: 'free' })).app;
    settle(emu);
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ daemon: named.appId! }, 'CONFLICT', /already has uniqueName someone-else--x.*never changes/],
      [{ daemon: foreign.appId! }, 'CONFLICT', /belongs to stack "other-stack"/],
      [{ api: free.appId! }, 'CONFLICT', /already holds uniqueName todolist-daemon--api/],
      [{ daemon: '00000000-0000-0000-0000-00000000abcd' }, 'RESOLVE_FAILED', /No application with appId/],
      [{ nope: free.appId! }, 'USAGE', /No application "nope".*known: api, daemon/],
      [{ daemon: 'not-a-guid' }, 'USAGE', /not an appId/],
    ];
    const { writes } = await writesDuring(emu, async () => {
      for (const [apps, code, message] of cases) {
        await assert.rejects(adopt({ ...opts, apps, confirm: () => true }), (e) => {
          assert.ok(isTenantformError(e), String(e));
          assert.equal(e.code, code, e.message);
          assert.match(e.message, message);
          return true;
        });
      }
    });
    assert.deepEqual(writes, []);
  });

  it('refuses while a deleted application holds the uniqueName, and says how to free it', async () => {
    assert.ok((await destroy(opts)).ok);
    settle(emu);
    const free = (await createAppWithSp(emu, client, { displayName: 'free again' })).app;
    await assert.rejects(
      adopt({ ...opts, apps: { api: free.appId! } }),
      (e) => isTenantformError(e) && e.code === 'SOFT_DELETED' && /destroy --purge/.test(e.message),
    );
  });
});
