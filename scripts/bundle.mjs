// dist/ is esbuild bundles (tsc adds only the .d.ts files: `npm run build`). Node then reads a few files
// instead of ~900 modules, which was most of the CLI's start-up (issue 13: `--help` 0.45 s → 0.2 s, a no-op
// apply 1.25 s → 0.8 s), and the library's import. Commands still import their work lazily
// (src/cli/commands/*), so each chunk loads only when a command needs it.
//   - dist/cli/main.js: the CLI, an application: its dependencies are bundled in.
//   - dist/index.js, dist/emulator/index.js: the library (package.json exports): our code bundled, its
//     dependencies imported from node_modules as any package's are, so a user's app shares them.
// The JavaScript of an earlier build is removed first (never a stale chunk); the .d.ts files stay.
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { NODE_BUNDLE } from './esbuild-options.mjs';

const removeJs = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) removeJs(p);
    else if (/\.js(\.map)?$/.test(e.name)) rmSync(p);
  }
};
try {
  removeJs('dist');
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
}
await Promise.all([
  build({
    ...NODE_BUNDLE,
    entryPoints: ['src/cli/main.ts'],
    outdir: 'dist/cli',
    minifyWhitespace: true,
    minifySyntax: true,
  }),
  build({ ...NODE_BUNDLE, entryPoints: ['src/index.ts', 'src/emulator/index.ts'], outdir: 'dist', outbase: 'src', packages: 'external' }),
]);
// The bin entry must be executable for `npx tenantform`.
chmodSync('dist/cli/main.js', 0o755);
