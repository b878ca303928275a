// Types of downstream-api.mjs, for the TypeScript tests that start it.

/** The config files tenantform writes for the sample (out/DownstreamAPI/config.json, out/MiddletierAPI/config.json). */
export interface OboApiConfig {
  credentials: { tenantID: string; clientID: string; audience?: string; clientSecret?: string };
  resource?: { scope?: string[] };
  downstreamAPI?: { scopes: string[] };
  metadata?: { authority?: string; discovery?: string; version?: string };
}

export interface StartOptions {
  config: OboApiConfig;
  /** PEM of a CA to trust for the authority (the local emulator's caFile); default Node's CAs and NODE_EXTRA_CA_CERTS. */
  ca?: string;
  /** Default 7000 (downstream) / 5000 (middle tier); 0 = any free port. */
  port?: number;
  host?: string;
  /** The authority origin instead of https://<config.metadata.authority>, e.g. the emulator's authorityHost. */
  authorityHost?: string;
  /** Identifier URIs a v1 token's aud may name (default api://<clientID>). */
  identifierUris?: string[];
  log?: (line: string) => void;
}

export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function start(options: StartOptions): Promise<RunningApi>;
