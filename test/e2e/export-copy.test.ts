import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { apply, exportStack, isTenantformError, type CommonOptions } from '../../src/index.js';
import { verify } from '../../src/verify/index.js';
import { credentialEnv, remoteArgs, runCli } from '../helpers/cli-engine.js';
import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import { clientWithRoles, settle } from '../helpers/directory.js';
import { graphClient, secretCredential, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions } from '../helpers/engine.js';
import { appByUniqueName, writesDuring } from '../helpers/teardown.js';

/**
 * Exporting a stack tenantform made (the one `npm start` applies) into a new stack name: its applications
 * belong to their stack, so the file is a template — applied to an empty tenant it converges and the daemon
 * gets a working token. And the CLI: stdout, --out, --force, --json, the printed import command, refusals.
 */
describe('export: the example stack as a template for an empty tenant', () => {
  let source: CommonOptions;
  let api: string;
  let daemon: string;
  const emu = useEmulator();
  const empty = useEmulator();
  before(async () => {
    source = engineOptions(emu);
    assert.ok((await apply(source)).ok);
    await assertConverged(emu, source);
    api = (await appByUniqueName(emu, 'todolist-daemon--api'))!.appId!;
    daemon = (await appByUniqueName(emu, 'todolist-daemon--daemon'))!.appId!;
  });

  it('keeps the keys its uniqueNames name, its own secret as a manifest entry, and says it cannot be adopted', async () => {
    const file = join(source.cwd!, 'copy.yaml');
    const { value: r, writes } = await writesDuring(emu, () =>
      exportStack({ ...source, stack: 'todolist-copy', filter: "tags/any(t:t eq 'tenantform:stack=todolist-daemon')", out: file }),
    );
    assert.deepEqual(writes, [], 'export only reads');
    assert.deepEqual(
      r.apps.map((a) => [a.key, a.adoptable]),
      [
        ['api', false],
        ['daemon', false],
      ],
    );
    assert.equal(r.importCommand, undefined);
    assert.ok(r.warnings.some((w) => /^api: belongs to stack "todolist-daemon": it cannot be adopted into stack todolist-copy/.test(w)));
    const text = readFileSync(file, 'utf8');
    assert.match(text, /secrets:\n\s+- name: main\n/, "tenantform's own secret (180d, the default) is in the manifest");
    assert.match(text, /roles: \[ToDoList\.Read\.All, ToDoList\.ReadWrite\.All\]/);

    // Applied to an empty tenant: it converges, and the daemon gets a token its API accepts.
    const copy = { ...engineOptions(empty, { manifests: [file] }) };
    const applied = await apply(copy);
    assert.ok(applied.ok, JSON.stringify(applied.results.filter((x) => x.status !== 'done')));
    await assertConverged(empty, copy);
    const v = await verify(copy);
    assert.ok(
      v.ok,
      JSON.stringify(
        v.checks.filter((c) => !c.ok),
        null,
        1,
      ),
    );
  });

  it("a stack's generated certificate, exported on the machine that holds its key: nothing pending after adoption", async () => {
    const cwd = source.cwd!;
    const manifest = join(cwd, 'certs.yaml');
    writeFileSync(
      manifest,
      [
        'stack: certs',
        'applications:',
        '  worker:',
        '    displayName: certs-worker',
        '    certificates:',
        '      - name: main',
        '        generate: { subject: CN=certs-worker }',
        '',
      ].join('\n'),
    );
    const opts = { ...source, manifests: [manifest] };
    assert.ok((await apply(opts)).ok);
    settle(emu);
    const r = await exportStack({ ...source, stack: 'certs', filter: "tags/any(t:t eq 'tenantform:stack=certs')" });
    assert.match(r.text, /certificates:\n\s+- name: main\n\s+generate:/);
    assert.deepEqual(r.pendingChanges, [], 'the certificate store of this machine holds its key: no rotation');
  });

  it('a read-only identity is enough (Application.Read.All)', async () => {
    const reader = await clientWithRoles(emu, graphClient(emu), ['Application.Read.All']);
    const secret = (await graphClient(emu)
      .api(`/applications/${reader.app.id}/addPassword`)
      .post({ passwordCredential: { displayName: 'reader' } })) as PasswordCredential;
    settle(emu);
    const r = await exportStack({
      ...source,
      credential: secretCredential(emu, reader.app.appId!, secret.secretText!),
      stack: 'todolist-daemon',
      apps: [api, daemon],
    });
    assert.deepEqual(
      r.apps.map((a) => a.key),
      ['api', 'daemon'],
    );
    assert.deepEqual(r.pendingChanges, []);
  });

  it('--adopt refuses what import refuses (another stack owns them) and changes nothing in the tenant', async () => {
    const file = join(source.cwd!, 'adopt-refused.yaml');
    const { writes } = await writesDuring(emu, () =>
      assert.rejects(exportStack({ ...source, stack: 'todolist-copy', apps: [api], out: file, adopt: true }), (e) => {
        assert.ok(isTenantformError(e) && e.code === 'CONFLICT', String(e));
        assert.match(e.message, /already has uniqueName todolist-daemon--api; Graph never changes a uniqueName/);
        return true;
      }),
    );
    assert.deepEqual(writes, []);
    assert.ok(existsSync(file), 'the manifest is written before adoption is attempted');
  });

  describe('the CLI', () => {
    const cli = (args: string[], cwd = source.cwd!) => runCli(['export', ...args, ...remoteArgs(emu)], { cwd, env: credentialEnv(emu) });

    it('prints the manifest alone on stdout; warnings and the next step go to stderr', async () => {
      const r = await cli(['--stack', 'todolist-daemon', '--app', api, '--app', 'ciam-client-app']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^# yaml-language-server: \$schema=/);
      assert.match(r.stdout, /^stack: todolist-daemon$/m);
      // Its own stack: the derived ids need not be written, the apps are adoptable (already adopted: a no-op).
      assert.doesNotMatch(r.stdout, /^\s+id: /m);
      assert.match(r.stderr, new RegExp(`Next, to let apply manage them: tenantform import <file> --app api=${api} --app daemon=${daemon}`));
      assert.doesNotMatch(r.stderr, /owners could not be read/, 'the emulator serves /applications/{id}/owners');
    });

    it('--out writes the file and refuses to overwrite it without --force; --json is one document', async () => {
      const file = 'out/exported.yaml';
      const first = await cli(['--stack', 'todolist-daemon', '--app', api, '--out', file]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^Wrote out\/exported\.yaml: stack todolist-daemon, 1 application \(api\)\./);
      writeFileSync(join(source.cwd!, file), 'mine\n');
      const refused = await cli(['--stack', 'todolist-daemon', '--app', api, '--out', file]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /\[USAGE\] out\/exported\.yaml already exists; .*--force/);
      assert.equal(readFileSync(join(source.cwd!, file), 'utf8'), 'mine\n');
      const forced = await cli(['--stack', 'todolist-daemon', '--app', api, '--out', file, '--force', '--json']);
      assert.equal(forced.code, 0, forced.stderr);
      const doc = JSON.parse(forced.stdout) as { ok: boolean; command: string; file: string; apps: Array<{ key: string }>; importCommand: string };
      assert.deepEqual([doc.ok, doc.command, doc.file, doc.apps.map((a) => a.key)], [true, 'export', file, ['api']]);
      assert.equal(doc.importCommand, `tenantform import ${file} --app api=${api}`);
      assert.match(readFileSync(join(source.cwd!, file), 'utf8'), /^stack: todolist-daemon$/m);
    });

    it('--adopt without a terminal and without --yes is refused before anything is read or written', async () => {
      const r = await cli(['--stack', 'x', '--app', api, '--adopt', '--out', 'x.yaml']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /\[CONFIRMATION_REQUIRED\] .*--yes/);
      assert.ok(!existsSync(join(source.cwd!, 'x.yaml')));
    });
  });

  it('--owned-by-me: the applications the acting app identity owns (its ownedObjects)', async () => {
    const r = await exportStack({ ...source, stack: 'mine', ownedByMe: true });
    assert.match(r.text, /^ {4}displayName: ciam-ToDoList-api$/m);
    assert.match(r.text, /^ {4}displayName: ciam-client-app$/m);
  });

  it('refuses, with the next step: no selection, a bad stack name, --adopt without --out, a bad --filter, an unknown name', async () => {
    const cases: Array<[Partial<Parameters<typeof exportStack>[0]>, string, RegExp]> = [
      [{}, 'USAGE', /^Choose the applications to export: --app/],
      [{ stack: 'Not_A_Stack', apps: [api] }, 'USAGE', /^--stack "Not_A_Stack" is not a stack name/],
      [{ apps: [api], adopt: true }, 'USAGE', /^--adopt needs --out <file>/],
      [{ filter: 'displayName eq' }, 'USAGE', /^Microsoft Graph refused --filter "displayName eq"/],
      [{ apps: ['no such app'] }, 'RESOLVE_FAILED', /^No application named "no such app"/],
      [{ apps: ['00000000-0000-0000-0000-00000000abcd'] }, 'RESOLVE_FAILED', /^No application with appId/],
    ];
    for (const [o, code, message] of cases) {
      await assert.rejects(exportStack({ ...source, stack: 'x', ...o }), (e) => {
        assert.ok(isTenantformError(e), String(e));
        assert.equal(e.code, code, e.message);
        assert.match(e.message, message);
        return true;
      });
    }
  });
});
