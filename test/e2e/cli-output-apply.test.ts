import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { EXAMPLE_MANIFEST, freePort, runCli, tempCwd, type CliRun } from '../helpers/cli-engine.js';
import { readDotenv } from '../helpers/engine.js';
import { HAS_SCRIPT, runInPty } from '../helpers/pty.js';

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * What `apply --yes` shows a CI log (no TTY) and a terminal alike (issue 14, "Output people can read"): the tenant
 * and identity, the plan, one line per change as it completes in words with its duration, one line per retry
 * wait (not one per waiting change) with its reason and the time left, and at the end what was created (names,
 * appIds, object ids) and the files written. The local tenant lags replication (TENANTFORM_EMULATOR_*), so the
 * run has waits to report.
 */
describe('apply --yes output: progress in words, on any stream', () => {
  const setup = async (lagMs: number) => {
    const cwd = tempCwd('tenantform-out-');
    mkdirSync(join(cwd, 'manifests'));
    copyFileSync(EXAMPLE_MANIFEST, join(cwd, 'manifests/todolist-daemon.yaml'));
    // GITHUB_ACTIONS=false: the same lines when these tests themselves run in GitHub Actions (no groups, no job summary).
    const env = { TENANTFORM_LOCAL_PORT: String(await freePort()), TENANTFORM_EMULATOR_REPLICATION_LAG_MS: String(lagMs), GITHUB_ACTIONS: 'false' };
    return { cwd, env };
  };
  let text: CliRun;
  let config: Record<string, string>;
  let first: Awaited<ReturnType<typeof setup>>;
  /** When the first apply ended: its last writes replicate LAG_MS later (their visibility is stored with the tenant). */
  let firstDoneAt = 0;
  const LAG_MS = 1200;

  before(async () => {
    first = await setup(LAG_MS);
    const { cwd, env } = first;
    text = await runCli(['apply', 'manifests/todolist-daemon.yaml', '--yes'], { cwd, env, timeoutMs: 120_000 });
    firstDoneAt = Date.now();
    config = readDotenv(join(cwd, 'out/todolist-daemon.env'));
  });

  it('without a TTY: the tenant line and the plan first, on stdout', () => {
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout.split('\n')[0], /^Tenant [0-9a-f-]{36} \(local emulator tenant\) as tenantform-admin \(/);
    assert.match(text.stdout, /^Plan: 7 to add, 3 to change, 0 to remove\.$/m);
    assert.ok(text.stdout.indexOf('Plan: 7') < text.stdout.indexOf('Applied 10 of 10 changes.'));
  });

  it('one line per completed change, in words with its duration, on stderr (no action ids)', () => {
    const done = text.stderr.split('\n').filter((l) => l.startsWith('  ✓ '));
    assert.equal(done.length, 10, text.stderr);
    for (const l of done) assert.match(l, /  \d+(\.\d)? (ms|s)$/, l);
    assert.ok(
      done.some((l) => /^ {2}✓ created service principal for ciam-ToDoList-api {2}\d/.test(l)),
      text.stderr,
    );
    assert.match(text.stderr, /✓ created application ciam-client-app \(todolist-daemon--daemon\)/);
    assert.match(text.stderr, /✓ granted ToDoList\.Read\.All on ciam-ToDoList-api to ciam-client-app/);
    assert.match(text.stderr, /✓ wrote out\/todolist-daemon\.env/);
    assert.doesNotMatch(text.stderr, /create-service-principal|sp:todolist-daemon|app:todolist-daemon/);
  });

  it('one line per retry wait, with the reason and the time left — not one per waiting change', () => {
    const waits = text.stderr.split('\n').filter((l) => l.includes('waiting'));
    assert.ok(waits.length > 0, `the lagging tenant made the run wait:\n${text.stderr}`);
    for (const w of waits) assert.match(w, /^ {2}… waiting \d+(\.\d)? (ms|s): .*not replicated.*; gives up in \dm \d\ds$/, w);
    // Five changes of wave 1 wait at every step: said once per step, as "(n changes)".
    assert.match(text.stderr, /\(\d changes\)/);
    // Backoff doubles at each step: two lines in a row for the same wait would be one step said twice.
    const lines = text.stderr.split('\n');
    const step = (l: string) => /waiting ([^:]+):/.exec(l)?.[1];
    for (let i = 1; i < lines.length; i++) if (step(lines[i]) && step(lines[i - 1])) assert.notEqual(step(lines[i]), step(lines[i - 1]), text.stderr);
  });

  it('ends with what was created (names, appIds, object ids) and the files written', () => {
    const api = new RegExp(`^created ciam-ToDoList-api \\(todolist-daemon--api\\): appId (${GUID}), object id ${GUID}, service principal ${GUID}$`, 'm');
    const daemon = new RegExp(`^created ciam-client-app \\(todolist-daemon--daemon\\): appId (${GUID}), object id ${GUID}, service principal ${GUID}$`, 'm');
    assert.equal(api.exec(text.stdout)?.[1], config.WEB_API_CLIENT_ID, text.stdout);
    assert.equal(daemon.exec(text.stdout)?.[1], config.CLIENT_ID, text.stdout);
    assert.match(text.stdout, /^wrote out\/todolist-daemon\.env$/m);
    assert.ok(!(text.stdout + text.stderr).includes(config.CLIENT_SECRET), 'the secret is never printed');
  });

  it('--json: the created objects with their ids, every result with its duration; progress on stderr only', async () => {
    const { cwd, env } = await setup(0);
    const r = await runCli(['apply', 'manifests/todolist-daemon.yaml', '--yes', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout) as {
      created: Array<{ app: string; displayName: string; appId: string; objectId: string; servicePrincipalId: string }>;
      results: Array<{ durationMs: number; objects?: { appId: string } }>;
      outputs: string[];
    };
    const ids = readDotenv(join(cwd, 'out/todolist-daemon.env'));
    assert.deepEqual(
      doc.created.map((o) => [o.app, o.displayName, o.appId]),
      [
        ['app:todolist-daemon/api', 'ciam-ToDoList-api', ids.WEB_API_CLIENT_ID],
        ['app:todolist-daemon/daemon', 'ciam-client-app', ids.CLIENT_ID],
      ],
    );
    for (const o of doc.created) {
      assert.match(o.objectId, new RegExp(`^${GUID}$`));
      assert.match(o.servicePrincipalId, new RegExp(`^${GUID}$`));
    }
    assert.ok(doc.results.every((x) => typeof x.durationMs === 'number'));
    assert.deepEqual(doc.outputs, ['out/todolist-daemon.env']);
    assert.match(r.stderr, /✓ created application ciam-ToDoList-api/);
    assert.ok(!(r.stdout + r.stderr).includes(ids.CLIENT_SECRET));
  });

  it('an apply with nothing to do still names the tenant and the identity', async () => {
    // The lag of the first apply's last writes (the admin consent) must have passed, or the plan still sees them missing.
    await new Promise((r) => setTimeout(r, Math.max(0, firstDoneAt + LAG_MS + 100 - Date.now())));
    const r = await runCli(['apply', 'manifests/todolist-daemon.yaml', '--yes'], {
      ...first,
      env: { ...first.env, TENANTFORM_EMULATOR_REPLICATION_LAG_MS: '0' },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^Tenant [0-9a-f-]{36} \(local emulator tenant\) as tenantform-admin \([0-9a-f-]{36}\)\n\nNo changes\. The tenant matches the manifests\.\n$/,
    );
    assert.equal(r.stderr, '');
  });

  it('destroy --yes: the plan, then one line per deletion in words', async () => {
    const r = await runCli(['destroy', 'manifests/todolist-daemon.yaml', '--yes'], {
      ...first,
      env: { ...first.env, TENANTFORM_EMULATOR_REPLICATION_LAG_MS: '0' },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Plan: 0 to add, 0 to change, 7 to remove\.$/m);
    assert.match(r.stderr, /^Destroying 7 changes in 3 waves/m);
    assert.match(r.stderr, /^ {2}✓ revoked ToDoList\.Read\.All on ciam-ToDoList-api from ciam-client-app {2}\d/m);
    assert.match(r.stderr, /^ {2}✓ deleted service principal of ciam-client-app {2}\d/m);
    assert.match(r.stderr, new RegExp(`^ {2}✓ deleted application "ciam-client-app" \\(todolist-daemon--daemon, appId ${config.CLIENT_ID}\\) {2}\\d`, 'm'));
  });

  it('on a terminal: the same lines as in a pipe', { skip: HAS_SCRIPT ? false : 'needs `script` (util-linux)' }, async () => {
    const { cwd, env } = await setup(0);
    const r = await runInPty(['apply', 'manifests/todolist-daemon.yaml', '--yes'], { cwd, env }).done;
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /^Tenant [0-9a-f-]{36} \(local emulator tenant\)/m);
    assert.match(r.output, /^Applying 10 changes in 4 waves \(7 to add, 3 to change, 0 to remove\)$/m);
    assert.match(r.output, /^ {2}✓ created service principal for ciam-client-app {2}\d+(\.\d)? (ms|s)$/m);
    assert.match(r.output, /^created ciam-client-app \(todolist-daemon--daemon\): appId /m);
  });
});
