/**
 * Changing fault rules while the emulator runs: the admin endpoint /_emulator/faults (HTTP Basic with the admin
 * client) in process, and `tenantform emulator --fault` / TENANTFORM_EMULATOR_FAULTS in a child process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FaultRuleInfo } from '../../src/emulator/index.js';
import { childEnv, MAIN, remoteEmulator, startCliEmulator, type CliEmulator } from '../helpers/cli.js';
import { graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import { tempDir } from '../helpers/temp.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('fault admin endpoint /_emulator/faults', () => {
  const emu = useEmulator();
  const admin = (method: string, path = '/_emulator/faults', body?: unknown, auth = basic(emu.adminClientId, emu.adminClientSecret)) =>
    rawFetch(emu, path, {
      method,
      headers: { Authorization: auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('refuses requests without the admin client credentials (401, WWW-Authenticate: Basic), and logs no admin traffic', async () => {
    const mark = emu.requestLog.mark();
    const none = await rawFetch(emu, '/_emulator/faults');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic /);
    assert.equal((await admin('GET', undefined, undefined, basic(emu.adminClientId, 'wrong'))).status, 401);
    // A Graph bearer token is not the admin credential either.
    assert.equal((await rawFetch(emu, '/_emulator/faults', { token: await graphToken(emu) })).status, 401);
    assert.deepEqual(
      emu.requestLog.since(mark).filter((e) => e.path.startsWith('/_emulator')),
      [],
    );
  });

  it('adds (spec or rule object), lists with counters, removes one, clears all — taking effect on the next request', async () => {
    const token = await graphToken(emu);
    const added = await admin('POST', undefined, { spec: 'GET:/organization:nth=1:503:retry-after=0' });
    assert.equal(added.status, 201);
    const rule = (await added.json()) as FaultRuleInfo;
    assert.deepEqual([rule.method, rule.path, rule.kind, rule.nth, rule.seen, rule.fired], ['GET', '/organization', '503', 1, 0, 0]);
    const regex = (await (await admin('POST', undefined, { kind: '500', method: 'GET', pathRegex: '/subscribedSkus$' })).json()) as FaultRuleInfo;
    assert.equal(regex.path, '/\\/subscribedSkus$/i');

    assert.equal((await rawFetch(emu, '/v1.0/organization', { token })).status, 503);
    assert.equal((await rawFetch(emu, '/v1.0/organization', { token })).status, 200);
    const listed = (await (await admin('GET')).json()) as { value: FaultRuleInfo[] };
    assert.deepEqual(
      listed.value.map((r) => [r.id, r.seen, r.fired]),
      [
        [rule.id, 2, 1],
        [regex.id, 0, 0],
      ],
    );
    assert.equal((await admin('DELETE', `/_emulator/faults/${rule.id}`)).status, 204);
    assert.equal((await admin('DELETE', `/_emulator/faults/${rule.id}`)).status, 404);
    assert.deepEqual(
      emu.faults.list().map((r) => r.id),
      [regex.id],
    );
    assert.equal((await admin('DELETE')).status, 204);
    assert.deepEqual(emu.faults.list(), []);
  });

  it('answers 400 with the reason for a bad rule, 405/404 for other methods and paths', async () => {
    const bad = await admin('POST', undefined, { spec: 'POST:/applications:nth=0:503' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /nth must be an integer ≥ 1, got "0"/);
    const badObject = await admin('POST', undefined, { kind: '503', probability: 3 });
    assert.equal(badObject.status, 400);
    assert.match(((await badObject.json()) as { error: { message: string } }).error.message, /probability must be between 0 and 1/);
    assert.equal((await admin('PUT')).status, 405);
    assert.equal((await admin('GET', '/_emulator/other')).status, 404);
  });
});

describe('tenantform emulator --fault (CLI)', () => {
  const running: CliEmulator[] = [];
  after(() => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  });

  it('--fault rules (repeatable) reach the running emulator; the admin endpoint answers on its port', async () => {
    const cli = await startCliEmulator(['--memory', '--port', '0', '--fault', 'GET:/organization:nth=1:503', '--fault', 'token:aadsts=50196:times=1']);
    running.push(cli);
    const emu = remoteEmulator(cli.line);
    const listed = await rawFetch(emu, '/_emulator/faults', { headers: { Authorization: basic(cli.line.adminClientId, cli.line.adminClientSecret) } });
    assert.deepEqual(
      ((await listed.json()) as { value: FaultRuleInfo[] }).value.map((r) => [r.service, r.kind]),
      [
        ['graph', '503'],
        ['login', 'aadsts'],
      ],
    );
    assert.equal(await cli.stop('SIGTERM'), 0);
  });

  it('refuses a bad --fault or TENANTFORM_EMULATOR_FAULTS as a usage error, before anything is written', () => {
    const cwd = tempDir('tenantform-fault-cli-');
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [MAIN, 'emulator', '--port', '0', '--state', 'state/local.json', ...args], {
        cwd,
        env: childEnv(env),
        encoding: 'utf8',
        timeout: 30_000,
      });
    const flag = run(['--fault', 'POST:/applications/*/addPassword:nth=1:commit-then-rest']);
    assert.equal(flag.status, 1);
    assert.match(flag.stderr, /^error \[USAGE\] fault spec "POST:\/applications\/\*\/addPassword:nth=1:commit-then-rest": unknown field "commit-then-rest"/);
    assert.equal(flag.stdout.trim(), '');
    const fromEnv = run([], { TENANTFORM_EMULATOR_FAULTS: 'GET:/organization:p=5:503' });
    assert.equal(fromEnv.status, 1);
    assert.match(
      fromEnv.stderr,
      /error \[USAGE\] fault spec "GET:\/organization:p=5:503": p must be a number between 0 and 1, got "5" \(--fault or TENANTFORM_EMULATOR_FAULTS\)/,
    );
    assert.equal(existsSync(join(cwd, 'state')), false, 'no state file or TLS key');
  });
});
