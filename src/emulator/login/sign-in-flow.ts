import { randomUUID } from 'node:crypto';
import type { User } from '@microsoft/microsoft-graph-types';
import type { EmulatorEnv } from '../context.js';
import { OAuthFault } from '../errors.js';
import { html, type EmuRequest, type EmuResponse } from '../http.js';
import { authorizeError, authorizeResponse } from './authorize-response.js';
import { parseClaimsRequest } from './claims-request.js';
import { findClient, type ClientIdentity } from './client.js';
import { interactiveErrors } from './interactive-errors.js';
import { LoginNotImplemented } from './not-implemented.js';
import { userFlowErrors } from './oauth-errors.js';
import { accountsPage, credentialsPage, deviceConfirmPage, deviceDonePage, mfaPage } from './pages.js';
import {
  checkPassword,
  checkTotp,
  errorPageResponse,
  isPageFault,
  pageFields,
  PAGE_TEXT,
  requireConsent,
  scopeGroups,
  sessionCookie,
  setSessionCookie,
  signInRequirement,
} from './sign-in.js';
import type { AuthorizeRequest, PendingSignIn, SignInSession } from './sign-in-state.js';
import type { AuthMethod } from './user-token.js';

/**
 * The pages of an interactive sign-in, for both its purposes — an authorize request (ends with a code sent to the
 * redirect URI) and a device code being approved (ends with the device's confirmation page) — as one small state
 * machine kept in SignInState under a flow token:
 *
 *   credentials ──password ok──► (MFA needed?) ──► mfa ──code ok──► consent? ──► code to redirect_uri
 *        ▲                                                                  └──► (device) confirm ──► done
 *   select_account (prompt=select_account, or a device sign-in in a browser that has a session)
 *
 * Every page POSTs to `/{tenantId}/login` (ESTS posts to `/{tenant}/login` too). A session cookie remembers the
 * user and the methods used (pwd, mfa); a later authorize request in the same browser signs in without the form
 * (and prompt=none works). What Entra would show but the emulator does not model — the consent page, the MFA
 * registration interrupt, password change — answers 501 (or, where Entra shows an error, its AADSTS error page).
 */

const loginAction = (tenantId: string) => `/${tenantId}/login`;

/** The browser's session in this tenant, if its user can still sign in. */
function liveSession(env: EmulatorEnv, req: EmuRequest): SignInSession | undefined {
  const s = env.signIns.session(sessionCookie(req), env.tenant.tenantId);
  if (!s) return undefined;
  const user = env.tenant.users.visible(s.userId);
  return user && user.accountEnabled !== false ? s : undefined;
}

const sameUpn = (user: User | undefined, hint: string | undefined) => !!user && !!hint && user.userPrincipalName?.toLowerCase() === hint.trim().toLowerCase();

function appName(env: EmulatorEnv, clientId: string): string {
  try {
    const c = findClient(env, clientId);
    return c.app.displayName ?? c.sp.displayName ?? clientId;
  } catch {
    return clientId;
  }
}

// ------------------------------------------------------------------------------------------ starting

/** An authorize request that passed validation (authorize.ts): sign in with the session, or show a page. */
export function startAuthorize(env: EmulatorEnv, req: EmuRequest, request: AuthorizeRequest): EmuResponse {
  const session = liveSession(env, req);
  const sessionUser = session ? env.tenant.users.visible(session.userId) : undefined;
  const hintMismatch = !!request.loginHint && !!sessionUser && !sameUpn(sessionUser, request.loginHint);
  const base = { purpose: { kind: 'authorize' as const, request }, tenantId: env.tenant.tenantId, loginHint: request.loginHint };
  // The sign-in the session already holds: its user and how it authenticated.
  const bySession = (s: NonNullable<typeof session>) => ({
    ...base,
    step: 'credentials' as const,
    userId: s.userId,
    authMethods: s.authMethods,
    authTime: s.authTime,
    expiresAt: 0,
  });
  if (request.prompt === 'none') {
    // "If the request can't be completed silently by using single-sign on, … returns an interaction_required error";
    // no session (or a session of another user than login_hint: UNCONFIRMED) is login_required AADSTS50058.
    if (!session || hintMismatch) return authorizeError(env, request, interactiveErrors.loginRequired());
    return finish(env, req, undefined, bySession(session), true);
  }
  if (request.prompt !== 'login' && session && sessionUser) {
    if (request.prompt === 'select_account') return showAccounts(env, { ...base, step: 'select_account' }, sessionUser);
    if (!hintMismatch) return finish(env, req, undefined, bySession(session), false);
  }
  return showCredentials(env, { ...base, step: 'credentials' });
}

