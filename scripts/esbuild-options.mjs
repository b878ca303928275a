// The esbuild options every bundle of this repository shares (scripts/bundle.mjs: dist/; scripts/build-tests.mjs:
// build/). ES modules for Node 20, split into chunks so what is imported lazily loads lazily.
export const NODE_BUNDLE = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  // A CommonJS package imported lazily (`await import('pkijs')`) arrives in its own chunk with only a default
  // export; packages that ship an ES module build too (pkijs, asn1js) are bundled from that instead.
  mainFields: ['module', 'main'],
  // Bundled CommonJS dependencies call require() for Node's built-ins, which an ES module does not have.
  banner: { js: "import { createRequire as __tenantformRequire } from 'node:module'; const require = __tenantformRequire(import.meta.url);" },
  logLevel: 'warning',
};
