// `npm test` builds before it tests, so it never runs stale code. The suite is CPU-bound on 2 cores, so the
// build does each piece of work once, in three jobs side by side:
//   - tsc: the library (dist/*.js and *.d.ts, tsconfig.json);
//   - tsc --noEmit: src/, test/ and bench/ type-checked together, as `npm run typecheck` does;
//   - esbuild: the CLI bundle (scripts/bundle-cli.mjs, what the tests' child processes run, as installed),
//     then every test file bundled with what it imports into build/ (one shared set of chunks): compiled
//     file by file, a test file loaded ~900 modules (the emulator, @azure/identity, the Graph client) before
//     its first test, ~1.2 s of CPU each; then, with --lint, `npm run lint` (it reads only the sources).
// build/ is made from a clean folder so a deleted test never runs from a stale build.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

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
const testFiles = ['test/unit', 'test/emulator', 'test/e2e'].flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(d, f)),
);
const bundleTests = () =>
  build({
    entryPoints: testFiles,
    outdir: 'build',
    outbase: '.',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    // As for the CLI (scripts/bundle-cli.mjs): ES module builds where packages ship one, and require() for the
    // bundled CommonJS packages.
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __tenantformRequire } from 'node:module'; const require = __tenantformRequire(import.meta.url);" },
    logLevel: 'warning',
  });

try {
  await Promise.all([
    node(tsc, '-p', 'tsconfig.json'),
    node(tsc, '-p', 'tsconfig.test.json', '--noEmit'),
    node('scripts/bundle-cli.mjs')
      .then(bundleTests)
      .then(() => (process.argv.includes('--lint') ? run(npm, ['run', 'lint', '--silent']) : undefined)),
  ]);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