/** A device code entered on the verification page (device-code.ts): the account picker with a session, else the form. */
export function startDeviceSignIn(env: EmulatorEnv, req: EmuRequest, deviceCodeHash: string): EmuResponse {
  const base = { purpose: { kind: 'device' as const, deviceCodeHash }, tenantId: env.tenant.tenantId };
  const session = liveSession(env, req);
  const user = session ? env.tenant.users.visible(session.userId) : undefined;
  if (session && user) return showAccounts(env, { ...base, step: 'select_account' }, user);
  return showCredentials(env, { ...base, step: 'credentials' });
}

function clientIdOf(env: EmulatorEnv, p: Omit<PendingSignIn, 'expiresAt'>): string {
  if (p.purpose.kind === 'authorize') return p.purpose.request.clientId;
  return env.signIns.deviceCodeByHash(p.purpose.deviceCodeHash)?.clientId ?? '';
}

function showCredentials(env: EmulatorEnv, p: Omit<PendingSignIn, 'expiresAt'>, token?: string, error?: string): EmuResponse {
  const flowToken = token ?? env.signIns.begin(p);
  if (token) env.signIns.update(token, { ...p, step: 'credentials', expiresAt: env.signIns.resume(token)!.expiresAt });
  return html(
    error ? 400 : 200,
    credentialsPage({ appName: appName(env, clientIdOf(env, p)), action: loginAction(p.tenantId), flowToken, loginHint: p.loginHint, error }),
  );
}

function showAccounts(env: EmulatorEnv, p: Omit<PendingSignIn, 'expiresAt'>, user: User): EmuResponse {
  const flowToken = env.signIns.begin(p);
  return html(
    200,
    accountsPage({ appName: appName(env, clientIdOf(env, p)), action: loginAction(p.tenantId), flowToken, userPrincipalName: user.userPrincipalName! }),
  );
}

function showMfa(env: EmulatorEnv, p: PendingSignIn, token: string | undefined, error?: string): EmuResponse {
  const user = env.tenant.users.visible(p.userId!);
  let flowToken = token;
  if (flowToken) env.signIns.update(flowToken, { ...p, step: 'mfa' });
  else flowToken = env.signIns.begin({ ...p, step: 'mfa' });
  return html(
    error ? 400 : 200,
    mfaPage({ appName: appName(env, clientIdOf(env, p)), action: loginAction(p.tenantId), flowToken, userPrincipalName: user?.userPrincipalName ?? '', error }),
  );
}

// ------------------------------------------------------------------------------------------ POST /{tenant}/login

/** A page's form posted back: the step of the flow token decides what the fields mean. */
export function handleSignInPost(req: EmuRequest, env: EmulatorEnv): EmuResponse {
  const form = pageFields(req.body);
  const token = form.flowToken;
  const pending = env.signIns.resume(token);
  // AADSTS50089 "Authentication failed due to flow token expired" (reference-error-codes); `error` UNCONFIRMED.
  if (!pending || !token) return errorPageResponse(new OAuthFault('invalid_request', 50089, 'Flow token expired: authentication failed. Sign in again.'));
  if (pending.tenantId !== env.tenant.tenantId) return errorPageResponse(new OAuthFault('invalid_request', 50089, 'Flow token is not valid for this tenant.'));
  try {
    switch (pending.step) {
      case 'credentials':
        return credentialsStep(env, req, token, pending, form.username ?? '', form.password ?? '');
      case 'mfa':
        return mfaStep(env, req, token, pending, form.otp ?? '');
      case 'select_account':
        return accountStep(env, req, token, pending, form.account ?? '');
      case 'confirm':
        return confirmStep(env, req, token, pending, form.action ?? '');
    }
  } catch (e) {
    if (isPageFault(e)) return errorPageResponse(e);
    throw e;
  }
}

function credentialsStep(env: EmulatorEnv, req: EmuRequest, token: string, p: PendingSignIn, username: string, password: string): EmuResponse {
  const check = checkPassword(env, username, password);
  if (!check.ok) {
    return { ...showCredentials(env, { ...p, loginHint: username }, token, check.text), errorCode: `AADSTS${check.aadsts}` };
  }
  const next: PendingSignIn = { ...p, userId: check.user.id!, authMethods: ['pwd'], authTime: Math.floor(env.clock.now() / 1000) };
  env.signIns.update(token, next);
  return finish(env, req, token, next, false);
}

