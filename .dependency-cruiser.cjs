/**
 * The layering of tenantform (docs/architecture.md), enforced in `npm test` (`npm run lint:deps`).
 * Type-only imports count (tsPreCompilationDeps): a type in the wrong layer is a dependency in the wrong layer.
 */
const IO_MODULES = '^(node:)?(fs|fs/promises|child_process|net|http|https|http2|tls|dns|os|readline)$';
const SDKS = '^(@azure/identity|@microsoft/microsoft-graph-client|undici)($|/)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles make the layers meaningless and load order fragile.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'emulator-stands-apart',
      severity: 'error',
      comment: 'The emulator imports nothing from the tool (only the neutral src/lib): it is a tenant, reached over HTTPS.',
      from: { path: '^src/emulator/' },
      to: { path: '^src/', pathNot: '^src/(emulator|lib)/' },
    },
    {
      name: 'one-adapter-to-the-emulator',
      severity: 'error',
      comment: 'Only src/local/ (the adapter that starts the local tenant) imports the emulator.',
      from: { path: '^src/', pathNot: '^src/(emulator|local)/' },
      to: { path: '^src/emulator/' },
    },
    {
      name: 'plan-is-pure',
      severity: 'error',
      comment: 'decide: plan/ is a pure function of a Snapshot — no Graph, no execution, no gathering, no file or network I/O.',
      from: { path: '^src/plan/' },
      to: {
        path: [
          '^src/(graph|apply|gather|api|cli|local|verify|credentials|emulator)/',
          '^src/outputs/(write|secret-cache|certificates|github)\\.ts$',
          '^src/lib/',
          IO_MODULES,
          SDKS,
        ],
      },
    },
    {
      name: 'export-is-pure',
      severity: 'error',
      comment: 'export/ turns what gather read into manifest text: pure like plan/ (gather/export.ts reads, api/export.ts writes).',
      from: { path: '^src/export/' },
      to: {
        path: [
          '^src/(graph|apply|gather|api|cli|local|verify|credentials|emulator)/',
          '^src/outputs/(write|secret-cache|certificates|github)\\.ts$',
          '^src/lib/',
          IO_MODULES,
          SDKS,
        ],
      },
    },
    {
      name: 'model-is-plain-data',
      severity: 'error',
      comment: 'model/ holds the shared types and conventions every layer uses; it imports no layer.',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: ['^src/model/', '^src/errors\\.ts$'] },
    },
    {
      name: 'lib-is-neutral',
      severity: 'error',
      comment: 'src/lib is shared by the tool and the emulator, so it imports neither.',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'nothing-below-cli-imports-cli',
      severity: 'error',
      comment: 'cli/ is the thin yargs layer on top; the programmatic API must work without it.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'terminal-libraries-only-in-cli',
      severity: 'error',
      comment: 'chalk and yargs are presentation: only cli/ renders text and parses flags.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^(chalk|yargs)($|/)' },
    },
    {
      name: 'graph-client-only-in-graph',
      severity: 'error',
      comment: 'Everything Graph-specific sits behind graph/ (DESIGN.md style 6).',
      from: { path: '^src/', pathNot: '^src/graph/' },
      to: { path: '^@microsoft/microsoft-graph-client($|/)' },
    },
    {
      name: 'graph-does-not-reach-up',
      severity: 'error',
      comment: 'graph/ talks to Graph and returns model/ data; it knows nothing of planning, gathering or execution.',
      from: { path: '^src/graph/' },
      to: { path: '^src/(plan|apply|gather|api|outputs|credentials|verify|manifest|local)/' },
    },
    {
      name: 'manifest-does-not-reach-up',
      severity: 'error',
      comment: 'manifest/ turns YAML into the desired model; it needs no tenant.',
      from: { path: '^src/manifest/' },
      to: { path: '^src/(plan|apply|gather|api|graph|outputs|credentials|verify|local)/' },
    },
    {
      name: 'stores-and-renderers-do-not-reach-up',
      comment: 'outputs/ and credentials/ are used by gather and execute; they never import them (the crash observer is injected: CommonOptions.onWrite).',
      severity: 'error',
      from: { path: '^src/(outputs|credentials)/' },
      to: { path: '^src/(apply|gather|api|plan|verify|cli|local|graph)/' },
    },
    {
      name: 'apply-does-not-gather-or-plan',
      severity: 'error',
      comment: 'execute runs a plan; it never re-reads the world to decide (order helpers of plan/ are fine).',
      from: { path: '^src/apply/' },
      to: { path: ['^src/(gather|api|verify)/', '^src/plan/(index|diff|outputs|in-use|recover|destroy|import)\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    moduleSystems: ['es6'],
  },
};
