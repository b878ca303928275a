import type { Argv } from 'yargs';
import { manifestJsonSchema } from '../../manifest/index.js';

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
      } else process.stdout.write(schemaText());
    },
  );
}

/** The exact text `tenantform schema` prints (and schema/tenantform.schema.json holds). */
export function schemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
