import { randomUUID } from 'node:crypto';
import type { User } from '@microsoft/microsoft-graph-types';
import { verifySync } from 'otplib';
import type { EmulatorEnv } from '../context.js';
import { OAuthFault } from '../errors.js';
import { html, type EmuRequest, type EmuResponse } from '../http.js';
import { verifyPassword } from '../users.js';
import { conditionalAccessFault, evaluateConditionalAccess, type ClientAppType } from './ca-evaluation.js';
import type { ClaimsRequest } from './claims-request.js';
import type { ClientIdentity } from './client.js';
import { consentedScopes } from './consent.js';
import { OIDC_SCOPES, parseDelegatedScopes, type DelegatedScopes } from './delegated-scope.js';
import { LoginNotImplemented } from './not-implemented.js';
import { userFlowErrors } from './oauth-errors.js';
import { errorPage } from './pages.js';
import type { AuthMethod } from './user-token.js';

/**
 * What the interactive sign-ins share (the authorize endpoint's pages and the device code verification page): the
 * session cookie, checking a password and a TOTP code, deciding whether the sign-in needs the MFA step, the scopes of
 * an authorize request, and the error page.
 */

/** The session cookie on the emulator's origin (Entra's is ESTSAUTH on login.microsoftonline.com). */
export const SESSION_COOKIE = 'tenantform_emulator_session';

export function sessionCookie(req: EmuRequest): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * `SameSite=None; Secure` so a single-page app's hidden-iframe silent sign-in (prompt=none, another origin) still
 * sends it, as ESTS's cookies are; HttpOnly; a browser-session cookie (no expiry).
 */
