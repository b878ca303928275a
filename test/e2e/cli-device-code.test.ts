import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { graphWrites, type TestUser } from '../../src/emulator/index.js';
import { EXAMPLE_MANIFEST, remoteArgs, runCli, STACK_LINE, tempCwd, type CliRun } from '../helpers/cli-engine.js';
import { createAppWithSp, msGraphSp } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { approveDeviceCode } from '../helpers/sign-in-page.js';

const PROMPT = /To sign in, use a web browser to open the page (\S+) and enter the code (\w+) to authenticate\./;

/**
 * `tenantform --auth device-code`, end to end: the built CLI as a child process against a separately started
 * emulator, a person signing in on the emulator's device code page while @azure/identity's DeviceCodeCredential
 * polls — with the Azure CLI's first-party client by default, or the user's own public client (`--client-id`).
 * What the person may do is what their directory roles allow (a Global Administrator applies everything; a member
 * user is stopped at admin consent with Graph's answer).
 */
describe('tenantform --auth device-code', () => {
  const emu = useEmulator({ deviceCodeIntervalSeconds: 0 });
  let admin: Client;
  let ada: TestUser;
  let mo: TestUser;

  /** Run the CLI with device code sign-in, approving the code it prints as `user`. */
  const asUser = async (user: TestUser, args: string[], cwd: string, extra: string[] = []): Promise<CliRun & { prompts: number }> => {
    let approval: Promise<unknown> | undefined;
    let prompts = 0;
    const run = await runCli([...args, ...remoteArgs(emu), '--auth', 'device-code', ...extra], {
      cwd,
      timeoutMs: 60_000,
      onStderr: (err) => {
        const m = PROMPT.exec(err);
        if (m && !approval) {
          prompts = err.match(new RegExp(PROMPT.source, 'g'))!.length;
          approval = approveDeviceCode(emu, { verification_uri: m[1], user_code: m[2] }, user);
        }
      },
    });
    await approval;
    return { ...run, prompts };
  };

  before(() => {
    admin = graphClient(emu);
    ada = emu.addUser({ userPrincipalName: 'ada', password: 'ada-pass-1', roles: ['Global Administrator'] });
    mo = emu.addUser({ userPrincipalName: 'mo', password: 'mo-pass-1' });
  });

  it('a Global Administrator applies the quick-start stack; the plan after it is empty and a second apply writes nothing', async () => {
    const cwd = tempCwd();
    const first = await asUser(ada, ['apply', EXAMPLE_MANIFEST, '--yes'], cwd);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.prompts, 1, 'one sign-in per run');
    assert.match(first.stderr, PROMPT, 'the instruction goes to stderr');
    assert.doesNotMatch(first.stdout, PROMPT);
    assert.doesNotMatch(first.stderr, STACK_LINE);
    assert.ok(existsSync(join(cwd, 'out/todolist-daemon.env')));

    // Graph makes the signed-in user the owner of what it creates.
    const apps = (await admin.api('/applications').filter("startswith(displayName,'ciam-')").get()) as { value: Application[] };
    assert.equal(apps.value.length, 2);
    for (const app of apps.value) {
      const owners = (await admin.api(`/applications/${app.id}/owners`).get()) as { value: Array<{ id: string }> };
      assert.deepEqual(
        owners.value.map((o) => o.id),
        [ada.id],
      );
    }

    const plan = await asUser(ada, ['plan', EXAMPLE_MANIFEST, '--json'], cwd);
    assert.equal(plan.code, 0, plan.stderr);
    const body = JSON.parse(plan.stdout) as { plan: { changes: unknown[]; tenant: { identity: string } } };
    assert.deepEqual(body.plan.changes, [], 'stdout is the JSON alone: the device code instruction is on stderr');
    assert.equal(body.plan.tenant.identity, `${ada.userPrincipalName} (04b07795-8ddb-461a-bbee-02f9e1bf7b46)`);

    const mark = emu.requestLog.mark();
    const again = await asUser(ada, ['apply', EXAMPLE_MANIFEST, '--yes'], cwd);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      graphWrites(emu.requestLog.since(mark)).map((e) => `${e.method} ${e.path}`),
      [],
    );
  });

  it('export --owned-by-me as a signed-in person: the applications that person owns (/me/ownedObjects)', async () => {
    const cwd = tempCwd();
    const run = await asUser(ada, ['export', '--stack', 'mine', '--owned-by-me', '--out', 'mine.yaml'], cwd);
    assert.equal(run.code, 0, run.stderr);
    const text = readFileSync(join(cwd, 'mine.yaml'), 'utf8');
    assert.match(text, /displayName: ciam-ToDoList-api/);
    assert.match(text, /displayName: ciam-client-app/);
    assert.equal((text.match(/^ {2}\S+:$/gm) ?? []).length, 2, `two applications:\n${text}`);
  });

  it('a member user is stopped where its roles end: the apps it may register, not the tenant-wide consent', async () => {
    const cwd = tempCwd();
    const run = await asUser(mo, ['apply', EXAMPLE_MANIFEST, '--yes', '--stack-suffix', 'member'], cwd);
    assert.notEqual(run.code, 0);
    assert.doesNotMatch(run.stderr, STACK_LINE);
    assert.doesNotMatch(run.stderr, /internal error/i);
    // The applications it may register are registered (a member user owns what it creates); the grant is refused.
    assert.match(run.stderr, /✓ created application ciam-client-app/);
    assert.match(run.stderr, /granting ToDoList\.Read\.All on ciam-ToDoList-api to ciam-client-app failed .*403 Authorization_RequestDenied/);
    assert.match(run.stderr, /A person signed in \(--auth device-code\) needs it as a consented delegated permission and a directory role that allows it/);
  });

  it('--client-id signs in with your own public client registration and its consented Graph permissions', async () => {
    const graph = await msGraphSp(admin);
    const scopes = ['Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Organization.Read.All'];
    const { app, sp } = await createAppWithSp(emu, admin, {
      displayName: 'tenantform-deployer',
      isFallbackPublicClient: true,
      publicClient: { redirectUris: ['http://localhost'] },
      requiredResourceAccess: [
        {
          resourceAppId: '00000003-0000-0000-c000-000000000000',
          resourceAccess: scopes.map((v) => ({ id: graph.oauth2PermissionScopes!.find((s) => s.value === v)!.id!, type: 'Scope' })),
        },
      ],
    });
    await admin.api('/oauth2PermissionGrants').post({ clientId: sp.id, consentType: 'AllPrincipals', resourceId: graph.id, scope: scopes.join(' ') });
    emu.clock.advance(60_000);
    const run = await asUser(ada, ['plan', EXAMPLE_MANIFEST, '--stack-suffix', 'own-client'], tempCwd(), ['--client-id', app.appId!]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(app.appId!), `the identity line names the client: ${run.stdout}`);
  });

  it('flags that device code sign-in would ignore or cannot use are refused before anything runs', async () => {
    const cwd = tempCwd();
    const noAuth = await runCli(['plan', EXAMPLE_MANIFEST, ...remoteArgs(emu), '--client-id', '04b07795-8ddb-461a-bbee-02f9e1bf7b46'], { cwd });
    assert.equal(noAuth.code, 1, noAuth.stderr);
    assert.match(noAuth.stderr, /--client-id is the public client of device code sign-in: add --auth device-code/);
    const notGuid = await runCli(['plan', EXAMPLE_MANIFEST, ...remoteArgs(emu), '--auth', 'device-code', '--client-id', 'my-app'], { cwd });
    assert.equal(notGuid.code, 1);
    assert.match(notGuid.stderr, /--client-id my-app is not an application \(client\) id/);
    const local = await runCli(['plan', EXAMPLE_MANIFEST, '--auth', 'device-code'], { cwd });
    assert.equal(local.code, 1);
    assert.match(local.stderr, /--auth device-code signs a person in to a tenant served elsewhere/);
    assert.ok(!existsSync(join(cwd, '.tenantform')), 'nothing written');
  });
});
