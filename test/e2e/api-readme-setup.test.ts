import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { childEnv, REPO_ROOT } from '../helpers/cli.js';
import { freePort, tempCwd } from '../helpers/cli-engine.js';

/** The code blocks of README.md marked `<!-- example: <path> -->`, by path. */
function readmeExamples(): Record<string, string> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)) out[m[1]] = m[2];
  return out;
}

/**
 * The README's global setup/teardown, run exactly as written (only `from 'tenantform'` points at the
 * built package, dist/index.js, as an installed tenantform would): in a fresh ESM project with the example manifest, against the embedded local tenant on a
 * free port. It must provision the stack, pass its config to the test file, and leave nothing behind.
 */
describe('README: the test run global setup and teardown example', () => {
  it('provisions the stack, hands the config to the tests, and destroys it all', async () => {
    const examples = readmeExamples();
    assert.deepEqual(Object.keys(examples).sort(), ['test/global.ts', 'test/todolist.test.ts']);
    const dir = tempCwd('tenantform-readme-');
    mkdirSync(join(dir, 'test'));
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    copyFileSync(join(REPO_ROOT, 'manifests/todolist-daemon.yaml'), join(dir, 'manifests/todolist-daemon.yaml'));
    const api = pathToFileURL(join(REPO_ROOT, 'dist/index.js')).href;
    for (const [file, code] of Object.entries(examples)) writeFileSync(join(dir, file), code.replaceAll("from 'tenantform'", `from '${api}'`));

    const env: NodeJS.ProcessEnv = { ...childEnv(), TENANTFORM_LOCAL_PORT: String(await freePort()), TENANTFORM_STACK_SUFFIX: 'readme' };
    delete env.AZURE_TENANT_ID;
    delete env.NODE_TEST_CONTEXT; // this test runs under node --test; the example is a top-level run of its own
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), 'test/global.ts'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
      const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`the example did not finish: ${out}`))), 90_000);
      child.once('close', (code) => (clearTimeout(timer), resolve({ code, out })));
    });
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /✔ the daemon is registered with a client secret/);
    assert.match(run.out, /pass 1/);

    // Nothing left: no application of the stack, nothing in the recycle bin, no config file, no cached secret.
    const state = JSON.parse(readFileSync(join(dir, '.tenantform/local-tenant.json'), 'utf8')) as {
      applications: Record<string, { value: { tags?: string[] } }>;
      deletedItems: Record<string, unknown>;
    };
    const tagged = Object.values(state.applications).filter((a) => a.value.tags?.includes('tenantform:stack=todolist-daemon-readme'));
    assert.deepEqual(tagged, []);
    assert.deepEqual(state.deletedItems, {});
    assert.ok(!existsSync(join(dir, 'out/todolist-daemon.env')));
    const cache = join(dir, '.tenantform/secrets');
    for (const f of existsSync(cache) ? readdirSync(cache) : []) {
      const stacks = (JSON.parse(readFileSync(join(cache, f), 'utf8')) as { stacks: Record<string, Record<string, unknown>> }).stacks;
      assert.deepEqual(stacks['todolist-daemon-readme'] ?? {}, {});
    }
  });
});
