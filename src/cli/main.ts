#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { emulatorCommand } from './commands/emulator.js';

/** The CLI is a thin yargs layer over src/index.ts; each command lives in commands/. */
const cli = yargs(hideBin(process.argv)).scriptName('tenantform').strict().demandCommand(1).help().version();
emulatorCommand(cli);
await cli.parseAsync();
