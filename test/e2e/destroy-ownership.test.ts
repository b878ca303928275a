import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { apply, destroy, isTenantformError, plan, type CommonOptions } from '../../src/index.js';
import { createAppWithSp } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle, variant } from '../helpers/engine.js';
import { appByUniqueName, appsOfStack, assertValidPlan, writesDuring } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp.js';

/** The ownership boundary: destroy deletes only what carries the stack's tag, whatever else looks like it. */
describe('destroy never deletes what the stack does not own', () => {
  let client: Client;
  let opts: CommonOptions;
  let neighbour: CommonOptions;
  const untouched: Application[] = [];
  const exists = async (a: Application) => (await client.api('/applications').filter(`id eq '${a.id}'`).get()).value.length === 1;

  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    opts = engineOptions(emu);
    // Look-alikes: the same display names, no tag; and an app tagged for another stack.
    untouched.push((await createAppWithSp(emu, client, { displayName: 'ciam-ToDoList-api' })).app);
    untouched.push((await createAppWithSp(emu, client, { displayName: 'ciam-client-app', tags: ['tenantform:stack=other-stack'] })).app);
    // A neighbour: the same manifest as an ephemeral copy (stack todolist-daemon-x), whose tag starts like ours.
    neighbour = { ...engineOptions(emu), stackSuffix: 'x' };
    assert.ok((await apply(neighbour)).ok);
    assert.ok((await apply(opts)).ok);
    settle(emu);
  });

  it("deletes only the stack's own objects; look-alikes, other stacks and the neighbour stay", async () => {
    const r = await destroy({ ...opts, purge: true });
    assertValidPlan(r.plan);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.deepEqual(r.plan.stacks, ['todolist-daemon']);
    assert.deepEqual(
      r.plan.changes
        .filter((c) => c.action === 'delete-application')
        .map((c) => (c.action === 'delete-application' ? c.uniqueName : ''))
        .sort(),
      ['todolist-daemon--api', 'todolist-daemon--daemon'],
    );
    for (const a of untouched) assert.ok(await exists(a), `${a.displayName} must stay`);
    assert.equal((await appsOfStack(emu, 'todolist-daemon-x')).length, 2);
    await assertConverged(emu, neighbour);
  });

  it('an application with our uniqueName but no tag: apply refuses (CONFLICT), destroy leaves it and says so', async () => {
    const squatter = (await client
      .api("/applications(uniqueName='todolist-daemon--api')")
      .header('Prefer', 'create-if-missing')
      .patch({ displayName: 'squatter' })) as Application;
    settle(emu);
    await assert.rejects(
      plan(opts),
      (e) => isTenantformError(e) && e.code === 'CONFLICT' && /not owned by tenantform/.test(e.message) && /tenantform import/.test(e.message),
    );
    const { value, writes } = await writesDuring(emu, () => destroy({ ...opts, purge: true }));
    assert.ok(value.empty);
    assert.deepEqual(writes, []);
    assert.equal(value.plan.warnings.length, 1);
    assert.match(value.plan.warnings[0], /todolist-daemon--api.*no tenantform ownership tag.*left alone/);
    assert.equal((await appByUniqueName(emu, 'todolist-daemon--api'))?.id, squatter.id);
    await client.api(`/applications/${squatter.id}`).delete();
  });

  it('finds by tag the applications removed from the manifest since', async () => {
    const cwd = tempDir('tenantform-owned-');
    const full = { ...engineOptions(emu, { cwd }), stackSuffix: 'y' };
    assert.ok((await apply(full)).ok);
    settle(emu);
    // The manifest now declares only the API: the daemon (and the output that named it) were removed.
    const apiOnly = variant(cwd, (y) => y.replace(/\n  daemon:[\s\S]*$/, '\n'));
    const r = await destroy({ ...full, manifests: [apiOnly] });
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    assert.deepEqual(
      r.plan.changes
        .filter((c) => c.action === 'delete-application')
        .map((c) => c.app)
        .sort(),
      ['app:todolist-daemon-y/api', 'app:todolist-daemon-y/daemon'],
    );
    settle(emu);
    assert.deepEqual(await appsOfStack(emu, 'todolist-daemon-y'), []);
    for (const a of untouched) assert.ok(await exists(a));
  });
});
