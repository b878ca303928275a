import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../faults.js';
import type { RedirectPlatform } from './redirect-uri.js';

// Structural copies of user-token.ts's AuthMethod and ca-evaluation.ts's ClientAppType: EmulatorEnv (context.ts)
// names this module, so it may import nothing that imports the context back (no import cycles).
type AuthMethod = 'pwd' | 'mfa';
type ClientAppType = 'browser' | 'mobileAppsAndDesktopClients' | 'exchangeActiveSync' | 'other';

/**
 * What the interactive flows keep between requests, in memory (one per emulator, shared by its tenants; a restart
 * forgets it, as closing the browser forgets a session): sign-in sessions (the cookie), sign-ins in progress (the
 * pages' flow token), authorization codes and device codes. Codes and cookies are kept by their sha256 only.
 * Every expiry is on the emulator's clock, so tests advance time instead of waiting.
 */

/** A signed-in browser: who, how (amr) and when. The cookie names it. */
export interface SignInSession {
  tenantId: string;
  userId: string;
  authMethods: AuthMethod[];
  /** Unix seconds of the authentication. */
  authTime: number;
}

/** A validated authorize request, kept while the user goes through the pages. */
export interface AuthorizeRequest {
  tenantId: string;
  /** The `{tenant}` segment as the request named it (error texts). */
  tenantSegment: string;
  clientId: string;
  redirectUri: string;
  platform: RedirectPlatform;
  responseMode: 'query' | 'fragment' | 'form_post';
  scope: string;
  state?: string;
  nonce?: string;
  prompt?: string;
  loginHint?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** The `claims` parameter as sent (xms_cc, acrs, a capolids challenge). */
  claims?: string;
  clientAppType: ClientAppType;
  /** client_info=1 was sent (msal does): the answer carries client_info. */
  clientInfo: boolean;
}

/** A sign-in in progress between two pages (credentials → MFA → device confirmation). */
export interface PendingSignIn {
  /** An authorize request, or the device code (its hash) being approved. */
  purpose: { kind: 'authorize'; request: AuthorizeRequest } | { kind: 'device'; deviceCodeHash: string };
  tenantId: string;
  step: 'credentials' | 'mfa' | 'select_account' | 'confirm';
  loginHint?: string;
  /** Set once the password was checked. */
  userId?: string;
  authMethods?: AuthMethod[];
  authTime?: number;
  expiresAt: number;
}

/** An authorization code issued by /authorize: single use, 10 minutes, bound to client, redirect URI and PKCE. */
export interface AuthorizationCodeRecord {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  platform: RedirectPlatform;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  nonce?: string;
  claims?: string;
  clientAppType: ClientAppType;
  userId: string;
  authMethods: AuthMethod[];
  authTime: number;
  issuedAt: number;
  expiresAt: number;
  redeemed: boolean;
}

/** A device authorization (POST /devicecode) and what the user did with it on the verification page. */
export interface DeviceCodeRecord {
  tenantId: string;
  clientId: string;
  scope: string;
  claims?: string;
  userCode: string;
  issuedAt: number;
  expiresAt: number;
  status: 'pending' | 'approved' | 'declined' | 'redeemed';
  userId?: string;
  authMethods?: AuthMethod[];
  authTime?: number;
  /** A sign-in that could not finish (blocked, no consent, …): the error the next poll answers. */
  fault?: { error: string; aadsts: number; message: string; status: number; extra: { suberror?: string; claims?: string } };
}

