/**
 * THE adapter between the tool and its emulator: `--tenant local` starts the embedded emulator on its fixed
 * port with its state under ./.tenantform/, or — when `tenantform emulator` already serves that port — talks to
 * that one with the admin client recorded in its state file. Nothing else in the tool imports src/emulator
 * (the dependency rules in .dependency-cruiser.cjs enforce it); everything else reaches the local tenant over
 * HTTPS, like a real one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_EMULATOR_PORT, DEFAULT_STATE_FILE } from '../emulator/defaults.js';
import type { Emulator } from '../emulator/index.js';
import { TenantformError } from '../errors.js';
import { remoteTarget, secretCredential, type Target, type TargetOptions } from '../graph/target.js';
import { checkTenant } from '../graph/target-check.js';
import { isPortInUse } from './port.js';

/** Resolve the target tenant: 'local' (default) is the emulator, anything else a remote tenant. */
export async function resolveTarget(opts: TargetOptions): Promise<Target> {
  const tenant = opts.tenant ?? 'local';
  // Before anything starts: `locl` must not fall through to a credential chain for a tenant named "locl".
  checkTenant(tenant);
  return tenant === 'local' ? localTarget(opts) : remoteTarget(tenant, { ...opts, env: opts.env ?? process.env });
}

async function localTarget(opts: TargetOptions): Promise<Target> {
  const env = opts.env ?? process.env;
  const stateFile = opts.localStateFile ?? DEFAULT_STATE_FILE;
  // TENANTFORM_LOCAL_PORT moves the local tenant off its fixed port (parallel test runs, a second checkout).
  const envPort = env.TENANTFORM_LOCAL_PORT ? Number(env.TENANTFORM_LOCAL_PORT) : undefined;
  if (envPort !== undefined && !(Number.isInteger(envPort) && envPort > 0 && envPort < 65536)) {
    throw new TenantformError('USAGE', `TENANTFORM_LOCAL_PORT must be a TCP port number (1-65535), got "${env.TENANTFORM_LOCAL_PORT}".`);
  }
  const port = opts.localPort ?? envPort ?? DEFAULT_EMULATOR_PORT;
  let emu: Emulator | undefined;
  // Ask first: an emulator that finds the port taken has already written a state file and a TLS key for a tenant
  // that would exist nowhere.
  if (await isPortInUse(port)) return servedElsewhere(port, stateFile);
  try {
    // Loaded only for the local tenant: a remote target never pays for the emulator (its TLS and JWT code).
    const { createEmulator } = await import('../emulator/index.js');
    emu = await createEmulator({ port, stateFile });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
  }
  if (emu) {
    const e = emu;
    const credential = secretCredential({
      tenantId: e.tenantId,
      clientId: e.adminClientId,
      secret: e.adminClientSecret,
      authorityHost: e.authorityHost,
      ca: e.ca,
    });
    return { kind: 'local', tenant: e.tenantId, graphUrl: e.graphUrl, authorityHost: e.authorityHost, ca: e.ca, credential, close: () => e.close() };
  }
  return servedElsewhere(port, stateFile);
}

/** Someone runs `tenantform emulator` (or an app with --tenant local) on the port: use the tenant of this folder's state file. */
function servedElsewhere(port: number, stateFile: string): Target {
  const certFile = stateFile.replace(/\.json$/, '') + '.tls-cert.pem';
  if (!existsSync(stateFile) || !existsSync(certFile)) {
    throw new TenantformError(
      'USAGE',
      `Port ${port} on 127.0.0.1 is in use (a \`tenantform emulator\` or an app using --tenant local, started in another folder?), and ${stateFile} does not exist here, so this folder has no local tenant to talk to it with. Run from the folder whose .tenantform/ holds that tenant (or pass its state file with --local-state), set TENANTFORM_LOCAL_PORT to give this folder's local tenant another port, or stop the process on port ${port}. Nothing was written.`,
      { port, stateFile },
    );
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { tenantId: string; admin: { appId: string; clientSecret: string } };
  const ca = readFileSync(certFile, 'utf8');
  const origin = `https://127.0.0.1:${port}`;
  const credential = secretCredential({ tenantId: state.tenantId, clientId: state.admin.appId, secret: state.admin.clientSecret, authorityHost: origin, ca });
  return { kind: 'local', tenant: state.tenantId, graphUrl: origin, authorityHost: origin, ca, credential, close: async () => {} };
}
