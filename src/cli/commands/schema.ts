import type { Argv } from 'yargs';

/**
 * `tenantform schema`: print the manifest JSON Schema (for editors: yaml-language-server,
 * VS Code). schema/tenantform.schema.json is this output, checked by a unit test.
 */
export function schemaCommand(y: Argv): Argv {
  return y.command(
    'schema',
    'Print the JSON Schema of manifests (or, with --plan, of --json plans)',
    (a) => a.option('plan', { type: 'boolean', default: false, describe: 'The schema of plans (docs/plan.schema.json) instead' }),
    async (args) => {
      if (args.plan) {
        const { planSchemaText } = await import('../../plan/schema.js');
        process.stdout.write(planSchemaText());
      } else {
        // Imported when run: the CLI loads zod and the manifest layer only for the commands that use them.
        const { manifestSchemaText } = await import('../../manifest/schema.js');
        process.stdout.write(manifestSchemaText());
      }
    },
  );
}
