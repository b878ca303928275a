import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createSigningKey, loadOrCreateTls, sharedInMemoryTls, type TlsMaterial } from './certs.js';
import type { EmulatorEnv } from './context.js';
import { GraphQuotas, resolveQuotas, type QuotaOptions } from './quotas.js';
import { Clock, Faults, resolveFaultRules, resolveFaults, type FaultOptions, type FaultRuleOptions } from './faults.js';
import { TokenKeys } from './keys.js';
import { resolveLicenses } from './licenses.js';
import { RequestLog } from './log.js';
import { seedTenant, type SeedOptions } from './seed.js';
import { EmulatorPipeline } from './server.js';
import { loadState, Tenant, type SigningKey, type TenantState } from './store/index.js';
import { TenantDirectory } from './directory.js';
import { provisionTestUser, type TestUser, type TestUserSpec } from './users.js';
import { SignInState } from './login/sign-in-state.js';

export { graphWrites, type RequestLogEntry } from './log.js';
export type { FaultKind, FaultOptions, FaultRuleInfo, FaultRuleOptions, FaultRuleSpec } from './faults.js';
export { parseFaultSpec } from './fault-spec.js';
export type { LicenseSku } from './licenses.js';
export type { GraphQuotas, QuotaOptions, TenantSize } from './quotas.js';
export type { SigningKey } from './store/index.js';
export type { TlsMaterial } from './certs.js';
export type { TestUser, TestUserSpec } from './users.js';

export { DEFAULT_EMULATOR_PORT, DEFAULT_STATE_FILE } from './defaults.js';

export interface EmulatorOptions extends FaultOptions, FaultRuleOptions, QuotaOptions, SeedOptions {
  /** 0 = any free port. Default 0 in process; the CLI defaults to DEFAULT_EMULATOR_PORT. */
  port?: number;
  /** Persist the tenant as JSON here (TLS certificate beside it). Omit for a throwaway in-memory tenant. */
  stateFile?: string;
  /** Request log as JSON lines; default TENANTFORM_EMULATOR_LOG. */
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Host at least this many MORE tenants (customer tenants for multi-tenant apps), each with its own
   * tenant id, domain `tenantformcustomerN.onmicrosoft.com`, admin client and objects. Default 0.
   */
  extraTenants?: number;
  /**
   * The token-signing key of a NEW tenant (a state file that exists keeps its own; extra tenants share the
   * first one's), instead of generating an RSA key. Tests pass a fixture: generating one costs about a
   * second of CPU per emulator start.
   */
  signingKey?: SigningKey;
  /**
   * The HTTPS key and CA certificate of an in-memory emulator (ignored with `stateFile`, whose certificate is
   * kept beside the state file), instead of the one generated once per process. Tests pass a fixture.
   */
  tls?: TlsMaterial;
  /**
   * The `interval` (seconds) the device code endpoint tells clients to poll at. Default 5, Entra's; msal polls at that
   * pace in real time, so tests pass 0.
   */
  deviceCodeIntervalSeconds?: number;
}

/** One tenant of a running emulator, with the bootstrap admin client that manages it. */
export interface EmulatorTenant {
  tenantId: string;
  /** The initial verified domain, `{subdomain}.onmicrosoft.com`. */
  domain: string;
  adminClientId: string;
  adminClientSecret: string;
  tenant: Tenant;
  /** Create a test user in this tenant (visible at once; throws when the userPrincipalName is taken). */
  addUser(spec: TestUserSpec): TestUser;
}

/** What a running emulator offers: the JSON line printed by `tenantform emulator`, plus handles for tests. */
export interface Emulator {
  graphUrl: string;
  authorityHost: string;
  tenantId: string;
  /** PEM of the CA certificate to trust (the server's self-signed certificate). */
  ca: string;
  caFile: string;
  adminClientId: string;
  adminClientSecret: string;
  port: number;
  requestLog: RequestLog;
  clock: Clock;
  tenant: Tenant;
  /** Fault options and rules: faults.add(rule | spec) → {id, …}, remove(id), clear(), list(), fired(id); see docs/emulator.md. */
  faults: Faults;
  /** Graph's identity and access service limits as enforced here (quotas.ts); `quotas: false` turns them off. */
  quotas: GraphQuotas;
  /** Every tenant this emulator hosts; the first is the one above (tenantId, admin client, tenant). */
  tenants: EmulatorTenant[];
  /** Host one more tenant (persisted in the state file). Its id and domain can name it in login URLs. */
  addTenant(options?: SeedOptions): Promise<EmulatorTenant>;
  /** Create a test user in the first tenant (visible at once; throws when the userPrincipalName is taken). */
  addUser(spec: TestUserSpec): TestUser;
  /** The users of the `users` option as provisioned on this start (passwords and TOTP secrets included). */
  seededUsers: TestUser[];
  close(): Promise<void>;
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const env = options.env ?? process.env;
  // First: a mistake in a fault option or rule is refused before anything is written (state file, TLS key).
  const faults = new Faults(resolveFaults(options, env), resolveFaultRules(options, env));
  const clock = new Clock();
  const quotas = new GraphQuotas(resolveQuotas(options, env), () => clock.now());
  const stateFile = options.stateFile;
  const certFile = stateFile ? stateFile.replace(/\.json$/, '') + '.tls-cert.pem' : undefined;
  const keyFile = stateFile ? stateFile.replace(/\.json$/, '') + '.tls-key.pem' : undefined;

