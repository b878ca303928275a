import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apply } from '../../src/index.js';
import { verify } from '../../src/verify/index.js';
import { childEnv, REPO_ROOT } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, variant } from '../helpers/engine.js';

/**
 * examples/daemon and examples/web-api, run as real processes against the emulator with the config file
 * `tenantform apply` wrote: the daemon gets 200 with its roles; once the manifest no longer grants them
 * (and apply removed the assignments), the same daemon gets 403 from the API.
 */
const WEB_API = join(REPO_ROOT, 'examples/web-api/server.mjs');
const DAEMON = join(REPO_ROOT, 'examples/daemon/index.mjs');

function node(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [script], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

function runDaemon(
  env: Record<string, string>,
): Promise<{ code: number | null; out: { status: number; body: { roles?: string[]; caller?: string; idtyp?: string; error?: string } }; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = node(DAEMON, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({ code, out: JSON.parse(stdout.trim().split('\n').pop() ?? ''), stderr });
      } catch {
        reject(new Error(`daemon printed no JSON (exit ${code}): ${stdout} ${stderr}`));
      }
    });
  });
}

describe('examples: daemon → web API with the written config', () => {
  let api: ChildProcess | undefined;
  let apiUrl: string;
  let opts: ReturnType<typeof engineOptions>;
  let env: Record<string, string>;
  // Registered first, so it runs before the emulator's own after hook closes it.
  after(async () => {
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api!.once('exit', r));
      api.kill('SIGTERM');
      await exited;
    }
  });
  const emu = useEmulator();

  before(async () => {
    opts = engineOptions(emu);
    assert.ok((await apply(opts)).ok);
    await assertConverged(emu, opts);
    env = { CONFIG: join(opts.cwd!, 'out/todolist-daemon.env'), NODE_EXTRA_CA_CERTS: emu.caFile };
    api = node(WEB_API, { ...env, PORT: '0' });
    apiUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`web API did not start: ${err}`)), 20_000);
      api!.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      api!.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      api!.once('exit', (code) => reject(new Error(`web API exited ${code}: ${err}`)));
    });
  });

  it('the web API refuses a request without a token (401)', async () => {
    const res = await fetch(`${apiUrl}/todolist`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('the daemon gets 200 with the roles the manifest grants', async () => {
    const r = await runDaemon({ ...env, API_URL: apiUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out.status, 200);
    assert.deepEqual(r.out.body.roles?.sort(), ['ToDoList.Read.All', 'ToDoList.ReadWrite.All']);
    assert.equal(r.out.body.idtyp, 'app');
    assert.equal(r.out.body.caller, (await import('../helpers/engine.js')).readDotenv(env.CONFIG).CLIENT_ID);
    assert.ok((await verify(opts)).ok);
  });

  it('after the permission leaves the manifest and apply revokes it, the daemon gets 403', async () => {
    const file = variant(opts.cwd!, (y) => y.replace(/ {4}permissions:\n(?: {6}.*\n)+/, ''), 'no-permission.yaml');
    const revoked = { ...opts, manifests: [file] };
    const r = await apply(revoked);
    assert.ok(r.ok);
    assert.ok(r.results.some((x) => x.action === 'delete-app-role-assignment'));
    await assertConverged(emu, revoked);
    const d = await runDaemon({ ...env, API_URL: apiUrl });
    assert.equal(d.code, 1);
    assert.equal(d.out.status, 403);
    assert.equal(d.out.body.error, 'insufficient_roles');
    assert.deepEqual(d.out.body.roles, []);
    // verify with the ORIGINAL manifest (which still asks for the roles) says the same, with the way back.
    const v = await verify(opts);
    const roles = v.checks.find((c) => c.check === 'roles');
    assert.equal(roles?.ok, false);
    assert.equal(roles?.diagnosis?.code, 'admin-consent-missing');
  });
});
