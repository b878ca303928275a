// The CLI ships as one bundle (esbuild, already here through tsx) with a chunk per lazily imported part:
// Node then reads a few files instead of ~900 modules, which was most of the CLI's start-up (issue 13:
// `--help` 0.45 s → 0.2 s, a no-op apply 1.25 s → 0.8 s). Commands still import their work lazily
// (src/cli/commands/*), so each chunk loads only when a command needs it. The library (dist/index.js, the
// emulator export) stays tsc output with its .d.ts; tsconfig.json leaves src/cli to this script, and
// `npm run typecheck` / `npm test` type-check it.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/cli', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  // A CommonJS package imported lazily (`await import('pkijs')`) arrives in its own chunk with only a default
  // export; packages that ship an ES module build too (pkijs, asn1js) are bundled from that instead.
  mainFields: ['module', 'main'],
  // Bundled CommonJS dependencies call require() for Node's built-ins, which an ES module does not have.
  banner: { js: "import { createRequire as __tenantformRequire } from 'node:module'; const require = __tenantformRequire(import.meta.url);" },
  logLevel: 'warning',
});
// The bin entry must be executable for `npx tenantform`.
chmodSync('dist/cli/main.js', 0o755);