export function setSessionCookie(value: string): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Secure; HttpOnly; SameSite=None`;
}

/** The fields of a page's form post (x-www-form-urlencoded, parsed by the pipeline), as strings. */
export function pageFields(body: unknown): Record<string, string | undefined> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The page texts Entra shows for a wrong username / password / code (the AADSTS code goes to the request log). */
export const PAGE_TEXT = {
  unknownUser: 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.',
  wrongPassword: "Your account or password is incorrect. If you don't remember your password, reset it now.",
  wrongCode: "You didn't enter the expected verification code. Please try again.",
};

export type PasswordCheck = { ok: true; user: User } | { ok: false; aadsts: 50034 | 50126; text: string };

/** A username and password typed on the page, checked as the password grant checks them (users.ts scrypt). */
export function checkPassword(env: EmulatorEnv, username: string, password: string): PasswordCheck {
  const user = env.tenant.users.byUserPrincipalName(username.trim());
  if (!user) return { ok: false, aadsts: 50034, text: PAGE_TEXT.unknownUser };
  const credentials = env.tenant.users.credentials(user.id!);
  if (!credentials || password === '' || !verifyPassword(password, credentials.password)) return { ok: false, aadsts: 50126, text: PAGE_TEXT.wrongPassword };
  if (user.accountEnabled === false) throw userFlowErrors.userDisabled();
  // Entra would now ask for a new password; the emulator has no password-change page.
  if (credentials.forceChangePasswordNextSignIn)
    throw new LoginNotImplemented('changing an expired password on the sign-in page (forceChangePasswordNextSignIn)');
  return { ok: true, user };
}

/**
 * A TOTP code (RFC 6238: 6 digits, 30 s steps, SHA-1 — what authenticator apps use) checked with otplib against the
 * user's secret at the EMULATOR's time, so tests that advance the clock generate codes for that time. One step of
 * drift either way is accepted (UNCONFIRMED: Entra's tolerance for authenticator codes is not documented).
 */
export function checkTotp(env: EmulatorEnv, userId: string, code: string): boolean {
  const secret = env.tenant.users.credentials(userId)?.totpSecret;
  if (!secret || !/^\d{6}$/.test(code.trim())) return false;
  try {
    return verifySync({ secret, token: code.trim(), epoch: Math.floor(env.clock.now() / 1000), epochTolerance: 30 }).valid;
  } catch {
    return false;
  }
}

/** Whether the user has an MFA method the emulator can check (a TOTP authenticator). */
export function hasMfaMethod(env: EmulatorEnv, userId: string): boolean {
  return !!env.tenant.users.credentials(userId)?.totpSecret;
}

/**
 * The resources of an authorize request's `scope` ("For the /authorize leg … this parameter can cover multiple
 * resources", v2-oauth2-auth-code-flow): one DelegatedScopes per resource, each with the OIDC scopes, in the order
 * the request names them. Only OIDC scopes: one group, for Microsoft Graph. Errors are parseDelegatedScopes's
 * (unknown resource AADSTS500011, unknown scope 650053, …).
 */
export function scopeGroups(env: EmulatorEnv, scope: string, client: ClientIdentity): DelegatedScopes[] {
  const parts = scope.split(/\s+/).filter(Boolean);
  const isOidc = (p: string) => (OIDC_SCOPES as readonly string[]).includes(p.toLowerCase());
  const oidc = parts.filter(isOidc);
  const named = parts.filter((p) => !isOidc(p));
  if (named.length === 0) return [parseDelegatedScopes(env, scope, client.app)];
  const byResource = new Map<string, string[]>();
  for (const p of named) {
    const one = parseDelegatedScopes(env, p, client.app);
    const key = one.resource.sp.id!;
    byResource.set(key, [...(byResource.get(key) ?? []), p]);
  }
  return [...byResource.values()].map((values) => parseDelegatedScopes(env, [...values, ...oidc].join(' '), client.app));
}

/** The claims parameter asks for MFA outright: `amr` with `mfa` in the ID or access token request (OIDC §5.5). */
export function claimsAskForMfa(raw: string | undefined): boolean {
  if (!raw) return false;
  try {
    const parsed = JSON.parse(raw) as Record<string, Record<string, { values?: unknown; value?: unknown }>>;
    for (const target of ['id_token', 'access_token']) {
      const amr = parsed?.[target]?.amr;
      const values = Array.isArray(amr?.values) ? amr.values : amr?.value !== undefined ? [amr.value] : [];
      if (values.includes('mfa')) return true;
    }
  } catch {
    // parseClaimsRequest answers a claims parameter that is not JSON.
  }
  return false;
}

export type SignInRequirement =
  | { kind: 'ok' }
  /** The MFA step is needed (a policy for one of the resources, or the request's claims). */
  | { kind: 'mfa'; resourceAppId: string; policyIds: string[] }
  /** The sign-in cannot finish: block (53003), MFA without a method (50079), an unsatisfiable control. */
  | { kind: 'fault'; fault: OAuthFault | LoginNotImplemented };

/**
 * Does this sign-in need more than it did? Conditional access is evaluated for every resource of the request
 * (ca-evaluation.ts) with the authentication done so far; a claims challenge sent back (`capolids`, from an
 * AADSTS50076 answer or an API's insufficient_claims) or `amr: mfa` asks for the MFA step even where no policy
 * applies to this request ("A claims parameter on /authorize forces the MFA step", issue 11).
 */
export function signInRequirement(
  env: EmulatorEnv,
  f: { userId: string; groups: DelegatedScopes[]; clientAppType: ClientAppType; claims: ClaimsRequest; rawClaims?: string; authMethods: AuthMethod[] },
): SignInRequirement {
  const mfaDone = f.authMethods.includes('mfa');
  const userHasMfaMethod = hasMfaMethod(env, f.userId);
  for (const g of f.groups) {
    const resourceAppId = g.resource.sp.appId!;
    const decision = evaluateConditionalAccess(env.tenant, {
      userId: f.userId,
      resourceAppId,
      clientAppType: f.clientAppType,
      mfaDone,
      userHasMfaMethod,
      requestedAuthContexts: f.claims.acrs,
    });
    if (decision.kind === 'allow') continue;
    if (decision.kind === 'mfa' && !decision.enrollmentRequired) return { kind: 'mfa', resourceAppId, policyIds: decision.policyIds };
    return { kind: 'fault', fault: conditionalAccessFault(decision, resourceAppId) };
  }
  if (!mfaDone && (f.claims.capolids.length > 0 || claimsAskForMfa(f.rawClaims))) {
    const resourceAppId = f.groups[0].resource.sp.appId!;
    if (!userHasMfaMethod) return { kind: 'fault', fault: userFlowErrors.mfaEnrollmentRequired(resourceAppId, f.claims.capolids) };
    return { kind: 'mfa', resourceAppId, policyIds: f.claims.capolids };
  }
  return { kind: 'ok' };
}

/** Consent for every resource of the request (consent.ts); throws AADSTS65001 consent_required when one is missing. */
export function requireConsent(env: EmulatorEnv, client: ClientIdentity, userId: string, groups: DelegatedScopes[]): void {
  for (const g of groups) consentedScopes(env, { client, resource: g.resource.sp, userId, requested: g.values });
}

/**
 * The error page of the sign-in (Entra's "Sorry, but we're having trouble signing you in." with the AADSTS code):
 * for errors that may not be sent to the redirect URI (an unknown client or redirect URI) and for the ones a person
 * must read (a blocked sign-in). Status 400 (UNCONFIRMED: Entra renders these pages with 200); 501 for what the
 * emulator does not model.
 */
export function errorPageResponse(e: OAuthFault | LoginNotImplemented, headers: Record<string, string> = {}): EmuResponse {
  const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  if (e instanceof LoginNotImplemented) {
    return {
      ...html(501, errorPage({ code: 'not_implemented', message: e.message, correlationId: randomUUID(), timestamp }), headers),
      errorCode: 'not_implemented',
    };
  }
  return {
    ...html(e.status === 401 ? 400 : e.status, errorPage({ code: `AADSTS${e.aadsts}`, message: e.message, correlationId: randomUUID(), timestamp }), headers),
    errorCode: `AADSTS${e.aadsts}`,
  };
}

/** Faults a page shows rather than throws further up: OAuth faults and not-implemented ones. */
export function isPageFault(e: unknown): e is OAuthFault | LoginNotImplemented {
  return e instanceof OAuthFault || e instanceof LoginNotImplemented;
}
