import type { Argv } from 'yargs';
import type { CommonOptions } from '../options.js';
import { VAR_OPTION } from './commands/validate.js';
import { crashObserver } from './crash-observer.js';

/** Flags shared by every command that talks to a tenant. */
export function withTargetOptions<T>(y: Argv<T>) {
  return y
    .positional('manifests', { type: 'string', array: true, demandOption: true, describe: 'Manifest files or directories' })
    .option('tenant', { type: 'string', default: 'local', describe: "'local' (the embedded emulator), a tenant id, or a tenant domain" })
    .option('graph-url', { type: 'string', describe: 'Microsoft Graph origin (national clouds, a separately started emulator)' })
    .option('authority-host', { type: 'string', describe: 'Entra authority host (national clouds, a separately started emulator)' })
    .option('auth', {
      choices: ['default', 'device-code'] as const,
      default: 'default' as const,
      describe: 'DefaultAzureCredential, or device code sign-in for people',
    })
    .option('ca-file', { type: 'string', describe: 'Extra CA certificate (PEM) to trust, e.g. an emulator started with `tenantform emulator`' })
    .option('var', VAR_OPTION)
    .option('timeout', { type: 'number', default: 300, describe: 'Longest wait for Graph replication, seconds' })
    .option('stack-suffix', {
      type: 'string',
      describe: 'Append -<suffix> to every stack name (ephemeral stacks, e.g. a CI run id); default env TENANTFORM_STACK_SUFFIX',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of text' });
}

export interface TargetArgs {
  manifests: string[];
  tenant: string;
  'graph-url'?: string;
  'authority-host'?: string;
  auth: 'default' | 'device-code';
  'ca-file'?: string;
  var?: string[];
  timeout: number;
  'stack-suffix'?: string;
  'restore-deleted'?: boolean;
  'purge-deleted'?: boolean;
}

/** plan/apply: what to do with soft-deleted applications of the stack that still hold its uniqueNames. */
export function withDeletedItemOptions<T>(y: Argv<T>) {
  return y
    .option('restore-deleted', { type: 'boolean', describe: "Restore the stack's applications from the recycle bin and reuse them" })
    .option('purge-deleted', { type: 'boolean', describe: "Permanently delete the stack's applications in the recycle bin and create them anew" })
    .conflicts('restore-deleted', 'purge-deleted');
}

export async function commonOptions(a: TargetArgs, progress?: (l: string) => void): Promise<CommonOptions> {
  const { readFile } = await import('node:fs/promises');
  const { parseVarArgs } = await import('../manifest/index.js');
  return {
    manifests: a.manifests,
    vars: parseVarArgs(a.var),
    env: process.env,
    tenant: a.tenant,
    graphUrl: a['graph-url'],
    authorityHost: a['authority-host'],
    auth: a.auth,
    ca: a['ca-file'] ? await readFile(a['ca-file'], 'utf8') : undefined,
    timeoutMs: a.timeout * 1000,
    stackSuffix: a['stack-suffix'],
    deletedApps: a['restore-deleted'] ? 'restore' : a['purge-deleted'] ? 'purge' : undefined,
    progress,
    onWrite: crashObserver(),
  };
}
