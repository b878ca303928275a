import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { ClientCertificateCredential } from '@azure/identity';
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import type { AppRole, Application, KeyCredential, OptionalClaims, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { generate } from 'selfsigned';
import { Agent } from 'undici';
import type { Emulator } from '../../src/emulator/index.js';
import { newSecretText, secretHash } from '../../src/emulator/seed.js';

/**
 * Token-test helpers: msal-node and @azure/identity clients trusting the emulator in process, JWT checks
 * through discovery + JWKS, and directory fixtures written straight into the emulator's state (allowed for
 * token-only tests; the e2e scenario builds everything through Graph).
 */

/** msal-node 7 has no CA option; this INetworkModule over https.request trusts the emulator (sdk-against-local-endpoints.md). */
export function msalNetworkClient(ca: string, onRequest?: (method: string, url: string, body?: string) => void): INetworkModule {
  const send = <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> =>
    new Promise((resolve, reject) => {
      onRequest?.(method, url, options?.body);
      const req = request(url, { method, headers: options?.headers ?? {}, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          try {
            resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(text) as T });
          } catch (e) {
            reject(e);
          }
        });
      });
      req.on('error', reject);
      if (options?.body) req.write(options.body);
      req.end();
    });
  return { sendGetRequestAsync: (url, options) => send('GET', url, options), sendPostRequestAsync: (url, options) => send('POST', url, options) };
}

export type MsalCredential =
  { clientSecret: string } | { clientCertificate: { thumbprint?: string; thumbprintSha256?: string; privateKey: string; x5c?: string } };

/** A msal-node confidential client against the emulator (knownAuthorities skips online instance discovery). */
export function msalApp(
  emu: Emulator,
  clientId: string,
  credential: MsalCredential,
  o: { tenant?: string; onRequest?: (method: string, url: string, body?: string) => void } = {},
): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId, authority: `${emu.authorityHost}/${o.tenant ?? emu.tenantId}`, knownAuthorities: [new URL(emu.authorityHost).host], ...credential },
    system: { networkClient: msalNetworkClient(emu.ca, o.onRequest) },
  });
}

/** GET on the authority host with the emulator's CA trusted. */
export function loginFetch(emu: Emulator, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${emu.authorityHost}${path}`, { ...init, dispatcher: new Agent({ connect: { ca: emu.ca } }) } as RequestInit);
}

/** POST a raw form to the token endpoint (for error cases the SDKs would refuse to send). */
export function postToken(emu: Emulator, fields: Record<string, string>, opts: { tenant?: string; headers?: Record<string, string> } = {}) {
  return loginFetch(emu, `/${opts.tenant ?? emu.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8', ...(opts.headers ?? {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  correlation_id: string;
  trace_id: string;
  timestamp: string;
}

/** Verify a token the way a web API does: discovery document → jwks_uri → local JWK set → jwtVerify with the issuer. */
export async function verifyWithDiscovery(emu: Emulator, token: string, version: '1.0' | '2.0' = '2.0'): Promise<{ payload: JWTPayload; issuer: string }> {
  const docPath = version === '2.0' ? `/${emu.tenantId}/v2.0/.well-known/openid-configuration` : `/${emu.tenantId}/.well-known/openid-configuration`;
  const doc = (await (await loginFetch(emu, docPath)).json()) as { issuer: string; jwks_uri: string };
  const jwks = await (await fetch(doc.jwks_uri, { dispatcher: new Agent({ connect: { ca: emu.ca } }) } as RequestInit)).json();
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), {
    issuer: doc.issuer,
    currentDate: new Date(emu.clock.now()),
  });
  return { payload, issuer: doc.issuer };
}

// ---------------------------------------------------------------------------------------------------
// Fixtures written into the emulator state (token tests only).

export interface AppFixture {
  app: Application;
  sp?: ServicePrincipal;
}

export interface AppFixtureOptions {
  displayName?: string;
  identifierUris?: string[];
  roles?: Array<{ value: string; isEnabled?: boolean }>;
  requestedAccessTokenVersion?: 1 | 2 | null;
  optionalClaims?: OptionalClaims | null;
  appRoleAssignmentRequired?: boolean;
  accountEnabled?: boolean;
  /** Create the service principal too (default true). */
  servicePrincipal?: boolean;
}

