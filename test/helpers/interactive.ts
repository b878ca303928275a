import { ConfidentialClientApplication, CryptoProvider, PublicClientApplication } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { Emulator } from '../../src/emulator/index.js';
import { createAppWithSp, settle, uniqueName } from './directory.js';
import { msalNetworkClient, postToken } from './tokens.js';
import { grantGraphSignIn } from './users.js';

/**
 * Fixtures of the interactive flows: client registrations with redirect URIs on each platform (consented for
 * Microsoft Graph's sign-in scopes), msal-node applications pointed at the emulator, PKCE codes.
 */

export const WEB_REDIRECT = 'https://app.example.test/auth/callback';
export const SPA_REDIRECT = 'http://localhost:3000/';
export const NATIVE_REDIRECT = 'http://localhost/native';
export const SPA_ORIGIN = 'http://localhost:3000';

export interface InteractiveClient {
  app: Application;
  sp: ServicePrincipal;
  secret?: string;
}

/**
 * One application with a web (confidential: a secret), a spa and a mobile-and-desktop redirect URI, consented for
 * `User.Read openid profile offline_access` on Microsoft Graph (AllPrincipals).
 */
export async function interactiveClient(
  emu: Emulator,
  admin: Client,
  o: { web?: string[]; spa?: string[]; publicClient?: string[]; secret?: boolean; consent?: boolean; body?: Partial<Application> } = {},
): Promise<InteractiveClient> {
  const { app, sp } = await createAppWithSp(emu, admin, {
    displayName: uniqueName('interactive'),
    signInAudience: 'AzureADMyOrg',
    web: { redirectUris: o.web ?? [WEB_REDIRECT] },
    spa: { redirectUris: o.spa ?? [SPA_REDIRECT] },
    publicClient: { redirectUris: o.publicClient ?? [NATIVE_REDIRECT] },
    ...(o.body ?? {}),
  });
  let secret: string | undefined;
  if (o.secret !== false) {
    const p = (await admin.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'web' } })) as PasswordCredential;
    secret = p.secretText!;
    settle(emu);
  }
  if (o.consent !== false) await grantGraphSignIn(emu, admin, sp);
  return { app, sp, secret };
}

const authority = (emu: Emulator) => ({ authority: `${emu.authorityHost}/${emu.tenantId}`, knownAuthorities: [new URL(emu.authorityHost).host] });

export function msalWebApp(
  emu: Emulator,
  c: InteractiveClient,
  onRequest?: (method: string, url: string, body?: string) => void,
): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId: c.app.appId!, clientSecret: c.secret!, ...authority(emu) },
    system: { networkClient: msalNetworkClient(emu.ca, onRequest) },
  });
}

export function msalNativeApp(emu: Emulator, c: InteractiveClient, onRequest?: (method: string, url: string, body?: string) => void): PublicClientApplication {
  return new PublicClientApplication({
    auth: { clientId: c.app.appId!, ...authority(emu) },
    system: { networkClient: msalNetworkClient(emu.ca, onRequest) },
  });
}

export async function pkceCodes(): Promise<{ verifier: string; challenge: string }> {
  return new CryptoProvider().generatePkceCodes();
}

/** An authorize URL built by hand (for parameters msal would not send). */
export function authorizeUrl(emu: Emulator, params: Record<string, string>, tenant = emu.tenantId): string {
  return `${emu.authorityHost}/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams(params).toString()}`;
}

/** A raw authorization_code redemption, optionally cross-origin (the Origin header a browser adds). */
export function redeemCode(emu: Emulator, fields: Record<string, string>, origin?: string): Promise<Response> {
  return postToken(emu, { grant_type: 'authorization_code', ...fields }, { headers: origin ? { Origin: origin } : {} });
}
