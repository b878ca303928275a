#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { applyCommand } from './commands/apply.js';
import { emulatorCommand } from './commands/emulator.js';
import { outputCommand } from './commands/output.js';
import { planCommand } from './commands/plan.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';

/** The CLI is a thin yargs layer over src/index.ts; each command lives in commands/. */
const cli = yargs(hideBin(process.argv)).scriptName('tenantform').strict().demandCommand(1).help().version();
planCommand(cli);
applyCommand(cli);
outputCommand(cli);
emulatorCommand(cli);
validateCommand(cli);
schemaCommand(cli);
await cli.parseAsync();
