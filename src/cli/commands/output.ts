import type { Argv } from 'yargs';
import { credentialOptionsOf, withCredentialOptions } from '../credential-options.js';
import { outputContext, runCommand } from '../output.js';
import { commonOptions, withTargetOptions, type TargetArgs } from '../target-options.js';

/** `tenantform output <manifests..>`: re-render the config files from the live tenant and the stored secrets. */
export function outputCommand(y: Argv): Argv {
  return y.command(
    'output <manifests..>',
    'Re-render the config files from the live tenant and the stored secrets',
    (a) => withCredentialOptions(withTargetOptions(a), { rotation: false, github: true }),
    async (args) => {
      const ctx = outputContext({ json: args.json });
      await runCommand(ctx, 'output', async () => {
        const { output } = await import('../../api/apply.js');
        const r = await output({ ...(await commonOptions(args as unknown as TargetArgs)), ...credentialOptionsOf(args, ctx) });
        return { outcome: 'ok', data: { outputs: r.outputs }, text: () => r.outputs.map((o) => `wrote ${o}`).join('\n') };
      });
    },
  );
}
