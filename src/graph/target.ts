import { ClientSecretCredential, DefaultAzureCredential, DeviceCodeCredential, type TokenCredential } from '@azure/identity';
import { credentialOptions, DEFAULT_AUTHORITY_HOST } from './authority.js';
import { checkHttpsUrl, checkTenant } from './target-check.js';

export interface TargetOptions {
  /** 'local' (the embedded emulator; default), a tenant id, or a tenant domain. */
  tenant?: string;
  graphUrl?: string;
  authorityHost?: string;
  auth?: 'default' | 'device-code';
  /**
   * The public client device code sign-in uses (`--client-id`): an app registration of the tenant with "allow
   * public client flows" and the Graph delegated permissions tenantform needs, admin-consented. Default: the Azure
   * CLI's first-party client, which every tenant accepts without a registration but which is pre-authorized for a
   * fixed set of Graph permissions only (no conditional access policies: Azure/azure-cli#22775).
   */
  clientId?: string;
  /**
   * Where the device code sign-in's instruction goes ("open … and enter the code …"); default stderr, so stdout
   * stays the command's output (JSON with --json). @azure/identity's own default is console.log.
   */
  devicePrompt?: (message: string) => void;
  /** State file of the local tenant. */
  localStateFile?: string;
  /** Port of the local tenant. */
  localPort?: number;
  /** An explicit credential (programmatic API, tests). */
  credential?: TokenCredential;
  /** Extra CA to trust (a separately started emulator). */
  ca?: string;
  /** Environment (AZURE_AUTHORITY_HOST, TENANTFORM_LOCAL_PORT); default process.env, read when resolving, never at load. */
  env?: Readonly<Record<string, string | undefined>>;
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
  /** Which flag (or environment variable) chose graphUrl / authorityHost, when the user did: named in network errors. */
  flags?: { graphUrl?: string; authorityHost?: string };
  close(): Promise<void>;
}

/** A remote tenant: the given credential, device code sign-in, or DefaultAzureCredential for that tenant. */
export function remoteTarget(tenant: string, opts: TargetOptions): Target {
  checkTenant(tenant, '--tenant', { local: false });
  if (opts.graphUrl) checkHttpsUrl(opts.graphUrl, '--graph-url');
  if (opts.authorityHost) checkHttpsUrl(opts.authorityHost, '--authority-host');
  else if (opts.env?.AZURE_AUTHORITY_HOST) checkHttpsUrl(opts.env.AZURE_AUTHORITY_HOST, 'AZURE_AUTHORITY_HOST');
  const authorityHost = opts.authorityHost ?? opts.env?.AZURE_AUTHORITY_HOST ?? DEFAULT_AUTHORITY_HOST;
  const graphUrl = opts.graphUrl ?? 'https://graph.microsoft.com';
  const flags = {
    graphUrl: opts.graphUrl ? '--graph-url' : undefined,
    authorityHost: opts.authorityHost ? '--authority-host' : opts.env?.AZURE_AUTHORITY_HOST ? 'AZURE_AUTHORITY_HOST' : undefined,
  };
  const common = credentialOptions(authorityHost, opts.ca);
  const credential =
    opts.credential ?? (opts.auth === 'device-code' ? deviceCodeCredential(tenant, common, opts) : new DefaultAzureCredential({ tenantId: tenant, ...common }));
  return { kind: 'remote', tenant, graphUrl, authorityHost, credential, ca: opts.ca, flags, close: async () => {} };
}

/** A client secret credential for a tenant (the local tenant's admin client, a home tenant's CI client). */
export function secretCredential(o: { tenantId: string; clientId: string; secret: string; authorityHost: string; ca?: string }): TokenCredential {
  return new ClientSecretCredential(o.tenantId, o.clientId, o.secret, credentialOptions(o.authorityHost, o.ca));
}

/** Device code sign-in for people: the instruction on stderr (or `devicePrompt`), the given public client or the Azure CLI's. */
function deviceCodeCredential(tenant: string, common: ReturnType<typeof credentialOptions>, opts: TargetOptions): TokenCredential {
  const prompt = opts.devicePrompt ?? ((message: string) => process.stderr.write(`${message}\n`));
  return new DeviceCodeCredential({
    tenantId: tenant,
    ...common,
    ...(opts.clientId ? { clientId: opts.clientId } : {}),
    userPromptCallback: (info) => prompt(info.message),
  });
}
