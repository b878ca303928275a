import { randomUUID } from 'node:crypto';
import { PublicClientApplication } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, OAuth2PermissionGrant, OptionalClaims, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { Emulator } from '../../src/emulator/index.js';
import { createAppWithSp, msGraphSp, settle } from './directory.js';
import { msalNetworkClient, postToken } from './tokens.js';

/**
 * Fixtures for the user flows (test users, delegated tokens, consent, conditional access), all made through Graph
 * with the admin client, and the msal-node public client that signs users in.
 */

/** A msal-node public client (no credential) against the emulator: knownAuthorities + the in-process CA trust. */
export function msalPublicApp(
  emu: Emulator,
  clientId: string,
  o: { clientCapabilities?: string[]; onRequest?: (method: string, url: string, body?: string) => void } = {},
): PublicClientApplication {
  return new PublicClientApplication({
    auth: {
      clientId,
      authority: `${emu.authorityHost}/${emu.tenantId}`,
      knownAuthorities: [new URL(emu.authorityHost).host],
      ...(o.clientCapabilities ? { clientCapabilities: o.clientCapabilities } : {}),
    },
    system: { networkClient: msalNetworkClient(emu.ca, o.onRequest) },
  });
}

export interface ApiFixture {
  app: Application;
  sp: ServicePrincipal;
  /** Scope ids by value. */
  scopeIds: Record<string, string>;
}

/** A web API registration exposing delegated scopes, with its service principal (both replicated). */
export async function createApi(
  emu: Emulator,
  admin: Client,
  o: { scopes?: string[]; requestedAccessTokenVersion?: 1 | 2 | null; optionalClaims?: OptionalClaims; displayName?: string } = {},
): Promise<ApiFixture> {
  const scopeIds: Record<string, string> = {};
  const oauth2PermissionScopes = (o.scopes ?? ['access_as_user']).map((value) => {
    scopeIds[value] = randomUUID();
    return {
      id: scopeIds[value],
      value,
      type: 'User',
      isEnabled: true,
      adminConsentDisplayName: value,
      adminConsentDescription: value,
      userConsentDisplayName: value,
      userConsentDescription: value,
    };
  });
  const { app, sp } = await createAppWithSp(emu, admin, {
    ...(o.displayName ? { displayName: o.displayName } : {}),
    api: { requestedAccessTokenVersion: o.requestedAccessTokenVersion ?? null, oauth2PermissionScopes },
    ...(o.optionalClaims ? { optionalClaims: o.optionalClaims } : {}),
  });
  // identifierUris api://{appId} needs the appId: a second write.
  await admin.api(`/applications/${app.id}`).patch({ identifierUris: [`api://${app.appId}`] });
  settle(emu);
  const fresh = (await admin.api(`/applications/${app.id}`).get()) as Application;
  const freshSp = (await admin.api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal;
  return { app: fresh, sp: freshSp, scopeIds };
}

export interface ClientFixture {
  app: Application;
  sp: ServicePrincipal;
  /** The client secret (confidential clients only). */
  secret?: string;
}

/** A client application: public (`isFallbackPublicClient: true`) or confidential (with a secret). */
export async function createClient(emu: Emulator, admin: Client, o: { public?: boolean; displayName?: string } = {}): Promise<ClientFixture> {
  const { app, sp } = await createAppWithSp(emu, admin, {
    ...(o.displayName ? { displayName: o.displayName } : {}),
    ...(o.public ? { isFallbackPublicClient: true } : {}),
  });
  if (o.public) return { app, sp };
  const password = (await admin.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'test' } })) as PasswordCredential;
  settle(emu);
  return { app, sp, secret: password.secretText! };
}

/** An oauth2PermissionGrant (admin consent for everyone, or one user's consent). */
export async function grant(
  emu: Emulator,
  admin: Client,
  clientSp: ServicePrincipal,
  resourceSp: ServicePrincipal,
  scope: string,
  principalId?: string,
): Promise<OAuth2PermissionGrant> {
  const g = (await admin.api('/oauth2PermissionGrants').post({
    clientId: clientSp.id,
    resourceId: resourceSp.id,
    consentType: principalId ? 'Principal' : 'AllPrincipals',
    ...(principalId ? { principalId } : {}),
    scope,
  })) as OAuth2PermissionGrant;
  settle(emu);
  return g;
}

/** Admin consent for Microsoft Graph's sign-in scopes (what the portal's "Grant admin consent" records for User.Read). */
export async function grantGraphSignIn(emu: Emulator, admin: Client, clientSp: ServicePrincipal): Promise<OAuth2PermissionGrant> {
  return grant(emu, admin, clientSp, await msGraphSp(admin), 'User.Read openid profile offline_access');
}

/** A password-grant request as a raw form (for the answers msal would hide). */
export function passwordGrant(emu: Emulator, fields: Record<string, string>, o: { tenant?: string } = {}): Promise<Response> {
  return postToken(emu, { grant_type: 'password', ...fields }, o);
}

/** A conditional access policy through Graph (enabled unless told otherwise), replicated. */
export async function createPolicy(emu: Emulator, admin: Client, body: Record<string, unknown>): Promise<{ id: string }> {
  const p = (await admin.api('/identity/conditionalAccess/policies').post({
    displayName: `ca-${randomUUID().slice(0, 8)}`,
    state: 'enabled',
    grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    ...body,
    conditions: {
      clientAppTypes: ['all'],
      applications: { includeApplications: ['All'] },
      users: { includeUsers: ['All'] },
      ...((body.conditions as object) ?? {}),
    },
  })) as { id: string };
  settle(emu);
  return p;
}