function mfaStep(env: EmulatorEnv, req: EmuRequest, token: string, p: PendingSignIn, otp: string): EmuResponse {
  if (!checkTotp(env, p.userId!, otp)) return { ...showMfa(env, p, token, PAGE_TEXT.wrongCode), errorCode: 'AADSTS50126' };
  const methods: AuthMethod[] = [...new Set([...(p.authMethods ?? ['pwd']), 'mfa' as const])];
  const next: PendingSignIn = { ...p, authMethods: methods, authTime: Math.floor(env.clock.now() / 1000) };
  env.signIns.update(token, next);
  return finish(env, req, token, next, false);
}

function accountStep(env: EmulatorEnv, req: EmuRequest, token: string, p: PendingSignIn, account: string): EmuResponse {
  const session = liveSession(env, req);
  const user = session ? env.tenant.users.visible(session.userId) : undefined;
  if (!account || !session || !sameUpn(user, account)) return showCredentials(env, { ...p, step: 'credentials' }, token);
  const next: PendingSignIn = { ...p, userId: session.userId, authMethods: session.authMethods, authTime: session.authTime };
  env.signIns.update(token, next);
  return finish(env, req, token, next, false);
}

function confirmStep(env: EmulatorEnv, req: EmuRequest, token: string, p: PendingSignIn, action: string): EmuResponse {
  if (p.purpose.kind !== 'device') return errorPageResponse(new OAuthFault('invalid_request', 50089, 'Flow token is not valid for this step.'));
  const record = env.signIns.deviceCodeByHash(p.purpose.deviceCodeHash);
  env.signIns.finish(token);
  if (!record || record.status !== 'pending')
    return errorPageResponse(new OAuthFault('invalid_request', 90120, 'The request was already authorized or declined.'));
  if (record.expiresAt <= env.clock.now()) return errorPageResponse(new OAuthFault('invalid_request', 70019, 'Verification code expired.'));
  const name = appName(env, record.clientId);
  if (action !== 'continue') {
    record.status = 'declined';
    return html(200, deviceDonePage(name, false));
  }
  Object.assign(record, { status: 'approved', userId: p.userId, authMethods: [...(p.authMethods ?? ['pwd'])], authTime: p.authTime });
  return html(200, deviceDonePage(name, true));
}

// ------------------------------------------------------------------------------------------ finishing

/**
 * The user is known (password checked, or the session): decide MFA, then consent, then answer. `silent`:
 * prompt=none, where nothing may be shown — every interaction needed becomes an error sent to the redirect URI.
 */
function finish(env: EmulatorEnv, req: EmuRequest, token: string | undefined, p: PendingSignIn, silent: boolean): EmuResponse {
  const user = env.tenant.users.visible(p.userId!);
  if (!user) return errorPageResponse(userFlowErrors.userNotFound(env.tenant.tenantId));
  if (p.purpose.kind === 'device') return finishDevice(env, req, token, p, p.purpose.deviceCodeHash);
  const request = p.purpose.request;
  const fail = (e: unknown): EmuResponse => {
    if (silent && e instanceof OAuthFault) return authorizeError(env, request, e);
    if (isPageFault(e)) return errorPageResponse(e);
    throw e;
  };
  let client: ClientIdentity;
  let groups;
  try {
    if (user.accountEnabled === false) throw userFlowErrors.userDisabled();
    client = findClient(env, request.clientId);
    groups = scopeGroups(env, request.scope, client);
  } catch (e) {
    return fail(e);
  }
  const claims = parseClaimsRequest(request.claims);
  const methods = p.authMethods ?? ['pwd'];
  const need = signInRequirement(env, {
    userId: user.id!,
    groups,
    clientAppType: request.clientAppType,
    claims,
    rawClaims: request.claims,
    authMethods: methods,
  });
  if (need.kind === 'fault') return fail(need.fault);
  if (need.kind === 'mfa') {
    if (silent) return authorizeError(env, request, interactiveErrors.mfaInteractionRequired(need.resourceAppId, need.policyIds));
    return showMfa(env, p, token);
  }
  try {
    requireConsent(env, client, user.id!, groups);
  } catch (e) {
    if (!(e instanceof OAuthFault) || e.aadsts !== 65001) return fail(e);
    if (silent) return authorizeError(env, request, interactiveErrors.consentRequired(client.app.appId!, client.app.displayName ?? ''));
    // Entra would now show its consent page (user consent to the scopes, or "Need admin approval").
    return errorPageResponse(
      new LoginNotImplemented(
        `the consent page (the client has no consent for these scopes: grant it with an oauth2PermissionGrant, or pre-authorize the client, before signing in)`,
      ),
    );
  }
  if (token) env.signIns.finish(token);
  const authTime = p.authTime ?? Math.floor(env.clock.now() / 1000);
  const cookie = env.signIns.signIn(sessionCookie(req), { tenantId: env.tenant.tenantId, userId: user.id!, authMethods: methods, authTime });
  const code = env.signIns.issueCode({
    tenantId: env.tenant.tenantId,
    clientId: client.app.appId!,
    redirectUri: request.redirectUri,
    platform: request.platform,
    scope: request.scope,
    ...(request.codeChallenge ? { codeChallenge: request.codeChallenge, codeChallengeMethod: request.codeChallengeMethod ?? 'plain' } : {}),
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    ...(request.claims !== undefined ? { claims: request.claims } : {}),
    clientAppType: request.clientAppType,
    userId: user.id!,
    authMethods: methods,
    authTime,
  });
  const fields: Record<string, string> = { code };
  if (request.clientInfo) fields.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: env.tenant.tenantId })).toString('base64url');
  fields.session_state = randomUUID();
  return authorizeResponse(request, fields, { 'Set-Cookie': setSessionCookie(cookie) });
}

