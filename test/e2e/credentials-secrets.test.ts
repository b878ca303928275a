/**
 * Client secret lifecycle against the emulator: reuse while valid and known, renewal window, forced rotation
 * in the safe order (add → outputs → remove), at most two tool-created secrets per name, foreign secrets never
 * touched, expiry warnings (including credentials the stack does not manage), the optional cache, and
 * GitHub Actions outputs.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Application, PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { Emulator } from '../../src/emulator/index.js';
import { graphWrites } from '../../src/emulator/index.js';
import { apply, output, plan } from '../../src/index.js';
import { graphClient, startEmulator, useEmulator } from '../helpers/emulator.js';
import { assertConverged, daemonToken, engineOptions, readDotenv, settle, variant } from '../helpers/engine.js';

async function passwords(emu: Emulator, appId: string): Promise<PasswordCredential[]> {
  settle(emu);
  const app = (await graphClient(emu).api(`/applications(appId='${appId}')`).select('passwordCredentials').get()) as Application;
  return app.passwordCredentials ?? [];
}

describe('client secrets: reuse, renewal window, forced rotation', () => {
  let opts: ReturnType<typeof engineOptions>;
  let env: Record<string, string>;
  const file = () => join(opts.cwd!, 'out/todolist-daemon.env');
  const emu = useEmulator();
  before(async () => {
    opts = engineOptions(emu);
    assert.ok((await apply(opts)).ok);
    env = readDotenv(file());
  });

  it('a re-apply reuses the current secret while it is valid and known (zero writes)', async () => {
    await assertConverged(emu, opts);
    assert.equal(readDotenv(file()).CLIENT_SECRET, env.CLIENT_SECRET);
  });

  it('--rotate-secrets adds a new secret, rewrites the outputs, then removes the old one', async () => {
    const foreignApp = (await graphClient(emu).api(`/applications(appId='${env.CLIENT_ID}')`).select('id').get()) as Application;
    await graphClient(emu)
      .api(`/applications/${foreignApp.id}/addPassword`)
      .post({ passwordCredential: { displayName: 'made in the portal' } });
    settle(emu);
    const p = (await plan({ ...opts, rotateSecrets: true })).plan;
    const byAction = (a: string) => p.changes.filter((c) => c.action === a);
    assert.equal(byAction('add-secret').length, 1);
    assert.equal(byAction('remove-secret').length, 1, 'only the old tool-created secret goes; the portal one stays');
    const [add, write, remove] = ['add-secret', 'write-output', 'remove-secret'].map((a) => byAction(a)[0]);
    assert.ok(add.wave < write.wave && write.wave < remove.wave);
    assert.ok(remove.dependsOn.includes(write.id));
    const r = await apply({ ...opts, rotateSecrets: true });
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    const rotated = readDotenv(file());
    assert.notEqual(rotated.CLIENT_SECRET, env.CLIENT_SECRET);
    const creds = await passwords(emu, env.CLIENT_ID);
    assert.deepEqual(creds.map((c) => c.displayName).sort(), ['made in the portal', 'tenantform:main']);
    await daemonToken(emu, rotated);
    await assertConverged(emu, opts);
    env = rotated;
  });

  it('rotates when fewer days remain than renewBefore, and warns about it in the plan', async () => {
    // The current secret has ~180 days left; a 200-day window puts it inside.
    const m = variant(opts.cwd!, (y) => y.replace('lifetime: 180d', 'lifetime: 365d\n        renewBefore: 200d'));
    settle(emu);
    const p = (await plan({ ...opts, manifests: [m] })).plan;
    const add = p.changes.find((c) => c.action === 'add-secret');
    assert.ok(add, JSON.stringify(p.changes));
    assert.match(add.reason, /renewal window/);
    assert.ok(
      p.warnings.some((w) => /client secret "tenantform:main".*expires in 1[78]\d days.*this plan replaces it/.test(w)),
      JSON.stringify(p.warnings),
    );
    assert.ok(
      p.warnings.some((w) => /"made in the portal".*not managed by stack todolist-daemon/.test(w)) === false,
      'the portal secret has 2 years left: no warning',
    );
    assert.ok((await apply({ ...opts, manifests: [m] })).ok);
    await assertConverged(emu, { ...opts, manifests: [m] });
  });

  it('warns about credentials the stack does not manage that expire soon (read-only)', async () => {
    const appObject = (await graphClient(emu).api(`/applications(appId='${env.CLIENT_ID}')`).select('id').get()) as Application;
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
    await graphClient(emu)
      .api(`/applications/${appObject.id}/addPassword`)
      .post({ passwordCredential: { displayName: 'legacy', endDateTime: soon } });
    settle(emu);
    const p = (await plan(opts)).plan;
    assert.deepEqual(p.changes, [], 'a foreign credential is reported, never changed');
    assert.ok(
      p.warnings.some((w) => /client secret "legacy".*expires in [45] days.*not managed by stack todolist-daemon/.test(w)),
      p.warnings.join('\n'),
    );
  });
});

describe('the secret cache is optional', () => {
  it('without it, every apply must rotate (the value is unknown) — and still never leaves more than two', async () => {
    const emu = await startEmulator();
    try {
      const opts = { ...engineOptions(emu), secretCache: false };
      assert.ok((await apply(opts)).ok);
      const env = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
      await daemonToken(emu, env);
      const cacheFile = join(opts.cwd!, '.tenantform/secrets', `${emu.tenantId}.json`);
      assert.throws(() => readFileSync(cacheFile), /ENOENT/, 'no cache file is written');
      settle(emu);
      const p = (await plan(opts)).plan;
      assert.deepEqual(p.changes.map((c) => c.action).sort(), ['add-secret', 'remove-secret', 'write-output']);
      assert.ok((await apply(opts)).ok);
      assert.equal((await passwords(emu, env.CLIENT_ID)).length, 1);
      await assert.rejects(output(opts), /OUTPUT_FAILED|unknown/);
      // With the cache back on, the apply after the next one converges.
      const withCache = { ...opts, secretCache: true };
      settle(emu);
      assert.ok((await apply(withCache)).ok);
      await assertConverged(emu, withCache);
    } finally {
      await emu.close();
    }
  });

  it('a lost cache costs a new secret, never a duplicate app or an orphaned credential', async () => {
    const emu = await startEmulator();
    try {
      const opts = engineOptions(emu);
      assert.ok((await apply(opts)).ok);
      rmSync(join(opts.cwd!, '.tenantform'), { recursive: true });
      settle(emu);
      const mark = emu.requestLog.mark();
      assert.ok((await apply(opts)).ok);
      const writes = graphWrites(emu.requestLog.since(mark)).map((w) => `${w.method} ${w.path.replace(/[0-9a-f-]{36}/g, 'ID')}`);
      assert.deepEqual(writes.sort(), ['POST /v1.0/applications/ID/addPassword', 'POST /v1.0/applications/ID/removePassword']);
      await assertConverged(emu, opts);
      const env = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
      assert.equal((await passwords(emu, env.CLIENT_ID)).length, 1);
    } finally {
      await emu.close();
    }
  });
});

describe('GitHub Actions: --github-output', () => {
  it('masks every secret before it could be printed and appends multiline-safe outputs', async () => {
    const emu = await startEmulator();
    try {
      const opts = engineOptions(emu);
      const ghFile = join(opts.cwd!, 'github_output');
      writeFileSync(ghFile, 'earlier=kept\n');
      const lines: string[] = [];
      const r = await apply({ ...opts, githubOutput: { file: ghFile, command: (l) => lines.push(l) } });
      assert.ok(r.ok);
      const env = readDotenv(join(opts.cwd!, 'out/todolist-daemon.env'));
      assert.deepEqual(lines, [`::add-mask::${env.CLIENT_SECRET}`]);
      const text = readFileSync(ghFile, 'utf8');
      assert.ok(text.startsWith('earlier=kept\n'), 'appends, never truncates');
      const parsed = parseGithubOutput(text);
      assert.equal(parsed.CLIENT_SECRET, env.CLIENT_SECRET);
      assert.equal(parsed.CLIENT_ID, env.CLIENT_ID);
      assert.equal(parsed.WEB_API_SCOPE, env.WEB_API_SCOPE);
      // A no-op apply still publishes (CI needs the values every run) and masks first.
      settle(emu);
      const again: string[] = [];
      assert.ok((await apply({ ...opts, githubOutput: { file: ghFile, command: (l) => again.push(l) } })).ok);
      assert.deepEqual(again, [`::add-mask::${env.CLIENT_SECRET}`]);
    } finally {
      await emu.close();
    }
  });
});

/** The runner's parser for $GITHUB_OUTPUT: `k=v` lines and `k<<DELIM` … `DELIM` blocks. */
function parseGithubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const body: string[] = [];
      while (lines[++i] !== heredoc[2]) body.push(lines[i]);
      out[heredoc[1]] = body.join('\n');
    } else if (lines[i].includes('=')) out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
  }
  return out;
}
