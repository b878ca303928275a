// `npm test` builds before it tests, so it never runs stale code:
//   - dist/ (npm run build): what the tests' child processes run (node dist/cli/main.js), as installed;
//   - build/: src/, test/ and bench/ compiled (type-checking them all, as `npm run typecheck` does), from a clean
//     folder so a deleted test never runs from a stale build. The test files run compiled: tsx would transpile
//     every file's imports again, ~1.5 s of CPU per test file.
// The two compilers run side by side (each is single-threaded).
import { spawn } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const run = (cmd, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });

rmSync('build', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
await Promise.all([run(npm, ['run', 'build', '--silent']), run(process.execPath, [tsc, '-p', 'tsconfig.test.json'])]);
// tsc does not copy JSON data files that are read at run time (as scripts/copy-assets.mjs does for dist/).
cpSync('src/emulator/data', 'build/src/emulator/data', { recursive: true });
