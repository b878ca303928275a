import type { Argv } from 'yargs';
// Constants only: the emulator itself is imported when the command runs (fast CLI start-up).
import { DEFAULT_EMULATOR_PORT, DEFAULT_STATE_FILE } from '../../local/defaults.js';

/** `tenantform emulator`: serve the local tenant until SIGINT/SIGTERM, announcing itself with one JSON line. */
export function emulatorCommand(y: Argv): Argv {
  return y.command(
    'emulator',
    'Run the local Microsoft Graph + Entra ID emulator',
    (a) =>
      a
        .option('port', { type: 'number', default: DEFAULT_EMULATOR_PORT, describe: 'HTTPS port on 127.0.0.1 (0 = any free port)' })
        .option('state', { type: 'string', default: DEFAULT_STATE_FILE, describe: 'Persist the tenant as JSON in this file' })
        .option('memory', { type: 'boolean', default: false, describe: 'Throwaway in-memory tenant (ignores --state)' })
        .option('tenant-type', { choices: ['AAD', 'CIAM'] as const, describe: 'Workforce (AAD) or External ID customer tenant (CIAM), for a new tenant' })
        .option('extra-tenants', {
          type: 'number',
          default: 0,
          describe: 'Host at least this many more tenants (customer tenants for multi-tenant apps), kept in the state file',
        })
        .option('latency-ms', { type: 'number', describe: 'Added latency per request [TENANTFORM_EMULATOR_LATENCY_MS]' })
        .option('throttle-rate', { type: 'number', describe: 'Fraction of Graph requests answered 429 [TENANTFORM_EMULATOR_THROTTLE_RATE]' })
        .option('replication-lag-ms', { type: 'number', describe: 'Replication lag after writes [TENANTFORM_EMULATOR_REPLICATION_LAG_MS]' })
        .option('retry-after', { type: 'number', describe: 'Retry-After seconds of injected 429s [TENANTFORM_EMULATOR_RETRY_AFTER]' })
        .option('seed', { type: 'number', describe: 'Seed of the fault injection [TENANTFORM_EMULATOR_SEED]' })
        .option('log', { type: 'string', describe: 'Append a JSON line per request to this file [TENANTFORM_EMULATOR_LOG]' })
        .option('user', {
          type: 'string',
          array: true,
          describe:
            'Test user <upn>:<password>[:mfa] (repeatable; a upn without @ gets the tenant domain; :mfa registers a TOTP authenticator whose secret is printed)',
          coerce: (values: string[]) => values.map(parseUserFlag),
        }),
    async (args) => {
      // Listen for the stop signals before starting, so a SIGTERM during start-up still ends cleanly (exit 0).
      const stopped = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      const { createEmulator } = await import('../../local/emulator.js');
      const emu = await createEmulator({
        port: args.port,
        stateFile: args.memory ? undefined : args.state,
        tenantType: args['tenant-type'],
        latencyMs: args['latency-ms'],
        throttleRate: args['throttle-rate'],
        replicationLagMs: args['replication-lag-ms'],
        retryAfterSeconds: args['retry-after'],
        seed: args.seed,
        logFile: args.log,
        extraTenants: args['extra-tenants'],
        users: args.user,
      });
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
        process.stderr.write(`tenantform emulator: test user ${u.userPrincipalName} (object id ${u.id})${mfa}\n`);
      }
      await stopped;
      await emu.close();
      process.exit(0);
    },
  );
}

/**
 * `--user <upn>:<password>[:mfa]`: the first `:` ends the upn; a trailing `:mfa` asks for an MFA method (so a
 * password that itself ends in `:mfa` must be given through the programmatic API).
 */
export function parseUserFlag(value: string): { userPrincipalName: string; password: string; mfa?: boolean } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new Error(`--user ${value}: expected <upn>:<password>[:mfa]`);
  let password = value.slice(colon + 1);
  const mfa = password.endsWith(':mfa');
  if (mfa) password = password.slice(0, -':mfa'.length);
  if (password === '') throw new Error(`--user ${value}: expected <upn>:<password>[:mfa]`);
  return { userPrincipalName: value.slice(0, colon), password, ...(mfa ? { mfa: true } : {}) };
}

function userLine(u: { id: string; userPrincipalName: string; password: string; totpSecret?: string; otpauthUri?: string }) {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    password: u.password,
    ...(u.totpSecret ? { totpSecret: u.totpSecret, otpauthUri: u.otpauthUri } : {}),
  };
}
