import { existsSync, readFileSync } from 'node:fs';
import { ClientSecretCredential, DefaultAzureCredential, DeviceCodeCredential, type TokenCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { createEmulator, DEFAULT_EMULATOR_PORT, DEFAULT_STATE_FILE, type Emulator } from '../emulator/index.js';
import { TenantformError } from '../errors.js';
import { graphResource } from './transport.js';

export interface TargetOptions {
  /** 'local' (the embedded emulator; default), a tenant id, or a tenant domain. */
  tenant?: string;
  graphUrl?: string;
  authorityHost?: string;
  auth?: 'default' | 'device-code';
  /** State file of the local tenant. */
  localStateFile?: string;
  /** Port of the local tenant. */
  localPort?: number;
  /** An explicit credential (programmatic API, tests). */
  credential?: TokenCredential;
  /** Extra CA to trust (a separately started emulator). */
  ca?: string;
}

/** Where we are applying and as whom. */
export interface Target {
  kind: 'local' | 'remote';
  /** Tenant id (GUID) or, for a remote tenant named by domain until resolved, the domain. */
  tenant: string;
  graphUrl: string;
  authorityHost: string;
  credential: TokenCredential;
  ca?: string;
  close(): Promise<void>;
}

/**
 * Resolve the target tenant. `local` runs the embedded emulator on its fixed port with its state under
 * ./.tenantform/, or — when `tenantform emulator` already serves that port — talks to that one, using
 * the admin client recorded in the state file.
 */
export async function resolveTarget(opts: TargetOptions): Promise<Target> {
  const tenant = opts.tenant ?? 'local';
  if (tenant === 'local') return localTarget(opts);
  const authorityHost = opts.authorityHost ?? process.env.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com';
  const graphUrl = opts.graphUrl ?? 'https://graph.microsoft.com';
  const common = {
    authorityHost,
    // MSAL validates an authority it has no built-in metadata for through login.microsoftonline.com's instance
    // discovery, which knows nothing of a private host (an emulator, Azure Stack) and fails offline. The user
    // named this host explicitly, so it is trusted as given (https://learn.microsoft.com/javascript/api/@azure/identity/authorityvalidationoptions).
    disableInstanceDiscovery: !MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname),
    ...(opts.ca ? { tlsOptions: { ca: opts.ca } } : {}),
  };
  const credential =
    opts.credential ??
    (opts.auth === 'device-code'
      ? new DeviceCodeCredential({ tenantId: tenant, ...common })
      : new DefaultAzureCredential({ tenantId: tenant, ...common }));
  return { kind: 'remote', tenant, graphUrl, authorityHost, credential, ca: opts.ca, close: async () => {} };
}

/** Entra authority hosts of the public and national clouds (MSAL ships their metadata). */
const MICROSOFT_AUTHORITY_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.microsoftonline.de', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net']);

async function localTarget(opts: TargetOptions): Promise<Target> {
  const stateFile = opts.localStateFile ?? DEFAULT_STATE_FILE;
  // TENANTFORM_LOCAL_PORT moves the local tenant off its fixed port (parallel test runs, a second checkout).
  const envPort = process.env.TENANTFORM_LOCAL_PORT ? Number(process.env.TENANTFORM_LOCAL_PORT) : undefined;
  if (envPort !== undefined && !(Number.isInteger(envPort) && envPort > 0 && envPort < 65536)) {
    throw new TenantformError('USAGE', `TENANTFORM_LOCAL_PORT must be a TCP port number (1-65535), got "${process.env.TENANTFORM_LOCAL_PORT}".`);
  }
  const port = opts.localPort ?? envPort ?? DEFAULT_EMULATOR_PORT;
  let emu: Emulator | undefined;
  try {
    emu = await createEmulator({ port, stateFile });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
  }
  if (emu) {
    const e = emu;
    return {
      kind: 'local',
      tenant: e.tenantId,
      graphUrl: e.graphUrl,
      authorityHost: e.authorityHost,
      ca: e.ca,
      credential: localCredential(e.tenantId, e.adminClientId, e.adminClientSecret, e.authorityHost, e.ca),
      close: () => e.close(),
    };
  }
  // Someone runs `tenantform emulator` on the port: use the tenant recorded in its state file.
  const certFile = stateFile.replace(/\.json$/, '') + '.tls-cert.pem';
  if (!existsSync(stateFile) || !existsSync(certFile)) {
    throw new TenantformError('USAGE', `Port ${port} is in use, but ${stateFile} does not describe a local tenant. Stop the process on port ${port} or pass --tenant.`);
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { tenantId: string; admin: { appId: string; clientSecret: string } };
  const ca = readFileSync(certFile, 'utf8');
  const origin = `https://127.0.0.1:${port}`;
  return {
    kind: 'local',
    tenant: state.tenantId,
    graphUrl: origin,
    authorityHost: origin,
    ca,
    credential: localCredential(state.tenantId, state.admin.appId, state.admin.clientSecret, origin, ca),
    close: async () => {},
  };
}

function localCredential(tenantId: string, clientId: string, secret: string, authorityHost: string, ca: string): TokenCredential {
  return new ClientSecretCredential(tenantId, clientId, secret, { authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } });
}

/** Who is acting: read from the Graph token's claims (app display name / upn, appid). */
export async function describeIdentity(target: Target): Promise<{ tenantId: string; identity: string }> {
  let token;
  try {
    token = await target.credential.getToken(`${graphResource(target.graphUrl)}/.default`);
  } catch (e) {
    throw new TenantformError('AUTH_FAILED', `Could not get a Microsoft Graph token for tenant ${target.tenant}: ${firstLine((e as Error).message)}. Sign in (az login, workload identity, or --auth device-code) and re-run.`);
  }
  if (!token) throw new TenantformError('AUTH_FAILED', `No Microsoft Graph token for tenant ${target.tenant}.`);
  const c = decodeJwt(token.token);
  const who = (c.upn as string) ?? (c.unique_name as string) ?? (c.app_displayname as string) ?? 'unknown identity';
  const id = (c.appid as string) ?? (c.azp as string) ?? (c.oid as string) ?? '';
  return { tenantId: String(c.tid ?? target.tenant), identity: id ? `${who} (${id})` : who };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
