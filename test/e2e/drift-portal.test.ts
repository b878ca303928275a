import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, AppRoleAssignment, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { apply, plan, type CommonOptions } from '../../src/index.js';
import { credentialEnv, EXAMPLE_MANIFEST, remoteArgs, runCli } from '../helpers/cli-engine.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';
import { appByUniqueName, assertValidPlan } from '../helpers/teardown.js';

/**
 * Drift: changes made outside the tool — raw Graph calls, as the portal makes them — show up in the
 * next plan, and `plan --detailed-exitcode` exits 2 (the signal a scheduled CI drift check alerts on).
 */
describe('drift made outside tenantform', () => {
  let client: Client;
  let opts: CommonOptions;
  const cli = (args: string[]) =>
    runCli(['plan', EXAMPLE_MANIFEST, '--detailed-exitcode', ...args, ...remoteArgs(emu)], { cwd: opts.cwd!, env: credentialEnv(emu) });

  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    opts = engineOptions(emu);
    assert.ok((await apply(opts)).ok);
    await assertConverged(emu, opts);
    // "In the portal": rename the API, revoke one admin-consented role, require assignment on the daemon,
    // and add a client secret of someone's own to the daemon.
    const api = (await appByUniqueName(emu, 'todolist-daemon--api'))!;
    const daemon = (await appByUniqueName(emu, 'todolist-daemon--daemon'))!;
    await client.api(`/applications/${api.id}`).patch({ displayName: 'renamed in the portal' });
    const daemonSp = (await client.api(`/servicePrincipals(appId='${daemon.appId}')`).get()) as ServicePrincipal;
    const assignments = ((await client.api(`/servicePrincipals/${daemonSp.id}/appRoleAssignments`).get()) as { value: AppRoleAssignment[] }).value;
    const readWrite = api.appRoles!.find((r) => r.value === 'ToDoList.ReadWrite.All')!;
    const revoked = assignments.find((a) => a.appRoleId === readWrite.id)!;
    await client.api(`/servicePrincipals/${revoked.resourceId}/appRoleAssignedTo/${revoked.id}`).delete();
    await client.api(`/servicePrincipals/${daemonSp.id}`).patch({ appRoleAssignmentRequired: true });
    await client.api(`/applications/${daemon.id}/addPassword`).post({ passwordCredential: { displayName: 'added in the portal' } });
    settle(emu);
  });

  it('the plan shows each change made outside, and leaves what the stack does not manage alone', async () => {
    const p = await plan(opts);
    assertValidPlan(p.plan);
    const by = (action: string) => p.plan.changes.filter((c) => c.action === action);
    const update = by('update-application')[0] as Extract<(typeof p.plan.changes)[number], { action: 'update-application' }>;
    assert.deepEqual(update.fields, [{ field: 'displayName', before: 'renamed in the portal', after: 'ciam-ToDoList-api' }]);
    assert.deepEqual(
      by('create-app-role-assignment').map((c) => (c.action === 'create-app-role-assignment' ? c.role : '')),
      ['ToDoList.ReadWrite.All'],
    );
    assert.deepEqual(
      by('update-service-principal').map((c) => (c.action === 'update-service-principal' ? c.fields.map((f) => f.field) : [])),
      [['appRoleAssignmentRequired']],
    );
    assert.deepEqual(by('remove-secret'), [], 'a secret the stack did not create is never touched');
    assert.equal(p.plan.changes.length, 3, JSON.stringify(p.plan.changes.map((c) => c.action)));
  });

  it('plan --detailed-exitcode exits 2 (text and --json, which validates against the plan schema)', async () => {
    const [text, json] = await Promise.all([cli([]), cli(['--json'])]);
    assert.equal(text.code, 2, text.stderr);
    assert.match(text.stdout, /displayName: "renamed in the portal" → "ciam-ToDoList-api"/);
    assert.match(text.stdout, /Plan: 1 to add, 2 to change, 0 to remove\./);
    assert.equal(json.code, 2, json.stderr);
    const doc = JSON.parse(json.stdout) as { ok: boolean; plan: Parameters<typeof assertValidPlan>[0]; empty: boolean };
    assert.deepEqual([doc.ok, doc.empty, doc.plan.formatVersion], [true, false, 1]);
    assertValidPlan(doc.plan);
  });

  it('apply undoes the drift; then the plan is empty and --detailed-exitcode exits 0', async () => {
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    const again = await cli([]);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const api = (await appByUniqueName(emu, 'todolist-daemon--api')) as Application;
    assert.equal(api.displayName, 'ciam-ToDoList-api');
  });
});
