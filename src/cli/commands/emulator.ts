import type { Argv } from 'yargs';
import { TenantformError } from '../../errors.js';
import { numberArg, numberOption, type NumberRange } from '../numeric.js';
import { emitError, outputContext } from '../output.js';
// Constants only: the emulator itself is imported when the command runs (fast CLI start-up).
import { DEFAULT_EMULATOR_PORT, DEFAULT_STATE_FILE } from '../../local/defaults.js';

/** `tenantform emulator`: serve the local tenant until SIGINT/SIGTERM, announcing itself with one JSON line. */
export function emulatorCommand(y: Argv): Argv {
  return y.command(
    'emulator',
    'Run the local Microsoft Graph + Entra ID emulator',
    (a) =>
      a
        .option('port', numberOption('HTTPS port on 127.0.0.1, 0 = any free port', PORT, DEFAULT_EMULATOR_PORT))
        .option('state', { type: 'string', default: DEFAULT_STATE_FILE, describe: 'Persist the tenant as JSON in this file' })
        .option('memory', { type: 'boolean', default: false, describe: 'Throwaway in-memory tenant (ignores --state)' })
        .option('tenant-type', { choices: ['AAD', 'CIAM'] as const, describe: 'Workforce (AAD) or External ID customer tenant (CIAM), for a new tenant' })
        .option(
          'extra-tenants',
          numberOption('Host at least this many more tenants (customer tenants for multi-tenant apps), kept in the state file', NUMBERS['extra-tenants'], 0),
        )
        .option('latency-ms', numberOption('Added latency per request [TENANTFORM_EMULATOR_LATENCY_MS]', NUMBERS['latency-ms']))
        .option('throttle-rate', numberOption('Fraction of Graph requests answered 429 [TENANTFORM_EMULATOR_THROTTLE_RATE]', NUMBERS['throttle-rate']))
        .option('replication-lag-ms', numberOption('Replication lag after writes [TENANTFORM_EMULATOR_REPLICATION_LAG_MS]', NUMBERS['replication-lag-ms']))
        .option('retry-after', numberOption('Retry-After seconds of injected 429s [TENANTFORM_EMULATOR_RETRY_AFTER]', NUMBERS['retry-after']))
        .option('seed', numberOption('Seed of the fault injection [TENANTFORM_EMULATOR_SEED]', NUMBERS.seed))
        .option('fault', {
          type: 'string',
          array: true,
          describe:
            'A fault rule [METHOD:]PATH|token:field…, e.g. POST:/applications/*/addPassword:nth=1:commit-then-reset (repeatable; docs/emulator.md) [TENANTFORM_EMULATOR_FAULTS, ;-separated]',
        })
        .option('quotas', {
          type: 'boolean',
          describe: "Enforce Graph's identity and access throttling limits; --no-quotas turns them off [TENANTFORM_EMULATOR_QUOTAS=off] (default on)",
        })
        .option('tenant-size', {
          choices: ['S', 'M', 'L'] as const,
          describe: "Tenant size for Graph's per app+tenant quota (S < 50 users, M ≤ 500, L > 500) [TENANTFORM_EMULATOR_TENANT_SIZE] (default: from the users)",
        })
        .option('log', { type: 'string', describe: 'Append a JSON line per request to this file [TENANTFORM_EMULATOR_LOG]' })
        .option('user', {
          type: 'string',
          array: true,
          describe:
            "Test user <upn>:<password>[:mfa][:role=<role>] (repeatable; a upn without @ gets the tenant domain; :mfa registers a TOTP authenticator whose secret is printed; :role=Global Administrator etc. gives a directory role, so the user's delegated Graph calls may manage the tenant)",
          coerce: (values: string[]) => values.map(parseUserFlag),
        }),
    async (args) => {
      // Listen for the stop signals before starting, so a SIGTERM during start-up still ends cleanly (exit 0).
      const stopped = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      const ctx = outputContext();
      let emu;
      try {
        const n = (flag: keyof typeof NUMBERS) => numberArg(`--${flag}`, args[flag], NUMBERS[flag], { optional: true });
        const port = numberArg('--port', args.port, PORT);
        // Before anything is written (state file, TLS key): a port another process holds is the user's to free.
        if (port !== 0) await assertPortFree(port);
        const { createEmulator } = await import('../../local/emulator.js');
        emu = await createEmulator({
          port,
          stateFile: args.memory ? undefined : args.state,
          tenantType: args['tenant-type'],
          latencyMs: n('latency-ms'),
          throttleRate: n('throttle-rate'),
          replicationLagMs: n('replication-lag-ms'),
          retryAfterSeconds: n('retry-after'),
          seed: n('seed'),
          ...(args.quotas === undefined ? {} : { quotas: args.quotas }),
          tenantSize: args['tenant-size'],
          // Omitted without --fault, so TENANTFORM_EMULATOR_FAULTS applies; specs are checked before anything is written.
          ...(args.fault?.length ? { faults: args.fault } : {}),
          logFile: args.log,
          extraTenants: n('extra-tenants'),
          users: args.user,
        });
      } catch (e) {
        process.exit(emitError(ctx, 'emulator', usageError(e)));
      }
      // Only present when there are more tenants, so the single-tenant line stays exactly as documented.
      const extra = emu.tenants
        .slice(1)
        .map((t) => ({ tenantId: t.tenantId, domain: t.domain, adminClientId: t.adminClientId, adminClientSecret: t.adminClientSecret }));
      process.stdout.write(
        `${JSON.stringify({
          graphUrl: emu.graphUrl,
          authorityHost: emu.authorityHost,
          tenantId: emu.tenantId,
          caFile: emu.caFile,
          adminClientId: emu.adminClientId,
          adminClientSecret: emu.adminClientSecret,
          ...(extra.length ? { extraTenants: extra } : {}),
          // Only with --user, so the line without it stays exactly as documented.
          ...(emu.seededUsers.length ? { users: emu.seededUsers.map(userLine) } : {}),
        })}\n`,
      );
      // For a developer reading the terminal (stdout keeps its one JSON line): how to sign in, and the MFA secret.
      for (const u of emu.seededUsers) {
        const mfa = u.otpauthUri ? `; MFA: add ${u.otpauthUri} to an authenticator app (secret ${u.totpSecret})` : '';
        const roles = u.roles.length ? `, ${u.roles.join(', ')}` : ', member user';
        process.stderr.write(`tenantform emulator: test user ${u.userPrincipalName} (object id ${u.id}${roles})${mfa}\n`);
      }
      await stopped;
      await emu.close();
      process.exit(0);
    },
  );
}