/** Authorization codes live about ten minutes ("Typically, they expire after about 10 minutes", v2-oauth2-auth-code-flow). */
export const AUTHORIZATION_CODE_LIFETIME_MS = 10 * 60_000;
/** "From the moment the request is sent, the user has 15 minutes to sign in" (v2-oauth2-device-code): expires_in 900. */
export const DEVICE_CODE_LIFETIME_SECONDS = 900;
/** How long the pages of one sign-in stay usable (UNCONFIRMED: Entra's flow token lifetime is not documented). */
const PENDING_LIFETIME_MS = 60 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** Letters and digits of Entra's user codes as observed (`FRWQDE7YL`, `A62NXK96N`): nine, upper case. */
const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export class SignInState {
  private readonly sessions = new Map<string, SignInSession[]>();
  private readonly pending = new Map<string, PendingSignIn>();
  private readonly codes = new Map<string, AuthorizationCodeRecord>();
  private readonly deviceCodes = new Map<string, DeviceCodeRecord>();
  private readonly userCodes = new Map<string, string>();

  /** The `interval` /devicecode answers: Entra's 5 seconds, or what the emulator was started with (tests: 0). */
  readonly deviceCodeIntervalSeconds: number;

  constructor(
    private readonly clock: Clock,
    o: { deviceCodeIntervalSeconds?: number } = {},
  ) {
    const interval = o.deviceCodeIntervalSeconds ?? 5;
    if (!Number.isInteger(interval) || interval < 0)
      throw new Error(`emulator option deviceCodeIntervalSeconds must be a non-negative integer, got ${interval}`);
    this.deviceCodeIntervalSeconds = interval;
  }

  // ---- sessions: one cookie value names the browser; it holds a session per tenant it signed in to

  /** The browser's session in a tenant, from the cookie value. */
  session(cookie: string | undefined, tenantId: string): SignInSession | undefined {
    if (!cookie) return undefined;
    return this.sessions.get(sha256(cookie))?.find((s) => s.tenantId === tenantId);
  }

  /** Record a sign-in for this browser (a new cookie value when it had none); returns the cookie value. */
  signIn(cookie: string | undefined, session: SignInSession): string {
    const value = cookie && this.sessions.has(sha256(cookie)) ? cookie : randomBytes(32).toString('base64url');
    const key = sha256(value);
    const others = (this.sessions.get(key) ?? []).filter((s) => s.tenantId !== session.tenantId);
    this.sessions.set(key, [...others, { ...session, authMethods: [...session.authMethods] }]);
    return value;
  }

  // ---- sign-ins in progress (the flow token of the pages)

  begin(p: Omit<PendingSignIn, 'expiresAt'>): string {
    const token = randomBytes(32).toString('base64url');
    this.pending.set(sha256(token), { ...p, expiresAt: this.clock.now() + PENDING_LIFETIME_MS });
    return token;
  }

  /** The sign-in a flow token names, unless expired or unknown. */
  resume(token: string | undefined): PendingSignIn | undefined {
    if (!token) return undefined;
    const p = this.pending.get(sha256(token));
    if (!p || p.expiresAt <= this.clock.now()) return undefined;
    return p;
  }

  update(token: string, p: PendingSignIn): void {
    this.pending.set(sha256(token), p);
  }

  finish(token: string): void {
    this.pending.delete(sha256(token));
  }

  // ---- authorization codes

  issueCode(record: Omit<AuthorizationCodeRecord, 'issuedAt' | 'expiresAt' | 'redeemed'>): string {
    // Entra's codes are opaque `1.A…` strings nobody may parse.
    const code = `1.${randomBytes(120).toString('base64url')}`;
    const now = this.clock.now();
    this.codes.set(sha256(code), { ...record, issuedAt: now, expiresAt: now + AUTHORIZATION_CODE_LIFETIME_MS, redeemed: false });
    return code;
  }

  /** The record of a code (expired and redeemed ones included: the grant decides). */
  code(code: string): AuthorizationCodeRecord | undefined {
    return this.codes.get(sha256(code));
  }

  markRedeemed(code: string): void {
    const r = this.codes.get(sha256(code));
    if (r) r.redeemed = true;
  }

  // ---- device codes

  issueDeviceCode(record: Omit<DeviceCodeRecord, 'userCode' | 'issuedAt' | 'expiresAt' | 'status'>): { deviceCode: string; userCode: string } {
    const deviceCode = `DAQABIQEAAAD${randomBytes(96).toString('base64url')}`;
    let userCode: string;
    do {
      userCode = Array.from(randomBytes(9), (b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join('');
    } while (this.userCodes.has(userCode));
    const now = this.clock.now();
    const hash = sha256(deviceCode);
    this.deviceCodes.set(hash, { ...record, userCode, issuedAt: now, expiresAt: now + DEVICE_CODE_LIFETIME_SECONDS * 1000, status: 'pending' });
    this.userCodes.set(userCode, hash);
    return { deviceCode, userCode };
  }

  deviceCode(deviceCode: string): DeviceCodeRecord | undefined {
    return this.deviceCodes.get(sha256(deviceCode));
  }

  /** The device authorization a user code names (case-insensitive, spaces and dashes ignored), with its key. */
  byUserCode(userCode: string): { hash: string; record: DeviceCodeRecord } | undefined {
    const hash = this.userCodes.get(userCode.replace(/[\s-]/g, '').toUpperCase());
    const record = hash ? this.deviceCodes.get(hash) : undefined;
    return hash && record ? { hash, record } : undefined;
  }

  deviceCodeByHash(hash: string): DeviceCodeRecord | undefined {
    return this.deviceCodes.get(hash);
  }
}