  const tls = stateFile ? await loadOrCreateTls(certFile, keyFile) : (options.tls ?? (await sharedInMemoryTls()));
  // The `licenses` option or TENANTFORM_EMULATOR_LICENSES: a new tenant is seeded with them, a stored one changes to them.
  const licenses = resolveLicenses(options.licenses, env);
  let state = stateFile ? loadState(stateFile) : undefined;
  const fresh = !state;
  state ??= seedTenant({ ...options, licenses }, options.signingKey ?? (await createSigningKey()), clock.iso());
  const tenant = new Tenant(state, { clock, lagMs: () => faults.lagMs(), deleteLagMs: () => faults.deleteLagMs(), file: stateFile });
  if (!fresh && licenses) tenant.setLicenses(licenses);
  const directory = new TenantDirectory(tenant);
  for (const extra of tenant.extraTenants) directory.add(extra);
  const addTenant = async (seed: SeedOptions = {}): Promise<EmulatorTenant> => {
    const n = tenant.extraTenants.length + 1;
    // Tenants share the token-signing key (as Entra's tenants share the published keys; see directory.ts).
    const extra: TenantState = seedTenant(
      { ...seed, subdomain: seed.subdomain ?? `tenantformcustomer${n}`, displayName: seed.displayName ?? `tenantform customer tenant ${n}` },
      tenant.signingKey,
      clock.iso(),
    );
    const domain = `${seed.subdomain ?? `tenantformcustomer${n}`}.onmicrosoft.com`;
    if (directory.all().some((t) => t.tenantId === extra.tenantId || t.verifiedDomains().includes(domain))) {
      throw new Error(`emulator: a tenant with id ${extra.tenantId} or domain ${domain} already exists`);
    }
    const t = tenant.addExtraTenant(extra);
    directory.add(t);
    for (const u of seed.users ?? []) provisionTestUser(t, u, 'ensure', clock.iso());
    return describeTenant(t, clock);
  };
  while (tenant.extraTenants.length < (options.extraTenants ?? 0)) await addTenant();
  const seededUsers = (options.users ?? []).map((u) => provisionTestUser(tenant, u, 'ensure', clock.iso()));
  if (fresh || seededUsers.length > 0) tenant.saveNow();

  // Absolute: clients run from other folders take it as NODE_EXTRA_CA_CERTS (a relative path would break there).
  let caFile = certFile ? resolve(certFile) : undefined;
  let tmpDir: string | undefined;
  if (!caFile) {
    tmpDir = mkdtempSync(join(tmpdir(), 'tenantform-emulator-'));
    caFile = join(tmpDir, 'ca.pem');
    writeFileSync(caFile, tls.cert);
  }

  const server: Server = createServer({ key: tls.key, cert: tls.cert, keepAlive: true });
  const log = new RequestLog(options.logFile ?? env.TENANTFORM_EMULATOR_LOG);
  const envRef: { current?: EmulatorEnv } = {};
  let pipeline: EmulatorPipeline | undefined;
  server.on('request', (req, res) => {
    void pipeline!.handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `https://127.0.0.1:${port}`;
  const signIns = new SignInState(clock, { deviceCodeIntervalSeconds: options.deviceCodeIntervalSeconds });
  envRef.current = { tenant, clock, faults, quotas, keys: await TokenKeys.load(tenant.signingKey), authorityHost: origin, graphUrl: origin, signIns };
  pipeline = new EmulatorPipeline(envRef.current, log);

  return {
    graphUrl: origin,
    authorityHost: origin,
    tenantId: tenant.tenantId,
    ca: tls.cert,
    caFile,
    adminClientId: tenant.admin.appId,
    adminClientSecret: tenant.admin.clientSecret,
    port,
    requestLog: log,
    clock,
    tenant,
    faults,
    quotas,
    get tenants() {
      return directory.all().map((t) => describeTenant(t, clock));
    },
    addTenant,
    addUser: (spec) => provisionTestUser(tenant, spec, 'create', clock.iso()),
    seededUsers,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      tenant.saveNow();
      if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

function describeTenant(t: Tenant, clock: Clock): EmulatorTenant {
  const domain = t.organization().verifiedDomains?.find((d) => d.isInitial)?.name ?? '';
  const { appId, clientSecret } = t.admin;
  return {
    tenantId: t.tenantId,
    domain,
    adminClientId: appId,
    adminClientSecret: clientSecret,
    tenant: t,
    addUser: (spec) => provisionTestUser(t, spec, 'create', clock.iso()),
  };
}
