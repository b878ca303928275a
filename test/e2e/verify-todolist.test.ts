import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { apply, type ApplyOptions } from '../../src/index.js';
import { verify, type VerifyOptions, type VerifyResult } from '../../src/verify/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, readDotenv, settle, variant } from '../helpers/engine.js';

const rows = (r: VerifyResult) => r.checks.map((c) => `${c.check}:${c.ok ? 'ok' : 'FAIL'}`);

/** Replication lag of the second apply: long on purpose, so only the emulator clock (moved by verify's waits) ends it. */
const LAG_MS = 300_000;

describe('verify: the example daemon → web API stack', () => {
  const emu = useEmulator();

  it('right after apply, waits (visibly, bounded) for a new secret, then for a new assignment, and passes every check', async () => {
    const opts = engineOptions(emu);
    const oneRole = (y: string) => y.replace('roles: [ToDoList.Read.All, ToDoList.ReadWrite.All]', 'roles: [ToDoList.Read.All]');
    const newSecret = (y: string) => y.replace('- name: main', '- name: next');
    // First the stack with one role and secret "main", fully replicated.
    const first = { ...opts, manifests: [variant(opts.cwd!, oneRole, 'one-role.yaml')] };
    assert.ok((await apply(first)).ok);
    await assertConverged(emu, first);

    /** apply --verify while reads (the token service's too) lag far behind the writes; each verify wait moves the clock on. */
    const applyAndVerify = async (manifest: string) => {
      emu.faults.options.replicationLagMs = LAG_MS;
      const lines: string[] = [];
      const sleep = async (ms: number) => {
        emu.clock.advance(LAG_MS / 4);
        await new Promise((r) => setTimeout(r, Math.min(ms, 5)));
      };
      try {
        const o = { ...opts, manifests: [manifest] };
        const applied = await apply({ ...o, verify: true, progress: (l: string) => lines.push(l), sleep, now: () => emu.clock.now() } as ApplyOptions &
          VerifyOptions);
        assert.ok(applied.ok, JSON.stringify(applied.results.filter((x) => x.status !== 'done')));
        await assertConverged(emu, o);
        return { r: applied.verify!, progress: lines.filter((l) => l.startsWith('verify ')) };
      } finally {
        emu.faults.options.replicationLagMs = 0;
      }
    };

    // A rotated secret: AADSTS7000215 until it replicates.
    const a = await applyAndVerify(variant(opts.cwd!, (y) => newSecret(oneRole(y)), 'next-secret.yaml'));
    assert.ok(
      a.r.ok,
      JSON.stringify(
        a.r.checks.filter((c) => !c.ok),
        null,
        1,
      ),
    );
    assert.ok(
      a.progress.length > 0 &&
        a.progress.every((l) => /^verify todolist-daemon\/daemon → todolist-daemon\/api: waiting [\d.]+ s, the new client secret .*\(AADSTS7000215\)$/.test(l)),
      a.progress.join('\n'),
    );

    // A second role granted: a token without it until the assignment replicates.
    const b = await applyAndVerify(variant(opts.cwd!, newSecret, 'two-roles.yaml'));
    const r = b.r;
    assert.ok(
      r.ok,
      JSON.stringify(
        r.checks.filter((c) => !c.ok),
        null,
        1,
      ),
    );
    assert.ok(
      b.progress.length > 0 && b.progress.every((l) => /waiting [\d.]+ s, the granted app roles are not in the token yet/.test(l)),
      b.progress.join('\n'),
    );
    assert.deepEqual(rows(r), [
      'graph-read:ok',
      'credential:ok',
      'config:ok',
      'token:ok',
      'signature:ok',
      'issuer:ok',
      'audience:ok',
      'tenant:ok',
      'version:ok',
      'roles:ok',
      'idtyp:ok',
    ]);
    const byCheck = Object.fromEntries(r.checks.map((c) => [c.check, c.detail]));
    assert.match(byCheck.credential, /secret from out\/todolist-daemon\.env:CLIENT_SECRET/);
    assert.equal(byCheck.roles, 'ToDoList.Read.All ToDoList.ReadWrite.All');
    assert.match(byCheck.version, /ver 2\.0/);
    assert.equal(r.tenant.id, emu.tenantId);
    // Nothing secret in the result.
    const secret = readDotenv(`${opts.cwd}/out/todolist-daemon.env`).CLIENT_SECRET;
    assert.ok(!JSON.stringify([a.r, b.r]).includes(secret));
    assert.ok(!readFileSync(`${opts.cwd}/out/todolist-daemon.env`, 'utf8').includes('eyJ'));
  });

  it('passes at once when everything has replicated', async () => {
    settle(emu);
    const opts = engineOptions(emu);
    await apply(opts);
    settle(emu);
    const r = await verify({ ...opts, now: () => emu.clock.now() });
    assert.ok(r.ok, JSON.stringify(r.checks.filter((c) => !c.ok)));
    assert.ok(r.waitedMs < 1000);
  });

  it('judges the dotenv file by what Node reads: an escape apps misread fails, a comment Node skips passes', async () => {
    settle(emu);
    const opts = engineOptions(emu);
    assert.ok((await apply(opts)).ok);
    settle(emu);
    const file = `${opts.cwd}/out/todolist-daemon.env`;
    const written = readFileSync(file, 'utf8');
    const id = readDotenv(file).CLIENT_ID;
    const withClientId = (line: string) => writeFileSync(file, written.replace(`CLIENT_ID=${id}\n`, `${line}\n`));
    // JSON.parse (the old reader) reads "\u0036…" as the client id; Node, and so the daemon, reads \u0036 literally.
    withClientId(`CLIENT_ID="\\u${id.charCodeAt(0).toString(16).padStart(4, '0')}${id.slice(1)}"`);
    const bad = await verify({ ...opts, now: () => emu.clock.now() });
    assert.equal(bad.checks.find((c) => c.check === 'config')?.diagnosis?.code, 'stale-config', JSON.stringify(bad.checks));
    // Quoted, with a comment after it: Node reads the client id (the old reader kept the quotes and the comment).
    withClientId(`CLIENT_ID='${id}' # the daemon`);
    const good = await verify({ ...opts, now: () => emu.clock.now() });
    assert.ok(good.ok, JSON.stringify(good.checks.filter((c) => !c.ok)));
  });
});
