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
const cli = yargs(hideBin(process.argv)).scriptName('tenantform').strict().demandCommand(1).help().version();
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
