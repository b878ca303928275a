import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { Emulator } from '../../src/emulator/index.js';
import { graphWrites } from '../../src/emulator/index.js';
import { ANSI, type CliRun, credentialEnv, EXAMPLE_MANIFEST, remoteArgs, runCli, STACK_LINE, tempCwd, transcript } from '../helpers/cli-engine.js';
import { createAppWithSp, msGraphSp, roleId, settle } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { readDotenv } from '../helpers/engine.js';

/**
 * The CLI as a CI job runs it: a child process without a TTY, against a separately started emulator
 * (--tenant <id> --graph-url --authority-host --ca-file), authenticated by DefaultAzureCredential from
 * AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET (its EnvironmentCredential).
 */
describe('CLI against a separately started tenant (DefaultAzureCredential from the environment)', () => {
  const emu = useEmulator();
  const cwd = tempCwd();
  let env: Record<string, string>;
  const secrets: string[] = [];
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli([...args, ...remoteArgs(emu)], { cwd, env: { ...env, ...extra } });

  before(() => {
    env = credentialEnv(emu);
    secrets.push(emu.adminClientSecret);
  });

  /** Commands that write nothing run in parallel (each CLI start costs about a second of CPU). */
  describe('before the first apply', () => {
    // The invalid manifest goes to a tenant of its own, whose request log must stay empty.
    const quiet = useEmulator();
    let runs: Record<'invalid' | 'text' | 'json' | 'forced' | 'noColor' | 'refused', CliRun>;
    let writesBefore: ReturnType<typeof graphWrites>;
    before(async () => {
      writeFileSync(join(cwd, 'bad.yaml'), 'stack: bad\napplications:\n  api:\n    displayName: x\n    colour: blue\n');
      const [invalid, text, json, forced, noColor, refused] = await Promise.all([
        runCli(['plan', 'bad.yaml', ...remoteArgs(quiet)], { cwd, env: credentialEnv(quiet) }),
        cli(['plan', EXAMPLE_MANIFEST, '--detailed-exitcode']),
        cli(['plan', EXAMPLE_MANIFEST, '--json']),
        cli(['plan', EXAMPLE_MANIFEST], { FORCE_COLOR: '1' }),
        cli(['plan', EXAMPLE_MANIFEST], { FORCE_COLOR: '1', NO_COLOR: '1' }),
        cli(['apply', EXAMPLE_MANIFEST]),
      ]);
      runs = { invalid, text, json, forced, noColor, refused };
      writesBefore = graphWrites(emu.requestLog.entries);
    });

    it('validation errors: exit 1, file:line:col, no stack trace, and not a single request', () => {
      const r = runs.invalid;
      assert.equal(r.code, 1);
      assert.match(r.stderr, /bad\.yaml:5:5\s+error\s+unknown-key/);
      assert.match(r.stderr, /error \[VALIDATION_FAILED\]/);
      assert.doesNotMatch(r.stderr + r.stdout, STACK_LINE);
      assert.deepEqual(quiet.requestLog.entries, [], 'no Graph or token request before validation passes');
    });

    it('plan: first line names the tenant and the identity; secrets are (sensitive); --detailed-exitcode 2', () => {
      const r = runs.text;
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout.split('\n')[0], `Tenant ${emu.tenantId} (tenant) as tenantform-admin (${emu.adminClientId})`);
      assert.match(r.stdout, /\+ add client secret "main" to ciam-client-app \(sensitive\)/);
      assert.match(r.stdout, /write out\/todolist-daemon\.env \(sensitive, mode 0600\)/);
      assert.doesNotMatch(r.stdout + r.stderr, ANSI, 'no colour without a TTY');
    });

    it('colour: FORCE_COLOR colours the plan, NO_COLOR wins over it', () => {
      assert.equal(runs.forced.code, 0);
      assert.match(runs.forced.stdout, ANSI);
      assert.equal(runs.noColor.code, 0);
      assert.doesNotMatch(runs.noColor.stdout + runs.noColor.stderr, ANSI);
    });

    it('plan --json is the versioned plan, alone on stdout', () => {
      const r = runs.json;
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
      const doc = JSON.parse(r.stdout) as {
        ok: boolean;
        command: string;
        empty: boolean;
        plan: { formatVersion: number; tenant: { id: string }; changes: Array<{ id: string; action: string; wave: number }> };
      };
      assert.equal(doc.ok, true);
      assert.equal(doc.command, 'plan');
      assert.equal(doc.empty, false);
      assert.equal(doc.plan.formatVersion, 1);
      assert.equal(doc.plan.tenant.id, emu.tenantId);
      assert.ok(doc.plan.changes.some((c) => c.action === 'add-secret' && c.wave === 1));
    });

    it('apply without a TTY and without --yes refuses: exit 1, no write, no file', () => {
      assert.equal(runs.refused.code, 1);
      assert.match(runs.refused.stderr, /error \[CONFIRMATION_REQUIRED\].*re-run with --yes/);
      assert.deepEqual(writesBefore, []);
      assert.equal(existsSync(join(cwd, 'out')), false);
    });
  });

  it('apply --yes writes the config file and prints its path, never its content', async () => {
    const r = await cli(['apply', EXAMPLE_MANIFEST, '--yes']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Applied (\d+) of \1 changes\.$/m);
    assert.match(r.stdout, /^wrote out\/todolist-daemon\.env$/m);
    const file = join(cwd, 'out/todolist-daemon.env');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const values = readDotenv(file);
    secrets.push(values.CLIENT_SECRET);
    assert.doesNotMatch(r.stdout + r.stderr, /CLIENT_SECRET|CLIENT_ID=/);
  });

  it('after apply: plan --detailed-exitcode exits 0, and apply --yes --json writes nothing', async () => {
    settle(emu);
    const mark = emu.requestLog.mark();
    const [p, a] = await Promise.all([cli(['plan', EXAMPLE_MANIFEST, '--detailed-exitcode']), cli(['apply', EXAMPLE_MANIFEST, '--yes', '--json'])]);
    assert.equal(p.code, 0, p.stdout);
    assert.match(p.stdout, /No changes\. The tenant matches the manifests\./);
    assert.equal(a.code, 0);
    assert.deepEqual(JSON.parse(a.stdout).results, []);
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), []);
  });

  /** Three more commands at once: they touch different files, and only the read-only client tries to write. */
  describe('output and failures', () => {
    let runs: Record<'output' | 'unknownApi' | 'readOnly', CliRun>;
    let original: string;
    let outputWrites: ReturnType<typeof graphWrites>;
    before(async () => {
      const file = join(cwd, 'out/todolist-daemon.env');
      original = readFileSync(file, 'utf8');
      rmSync(file);
      const unknownApi = join(cwd, 'unknown-api.yaml');
      writeFileSync(unknownApi, readFileSync(EXAMPLE_MANIFEST, 'utf8').replace('      - api: api\n', '      - api: Contoso Payroll API\n'));
      const readOnly = await readOnlyClient(emu);
      secrets.push(readOnly.secret);
      const otherStack = join(cwd, 'other-stack.yaml');
      writeFileSync(
        otherStack,
        readFileSync(EXAMPLE_MANIFEST, 'utf8')
          .replace(/^stack: todolist-daemon$/m, 'stack: read-only-ci')
          .replace('out/todolist-daemon.env', 'out/read-only.env'),
      );
      const mark = emu.requestLog.mark();
      const [output, unknown, ro] = await Promise.all([
        cli(['output', EXAMPLE_MANIFEST]),
        cli(['plan', unknownApi, '--detailed-exitcode']),
        runCli(['apply', otherStack, '--yes', ...remoteArgs(emu)], { cwd, env: credentialEnv(emu, readOnly.appId, readOnly.secret) }),
      ]);
      runs = { output, unknownApi: unknown, readOnly: ro };
      outputWrites = graphWrites(emu.requestLog.since(mark)).filter((w) => w.status < 400);
    });

    it('output re-renders the config file from the tenant and the stored secret', () => {
      const r = runs.output;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'wrote out/todolist-daemon.env\n');
      const file = join(cwd, 'out/todolist-daemon.env');
      assert.equal(readFileSync(file, 'utf8'), original);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(outputWrites, [], 'no successful Graph write');
    });

    it('plan --detailed-exitcode exits 1 on an error (an API that is not in the tenant)', () => {
      const r = runs.unknownApi;
      assert.equal(r.code, 1);
      // Located in the manifest like a validation problem, then the one-line summary (issue 14).
      assert.match(r.stderr, / {2}error {2}unresolved-api {2}Application "\w+" asks for permissions on "Contoso Payroll API", but the tenant has no API/);
      assert.match(r.stderr, /error \[RESOLVE_FAILED\] A name in the manifests does not resolve in the tenant/);
      assert.doesNotMatch(r.stderr, STACK_LINE);
    });

    it('a Graph permission failure reaches the user as the Graph code plus the next step', () => {
      const r = runs.readOnly;
      assert.equal(r.code, 1);
      const text = r.stdout + r.stderr;
      assert.match(
        text,
        /failed app:read-only-ci\/api: Cannot create application read-only-ci--api: Microsoft Graph answered 403 Authorization_RequestDenied; the signed-in identity lacks Application\.ReadWrite\.OwnedBy or Application\.ReadWrite\.All\. Grant it that application permission with admin consent/,
      );
      assert.match(text, /fix the cause and re-run apply/);
      assert.doesNotMatch(text, STACK_LINE);
      assert.equal(existsSync(join(cwd, 'out/read-only.env')), false);
    });
  });

  it('no client secret ever appears in stdout, stderr or --json of any command', () => {
    assert.ok(transcript.length >= 12 && secrets.length === 3 && secrets.every((s) => s && s.length >= 16));
    for (const run of transcript) {
      for (const s of secrets) assert.ok(!run.stdout.includes(s) && !run.stderr.includes(s), 'a secret was printed');
    }
  });
});

/** A CI identity that may read applications but not write them (Application.Read.All + Organization.Read.All). */
async function readOnlyClient(emu: Emulator): Promise<{ appId: string; secret: string }> {
  const admin = graphClient(emu);
  const { app, sp } = await createAppWithSp(emu, admin);
  const pwd = (await admin.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'ci' } })) as PasswordCredential;
  const graphSp = await msGraphSp(admin);
  for (const role of ['Application.Read.All', 'Organization.Read.All']) {
    await admin
      .api(`/servicePrincipals/${graphSp.id}/appRoleAssignedTo`)
      .post({ principalId: sp.id, resourceId: graphSp.id, appRoleId: roleId(graphSp, role) });
  }
  settle(emu);
  return { appId: app.appId!, secret: pwd.secretText! };
}
