// `npm test` runs the test files compiled (tsx would transpile every file's imports again, ~1.5 s of CPU per
// test file). Emits src/, test/ and bench/ into build/ (type-checking them all, as `npm run typecheck` does)
// from a clean folder, so a deleted test never runs from a stale build.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

rmSync('build', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.test.json'], { stdio: 'inherit' });
// tsc does not copy JSON data files that are read at run time (as scripts/copy-assets.mjs does for dist/).
cpSync('src/emulator/data', 'build/src/emulator/data', { recursive: true });
