import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { EmulatorEnv } from '../context.js';
import { foreignApplication, isMultiTenant } from '../directory.js';
import { OAuthFault } from '../errors.js';
import type { Tenant } from '../store/index.js';
import { secretHash } from '../seed.js';
import { firstPartyClient, firstPartyIdentity } from './first-party.js';
import { oauthErrors } from './oauth-errors.js';

/** The confidential client making the request, as the token service sees it (replica reads). */
export interface ClientIdentity {
  app: Application;
  sp: ServicePrincipal;
  /**
   * The tenant that registers the application and holds its credentials: the token's tenant, or — for a
   * multi-tenant app's client in a customer tenant — the app's home tenant.
   */
  home: Tenant;
}

/**
 * AADSTS7000229, 401 invalid_client: an application registered in this tenant that has no service principal here
 * (https://learn.microsoft.com/entra/identity-platform/deprecate-service-principal-less-authentication). The text and
 * `error` as observed at the token endpoint (Azure/Commercial-Marketplace-SaaS-Accelerator#830; the Teams SDK's
 * troubleshooting page quotes the whole body). That the interactive flows (authorize page, password, code, device
 * code) answer it too, rather than offering consent, is UNCONFIRMED.
 */
const missingServicePrincipal = (appId: string, tenantId: string) =>
  new OAuthFault(
    'invalid_client',
    7000229,
    `The client application ${appId} is missing service principal in the tenant ${tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
  );

/**
 * The client's application and service principal. Both must be visible: a just-created app answers
 * AADSTS700016 until it has replicated; an app of this tenant without a service principal here answers
 * AADSTS7000229; a multi-tenant app of another tenant without one here answers AADSTS700016 (it "has not been
 * installed by the administrator of the tenant").
 */
export function findClient(env: EmulatorEnv, clientId: string): ClientIdentity {
  const id = clientId.toLowerCase();
  let home = env.tenant;
  let app = env.tenant.applications.byAppId(id);
  const sp = env.tenant.servicePrincipals.byAppId(id);
  if (!app && sp) {
    // A multi-tenant app's client signs in to a customer tenant through its SP there, authenticating with the
    // credentials registered on the application in its home tenant
    // (https://learn.microsoft.com/entra/identity-platform/app-objects-and-service-principals). Once the app is
    // deleted or made single-tenant again, that fails; the code for the latter is UNCONFIRMED (700016 chosen).
    const foreign = foreignApplication(env.tenant, clientId);
    if (foreign && isMultiTenant(foreign.app) && sp.appOwnerOrganizationId?.toLowerCase() === foreign.home.tenantId.toLowerCase()) {
      app = foreign.app;
      home = foreign.home;
    }
  }
  if (!app && !sp) {
    const firstParty = firstPartyClient(id);
    if (firstParty) return { ...firstPartyIdentity(env.tenant, firstParty), home: env.tenant };
  }
  if (app && !sp && home === env.tenant) throw missingServicePrincipal(app.appId!, env.tenant.tenantId);
  if (!app || !sp) throw oauthErrors.unknownClient(clientId, env.tenant.tenantId);
  if (sp.accountEnabled === false) throw oauthErrors.clientDisabled(app.appId!, app.displayName ?? '');
  return { app, sp, home };
}

/**
 * Check a client secret. Only the sha256 of each secret is stored (internals by object id); the credential's
 * metadata (start/end) is on the passwordCredentials of the object that holds it. Secrets count from two places,
 * as in Entra: the application (in its home tenant) and the client's service principal in the token's tenant
 * (https://learn.microsoft.com/graph/api/serviceprincipal-addpassword). A secret whose addPassword has not
 * replicated yet (its keyId is not on the visible object) is refused like a wrong one, which is what makes
 * "new secret → 401 for a few seconds" reproducible
 * (https://learn.microsoft.com/entra/identity-platform/howto-create-service-principal-portal#option-3-create-a-new-client-secret).
 */
export function checkSecret(env: EmulatorEnv, client: ClientIdentity, secret: string): void {
  const { app, sp } = client;
  const hash = secretHash(secret);
  const creds = [
    ...matching(hash, client.home.applications.storedSecrets(app.id!), app.passwordCredentials, client.home.applications.master(app.id!)?.passwordCredentials),
    ...matching(
      hash,
      env.tenant.servicePrincipals.storedSecrets(sp.id!),
      sp.passwordCredentials,
      env.tenant.servicePrincipals.master(sp.id!)?.passwordCredentials,
    ),
  ];
  if (creds.length === 0) throw oauthErrors.wrongSecret(app.appId!);
  const now = env.clock.now();
  const started = (c: PasswordCredential) => !c.startDateTime || Date.parse(c.startDateTime) <= now;
  const ended = (c: PasswordCredential) => !!c.endDateTime && Date.parse(c.endDateTime) <= now;
  if (creds.some((c) => started(c) && !ended(c))) return;
  if (creds.some(ended)) throw oauthErrors.expiredSecret(app.appId!);
  // Only secrets whose startDateTime lies ahead: undocumented; refused like a wrong secret (UNCONFIRMED).
  throw oauthErrors.wrongSecret(app.appId!);
}

/** The credentials whose stored hash is `hash` and whose keyId a replica already shows (the master's metadata wins). */
function matching(
  hash: string,
  stored: Array<{ keyId: string; sha256: string }>,
  visible: PasswordCredential[] | null | undefined,
  master: PasswordCredential[] | null | undefined,
): PasswordCredential[] {
  const out: PasswordCredential[] = [];
  for (const { keyId } of stored.filter((s) => s.sha256 === hash)) {
    const seen = (visible ?? []).find((p) => p.keyId === keyId);
    if (seen) out.push((master ?? []).find((p) => p.keyId === keyId) ?? seen);
  }
  return out;
}

/** HTTP Basic client authentication (RFC 6749 §2.3.1: id and secret are form-urlencoded, then base64). */
export function basicCredentials(header: string | undefined): { clientId: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { clientId: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
}
