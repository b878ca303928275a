import type { Argv } from 'yargs';
import { TenantformError } from '../errors.js';
import { checkHttpsUrl, checkTenant } from '../graph/target-check.js';
import { GUID } from '../model/guid.js';
import type { CommonOptions } from '../options.js';
import { VAR_OPTION } from './commands/validate.js';
import { crashObserver } from './crash-observer.js';
import { numberArg, numberOption, type NumberRange } from './numeric.js';

/** --timeout: seconds. 0 gives up at the first replication wait; a day is longer than any replication. */
export const TIMEOUT_RANGE: NumberRange = { min: 0, max: 86_400, unit: 'seconds' };
export const TIMEOUT_OPTION = numberOption('Longest wait for Graph replication', TIMEOUT_RANGE, 300);

/** Where the tenant is and how to sign in to it: every command that talks to a tenant (export has no manifests). */
export function withTenantOptions<T>(y: Argv<T>) {
  return y
    .option('tenant', { type: 'string', default: 'local', describe: "'local' (the embedded emulator), a tenant id, or a tenant domain" })
    .option('graph-url', { type: 'string', describe: 'Microsoft Graph origin (national clouds, a separately started emulator)' })
    .option('authority-host', { type: 'string', describe: 'Entra authority host (national clouds, a separately started emulator)' })
    .option('auth', {
      choices: ['default', 'device-code'] as const,
      default: 'default' as const,
      describe: 'DefaultAzureCredential, or device code sign-in for people',
    })
    .option('client-id', {
      type: 'string',
      describe: "With --auth device-code: your public client app registration (default: the Azure CLI's, which cannot write conditional access)",
    })
    .option('local-state', {
      type: 'string',
      describe: "With --tenant local: the local tenant's state file (default ./.tenantform/local-tenant.json; its TLS certificate beside it)",
    })
    .option('ca-file', { type: 'string', describe: 'Extra CA certificate (PEM) to trust, e.g. an emulator started with `tenantform emulator`' })
    .option('timeout', TIMEOUT_OPTION);
}

/** Flags shared by every command that applies manifests to a tenant. */
export function withTargetOptions<T>(y: Argv<T>) {
  return withTenantOptions(y.positional('manifests', { type: 'string', array: true, demandOption: true, describe: 'Manifest files or directories' }))
    .option('var', VAR_OPTION)
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
  'client-id'?: string;
  'local-state'?: string;
  'ca-file'?: string;
  var?: string[];
  /** Checked by commonOptions (numberArg): yargs leaves what the user typed. */
  timeout: unknown;
  'stack-suffix'?: string;
  'home-tenant'?: string;
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

/** `tenantFlag`: the flag that named `a.tenant` (consent-url acts on its --home-tenant). */
export async function commonOptions(a: TargetArgs, progress?: (l: string) => void, tenantFlag = '--tenant'): Promise<CommonOptions> {
  const timeout = checkTargetFlags(a, tenantFlag);
  const { parseVarArgs } = await import('../manifest/index.js');
  return {
    manifests: a.manifests,
    vars: parseVarArgs(a.var),
    env: process.env,
    tenant: a.tenant,
    graphUrl: a['graph-url'],
    authorityHost: a['authority-host'],
    auth: a.auth,
    ...(a['client-id'] ? { clientId: a['client-id'] } : {}),
    ...(a['local-state'] ? { localStateFile: a['local-state'] } : {}),
    ca: a['ca-file'] ? await readCaFile(a['ca-file']) : undefined,
    timeoutMs: timeout * 1000,
    stackSuffix: a['stack-suffix'],
    deletedApps: a['restore-deleted'] ? 'restore' : a['purge-deleted'] ? 'purge' : undefined,
    progress,
    onWrite: crashObserver(),
  };
}

/**
 * Every flag that picks the tenant, checked before anything is read, started or written. Returns --timeout in
 * seconds. A flag the command would ignore is refused: --graph-url with the embedded tenant would silently
 * act on another tenant than the one the user pointed at.
 */
export function checkTargetFlags(a: TargetArgs, tenantFlag = '--tenant'): number {
  checkTenant(a.tenant, tenantFlag);
  if (a['home-tenant'] && tenantFlag !== '--home-tenant') checkTenant(a['home-tenant'], '--home-tenant');
  if (a['graph-url']) checkHttpsUrl(a['graph-url'], '--graph-url');
  if (a['authority-host']) checkHttpsUrl(a['authority-host'], '--authority-host');
  checkClientId(a);
  if (a['local-state'] && a.tenant !== 'local') {
    throw new TenantformError(
      'USAGE',
      `--local-state names the state file of the embedded local tenant, but ${tenantFlag} is ${a.tenant}: drop --local-state.`,
      {
        flag: '--local-state',
      },
    );
  }
  // The embedded emulator brings its own URLs and certificate: these flags only make sense for another tenant.
  const given = (['graph-url', 'authority-host', 'ca-file'] as const).filter((f) => a[f]).map((f) => `--${f}`);
  if (a.tenant === 'local' && given.length) {
    const list = given.length > 1 ? `${given.slice(0, -1).join(', ')} and ${given[given.length - 1]}` : given[0];
    throw new TenantformError(
      'USAGE',
      `${list} ${given.length > 1 ? 'point' : 'points'} at a tenant served elsewhere, but ${tenantFlag} is local (the default), the embedded emulator, which would ignore ${given.length > 1 ? 'them' : 'it'}. For a separately started emulator, add ${tenantFlag} <its tenantId> (with --graph-url, --authority-host and --ca-file as its JSON line gives them); for the embedded one, drop ${list}.`,
      { flag: given[0], tenant: 'local' },
    );
  }
  return numberArg('--timeout', a.timeout, TIMEOUT_RANGE);
}

/** --auth device-code only for a tenant served elsewhere; --client-id a GUID, only with it (a flag is never ignored). */
function checkClientId(a: TargetArgs): void {
  if (a.auth === 'device-code' && a.tenant === 'local') {
    throw new TenantformError(
      'USAGE',
      '--auth device-code signs a person in to a tenant served elsewhere; the embedded local tenant signs in with its own admin client. Drop --auth, or start `tenantform emulator --user <upn>:<password>:role=Global Administrator` and pass the --tenant, --graph-url, --authority-host and --ca-file of the line it prints.',
      { flag: '--auth', tenant: 'local' },
    );
  }
  const id = a['client-id'];
  if (id === undefined) return;
  if (a.auth !== 'device-code') {
    throw new TenantformError(
      'USAGE',
      `--client-id is the public client of device code sign-in: add --auth device-code (DefaultAzureCredential takes its client id from AZURE_CLIENT_ID).`,
      { flag: '--client-id' },
    );
  }
  if (!GUID.test(id)) {
    throw new TenantformError('USAGE', `--client-id ${id} is not an application (client) id: expected a GUID, the appId of your public client registration.`, {
      flag: '--client-id',
    });
  }
}

/** --ca-file: a PEM file that exists and holds a certificate, or a USAGE error that says which file and why. */
async function readCaFile(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory, not a file' : (e as Error).message;
    throw new TenantformError(
      'USAGE',
      `--ca-file ${file}: ${why}. Pass the PEM certificate to trust — for \`tenantform emulator\`, the caFile of the JSON line it prints (it exists only while that emulator runs).`,
      { flag: '--ca-file', file, errno: code },
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new TenantformError(
      'USAGE',
      `--ca-file ${file} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line). Pass the CA certificate in PEM form.`,
      {
        flag: '--ca-file',
        file,
      },
    );
  }
  return text;
}
