import type { Argv } from 'yargs';
import { manifestJsonSchema } from '../../manifest/index.js';

/**
 * `tenantform schema`: print the manifest JSON Schema (for editors: yaml-language-server,
 * VS Code). schema/tenantform.schema.json is this output, checked by a unit test.
 */
export function schemaCommand(y: Argv): Argv {
  return y.command(
    'schema',
    'Print the JSON Schema of manifests',
    (a) => a,
    () => {
      process.stdout.write(schemaText());
    },
  );
}

/** The exact text `tenantform schema` prints (and schema/tenantform.schema.json holds). */
export function schemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