const PORT: NumberRange = { min: 0, max: 65535, integer: true };
const NUMBERS = {
  'extra-tenants': { min: 0, max: 100, integer: true },
  'latency-ms': { min: 0, max: 60_000, unit: 'milliseconds' },
  'throttle-rate': { min: 0, max: 1 },
  'replication-lag-ms': { min: 0, max: 600_000, unit: 'milliseconds' },
  'retry-after': { min: 0, max: 3600, unit: 'seconds' },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
} satisfies Record<string, NumberRange>;

/** A bad fault spec, test user or option (the emulator's EmulatorOptionError) is the user's mistake, not an internal error. */
function usageError(e: unknown): unknown {
  if (!(e instanceof Error) || e.name !== 'EmulatorOptionError') return e;
  const own = (e as Error & { flag?: string }).flag;
  if (own) return new TenantformError('USAGE', `${e.message} (${own})`, { flag: own });
  const flag = process.env.TENANTFORM_EMULATOR_FAULTS !== undefined ? '--fault or TENANTFORM_EMULATOR_FAULTS' : '--fault';
  return new TenantformError('USAGE', `${e.message} (${flag})`, { flag: '--fault' });
}

/** Refuse a port another process listens on, naming it and the way out (before the emulator writes anything). */
async function assertPortFree(port: number): Promise<void> {
  const { isPortInUse } = await import('../../local/port.js');
  if (!(await isPortInUse(port))) return;
  throw new TenantformError(
    'USAGE',
    `Port ${port} on 127.0.0.1 is in use (another \`tenantform emulator\`, or an app started with --tenant local, may hold it). Stop it, or choose another port with --port (0 = any free port).`,
    { port },
  );
}

/**
 * `--user <upn>:<password>[:mfa][:role=<directory role>]…`: the first `:` ends the upn; trailing `:mfa` (an MFA method)
 * and `:role=…` (a built-in directory role by display name, e.g. `:role=Global Administrator`, repeatable) are taken
 * off the end, so a password that itself ends in one of them must be given through the programmatic API.
 */
export function parseUserFlag(value: string): { userPrincipalName: string; password: string; mfa?: boolean; roles?: string[] } {
  const usage = `--user ${value}: expected <upn>:<password>[:mfa][:role=<directory role>]`;
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new Error(usage);
  let password = value.slice(colon + 1);
  let mfa = false;
  const roles: string[] = [];
  for (;;) {
    const role = /:role=([^:]+)$/.exec(password);
    if (role) {
      roles.unshift(role[1].trim());
      password = password.slice(0, role.index);
    } else if (password.endsWith(':mfa')) {
      mfa = true;
      password = password.slice(0, -':mfa'.length);
    } else break;
  }
  if (password === '') throw new Error(usage);
  return { userPrincipalName: value.slice(0, colon), password, ...(mfa ? { mfa: true } : {}), ...(roles.length ? { roles } : {}) };
}

function userLine(u: { id: string; userPrincipalName: string; password: string; totpSecret?: string; otpauthUri?: string; roles: string[] }) {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    password: u.password,
    ...(u.totpSecret ? { totpSecret: u.totpSecret, otpauthUri: u.otpauthUri } : {}),
    ...(u.roles.length ? { roles: u.roles } : {}),
  };
}
