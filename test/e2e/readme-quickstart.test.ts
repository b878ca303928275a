/**
 * The README's quick start as a new user follows it (issue 14): its first command verbatim (`npm start`, after the
 * `npm ci` the clone already had) in a fresh folder holding the repository's manifests and built CLI, against the
 * embedded local tenant. It must end with a token that carries both roles — the README's promise, proven by the
 * `tenantform verify` that `npm start` runs — and a second run changes nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { childEnv, REPO_ROOT } from '../helpers/cli.js';
import { freePort, STACK_LINE, tempCwd } from '../helpers/cli-engine.js';

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not finish in 60 s:\n${out}`));
    }, 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('README quick start', () => {
  it('`npm start` applies the example, proves a token with both roles, and changes nothing the second time', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = block
      .split('\n')
      .map((l) => l.replace(/#.*$/, '').trim())
      .filter(Boolean);
    assert.deepEqual(commands, ['npm ci && npm start', 'npm test'], 'the quick start is exactly two commands');

    // A fresh clone after `npm ci`: the package, its manifests, the installed dependencies and the built CLI.
    const dir = tempCwd('tenantform-quickstart-');
    cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
    cpSync(join(REPO_ROOT, 'manifests'), join(dir, 'manifests'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    symlinkSync(join(REPO_ROOT, 'dist'), join(dir, 'dist'));
    const env: NodeJS.ProcessEnv = { ...childEnv(), TENANTFORM_LOCAL_PORT: String(await freePort()) };
    for (const k of Object.keys(env)) if (k.startsWith('AZURE_') || (k.startsWith('TENANTFORM_') && k !== 'TENANTFORM_LOCAL_PORT')) delete env[k];

    const start = commands[0].replace(/^npm ci && /, '');
    const first = await run(start, dir, env);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /roles\s+ok\s+ToDoList\.Read\.All ToDoList\.ReadWrite\.All/);
    assert.match(first.out, /All 11 checks passed\./);
    assert.doesNotMatch(first.out, STACK_LINE);
    const env0600 = statSync(join(dir, 'out/todolist-daemon.env')).mode & 0o777;
    assert.equal(env0600, 0o600);

    const second = await run(start, dir, env);
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /[Nn]o changes|[Nn]othing to (do|change)|up to date/);
    assert.match(second.out, /All 11 checks passed\./);
  });
});
