// `npm test` builds before it tests, so it never runs stale code. The suite is CPU-bound on 2 cores, so the
// build does each piece of work once, in two jobs side by side:
//   - tsc --noEmit: src/, test/ and bench/ type-checked together, as `npm run typecheck` does (the .d.ts
//     files are `npm run build`'s; no test reads them);
//   - esbuild: dist/ (scripts/bundle.mjs: the CLI the tests' child processes run, as installed, and the
//     library), then every test file bundled with what it imports into build/ (one shared set of chunks):
//     compiled file by file, a test file loaded ~900 modules (the emulator, @azure/identity, the Graph client)
//     before its first test, ~1.2 s of CPU each; then, with --lint, `npm run lint` (it reads only the sources).
// build/ is made from a clean folder so a deleted test never runs from a stale build.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { NODE_BUNDLE } from './esbuild-options.mjs';

const run = (cmd, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
const node = (...args) => run(process.execPath, args);

rmSync('build', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const testsIn = (d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
// The unit and emulator tests each run as ONE process (build/test/unit.test.js, build/test/emulator.test.js: an
// entry that imports every file of the folder), the e2e files one process each. A process per small file cost
// ~0.5 s of CPU in start-up and in loading the same chunks again, 56 times; the e2e files are few, heavy and
// start child processes, and run side by side. One process per folder also proves those tests independent of
// each other's module state.
const grouped = ['unit', 'emulator'];
const groupEntries = {
  name: 'test-groups',
  setup(b) {
    b.onResolve({ filter: /^test-group:/ }, (a) => ({ path: a.path.slice('test-group:'.length), namespace: 'test-group' }));
    b.onLoad({ filter: /.*/, namespace: 'test-group' }, (a) => ({
      contents: testsIn(`test/${a.path}`)
        .map((f) => `import './${f}';`)
        .join('\n'),
      resolveDir: join(process.cwd(), 'test', a.path),
      loader: 'ts',
    }));
  },
};
const bundleTests = () =>
  build({
    ...NODE_BUNDLE,
    entryPoints: [
      ...grouped.map((g) => ({ in: `test-group:${g}`, out: `test/${g}.test` })),
      ...testsIn('test/e2e').map((f) => ({ in: join('test/e2e', f), out: join('test/e2e', f.replace(/\.ts$/, '')) })),
    ],
    outdir: 'build',
    plugins: [groupEntries],
  });

try {
  await Promise.all([
    node(tsc, '-p', 'tsconfig.test.json', '--noEmit'),
    node('scripts/bundle.mjs')
      .then(bundleTests)
      .then(() => (process.argv.includes('--lint') ? run(npm, ['run', 'lint', '--silent']) : undefined)),
  ]);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
