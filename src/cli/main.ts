#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { applyCommand } from './commands/apply.js';
import { destroyCommand } from './commands/destroy.js';
import { importCommand } from './commands/import.js';
import { exportCommand } from './commands/export.js';
import { emulatorCommand } from './commands/emulator.js';
import { outputCommand } from './commands/output.js';
import { planCommand } from './commands/plan.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';
import { consentUrlCommand } from './commands/consent-url.js';
import { verifyCommand } from './commands/verify.js';

/** The CLI is a thin yargs layer over src/index.ts; each command lives in commands/. */
const argv = hideBin(process.argv);
const cli = yargs(argv)
  .scriptName('tenantform')
  .strict()
  .demandCommand(1)
  .help()
  .version()
  // A flag yargs refuses (unknown, missing value, a coerce that threw) is a usage error like any other: one line
  // with the code and where to look, in JSON with --json — not the whole help text above the reason.
  .fail((message, error) => {
    const command = argv.find((a) => !a.startsWith('-')) ?? 'tenantform';
    const reason = (error?.message ?? message ?? 'invalid arguments').replace(/\.?$/, '.');
    const help = command === 'tenantform' ? 'tenantform --help' : `tenantform ${command} --help`;
    // Loaded only on this path: every command's start-up stays as light as before (issue 13).
    void Promise.all([import('../errors.js'), import('./output.js')]).then(([{ TenantformError }, { emitError, outputContext }]) =>
      process.exit(emitError(outputContext({ json: argv.includes('--json') }), command, new TenantformError('USAGE', `${reason} See ${help}.`))),
    );
  });
planCommand(cli);
applyCommand(cli);
destroyCommand(cli);
importCommand(cli);
exportCommand(cli);
outputCommand(cli);
emulatorCommand(cli);
validateCommand(cli);
schemaCommand(cli);
verifyCommand(cli);
consentUrlCommand(cli);
await cli.parseAsync();