/**
 * A device sign-in: MFA when the device's resource needs it (clientAppType mobileAppsAndDesktopClients), then the
 * "Are you trying to sign in to …?" page. A sign-in that cannot finish (blocked, no MFA method, no consent) shows its
 * error here and makes the device's next poll fail with the same error (UNCONFIRMED: Entra's poll answer then).
 */
function finishDevice(env: EmulatorEnv, req: EmuRequest, token: string | undefined, p: PendingSignIn, hash: string): EmuResponse {
  const record = env.signIns.deviceCodeByHash(hash);
  if (!record || record.status !== 'pending')
    return errorPageResponse(new OAuthFault('invalid_request', 90120, 'The request was already authorized or declined.'));
  const methods = p.authMethods ?? ['pwd'];
  const failDevice = (e: OAuthFault | LoginNotImplemented): EmuResponse => {
    if (e instanceof OAuthFault) record.fault = { error: e.error, aadsts: e.aadsts, message: e.message, status: e.status, extra: { ...e.extra } };
    return errorPageResponse(e);
  };
  try {
    const client = findClient(env, record.clientId);
    const groups = scopeGroups(env, record.scope, client);
    const claims = parseClaimsRequest(record.claims);
    const need = signInRequirement(env, {
      userId: p.userId!,
      groups,
      clientAppType: 'mobileAppsAndDesktopClients',
      claims,
      rawClaims: record.claims,
      authMethods: methods,
    });
    if (need.kind === 'fault') return failDevice(need.fault);
    if (need.kind === 'mfa') return showMfa(env, p, token);
    try {
      requireConsent(env, client, p.userId!, groups);
    } catch (e) {
      if (e instanceof OAuthFault && e.aadsts === 65001) {
        failDevice(e);
        return errorPageResponse(new LoginNotImplemented('the consent page (grant the client consent for these scopes before signing in)'));
      }
      throw e;
    }
  } catch (e) {
    if (isPageFault(e)) return failDevice(e);
    throw e;
  }
  const authTime = p.authTime ?? Math.floor(env.clock.now() / 1000);
  const cookie = env.signIns.signIn(sessionCookie(req), { tenantId: env.tenant.tenantId, userId: p.userId!, authMethods: methods, authTime });
  const next: PendingSignIn = { ...p, step: 'confirm', authMethods: methods, authTime, expiresAt: p.expiresAt };
  let flowToken = token;
  if (flowToken) env.signIns.update(flowToken, next);
  else flowToken = env.signIns.begin(next);
  const user = env.tenant.users.visible(p.userId!);
  return html(
    200,
    deviceConfirmPage({ appName: appName(env, record.clientId), action: loginAction(p.tenantId), flowToken, userPrincipalName: user?.userPrincipalName ?? '' }),
    { 'Set-Cookie': setSessionCookie(cookie) },
  );
}