export function addApp(emu: Emulator, o: AppFixtureOptions = {}): AppFixture {
  const id = randomUUID();
  const appId = randomUUID();
  const displayName = o.displayName ?? `app-${appId.slice(0, 8)}`;
  const appRoles: AppRole[] = (o.roles ?? []).map((r) => ({
    id: randomUUID(),
    value: r.value,
    displayName: r.value,
    description: r.value,
    allowedMemberTypes: ['Application'],
    isEnabled: r.isEnabled ?? true,
  }));
  const identifierUris = (o.identifierUris ?? []).map((u) => u.replace('{appId}', appId));
  const app: Application = {
    id,
    appId,
    displayName,
    identifierUris,
    appRoles,
    keyCredentials: [],
    passwordCredentials: [],
    api: { requestedAccessTokenVersion: o.requestedAccessTokenVersion ?? null, oauth2PermissionScopes: [] },
    optionalClaims: o.optionalClaims ?? null,
    signInAudience: 'AzureADMyOrg',
  };
  emu.tenant.applications.create(app, []);
  if (o.servicePrincipal === false) return { app };
  const sp: ServicePrincipal = {
    id: randomUUID(),
    appId,
    appDisplayName: displayName,
    displayName,
    accountEnabled: o.accountEnabled ?? true,
    appRoleAssignmentRequired: o.appRoleAssignmentRequired ?? false,
    appRoles: structuredClone(appRoles),
    servicePrincipalNames: [appId, ...identifierUris],
    servicePrincipalType: 'Application',
  };
  emu.tenant.servicePrincipals.create(sp);
  return { app, sp };
}

/** Current master value of an application (after fixture edits). */
function masterApp(emu: Emulator, app: Application): Application {
  return emu.tenant.applications.master(app.id!)!;
}

/** Like addPassword: a new secret (hash in internals, metadata on the application). Returns the secret text. */
export function addSecret(emu: Emulator, app: Application, o: { startDateTime?: string; endDateTime?: string } = {}): string {
  const secret = newSecretText();
  const keyId = randomUUID();
  const credential = {
    keyId,
    displayName: 'test',
    hint: secret.slice(0, 3),
    startDateTime: o.startDateTime ?? new Date(emu.clock.now() - 60_000).toISOString(),
    endDateTime: o.endDateTime ?? new Date(emu.clock.now() + 365 * 86_400_000).toISOString(),
  };
  emu.tenant.applications.addPassword(app.id!, credential, secretHash(secret));
  return secret;
}

export interface TestCert {
  certPem: string;
  keyPem: string;
  /** hex SHA-1 / SHA-256 thumbprints (what msal-node's clientCertificate wants). */
  sha1Hex: string;
  sha256Hex: string;
  derBase64: string;
}

export async function makeCert(cn = 'tenantform test client'): Promise<TestCert> {
  const r = await generate([{ name: 'commonName', value: cn }], { keySize: 2048, algorithm: 'sha256' });
  const raw = new X509Certificate(r.cert).raw;
  return {
    certPem: r.cert,
    keyPem: r.private,
    sha1Hex: createHash('sha1').update(raw).digest('hex').toUpperCase(),
    sha256Hex: createHash('sha256').update(raw).digest('hex').toUpperCase(),
    derBase64: raw.toString('base64'),
  };
}

/** Register a certificate on an application as Graph stores it (AsymmetricX509Cert / Verify, key = base64 DER). */
export function addCert(emu: Emulator, app: Application, cert: TestCert, o: { startDateTime?: string; endDateTime?: string } = {}): KeyCredential {
  const cred: KeyCredential = {
    keyId: randomUUID(),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    key: cert.derBase64,
    customKeyIdentifier: Buffer.from(cert.sha1Hex, 'hex').toString('base64'),
    displayName: 'CN=test',
    startDateTime: o.startDateTime ?? new Date(emu.clock.now() - 60_000).toISOString(),
    endDateTime: o.endDateTime ?? new Date(emu.clock.now() + 365 * 86_400_000).toISOString(),
  };
  const current = masterApp(emu, app);
  emu.tenant.applications.update({ ...current, keyCredentials: [...(current.keyCredentials ?? []), cred] });
  return cred;
}

/** Admin consent for app roles: appRoleAssignments of the client SP on the resource SP. */
export function assignRoles(emu: Emulator, client: ServicePrincipal, resource: ServicePrincipal, values: string[]): void {
  for (const value of values) {
    const role = resource.appRoles?.find((r) => r.value === value);
    if (!role) throw new Error(`no role ${value}`);
    const id = randomBytes(32).toString('base64url').slice(0, 43);
    emu.tenant.appRoleAssignments.create({
      id,
      appRoleId: role.id,
      principalId: client.id,
      principalType: 'ServicePrincipal',
      principalDisplayName: client.displayName,
      resourceId: resource.id,
      resourceDisplayName: resource.displayName,
    });
  }
}

/** A ClientCertificateCredential (PEM with key + certificate) against the emulator. */
export function certificateCredential(emu: Emulator, clientId: string, cert: TestCert, sendCertificateChain = false): ClientCertificateCredential {
  return new ClientCertificateCredential(
    emu.tenantId,
    clientId,
    { certificate: `${cert.keyPem}\n${cert.certPem}` },
    { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emu.ca }, sendCertificateChain },
  );
}
