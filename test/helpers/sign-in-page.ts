import { generateSync } from 'otplib';
import { Agent } from 'undici';
import type { Emulator, TestUser } from '../../src/emulator/index.js';

/**
 * A small browser for the emulator's sign-in pages, over real HTTPS: a cookie jar (the session cookie), redirects
 * followed while they stay on the emulator's origin, and forms submitted by id with their hidden fields — what a
 * person (or playwright) does with the page, driven through the stable element ids of docs/emulator.md.
 */

export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

/** Where the sign-in ended: a redirect to the app (query or fragment), or a form_post page's fields. */
export interface AppResponse {
  /** The redirect URI the answer went to, without the answer. */
  redirectUri: string;
  params: Record<string, string>;
  mode: 'query' | 'fragment' | 'form_post';
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export class SignInBrowser {
  readonly cookies = new Map<string, string>();
  private readonly dispatcher: Agent;
  constructor(private readonly emu: Emulator) {
    this.dispatcher = new Agent({ connect: { ca: emu.ca } });
  }

  /** GET a URL; follows redirects on the emulator's origin. A redirect elsewhere (the app) ends it: see `appResponse`. */
  async open(url: string): Promise<Page> {
    return this.request(url, { method: 'GET' });
  }

  /** Submit the form with this id: its hidden fields, plus `fields` (and the clicked button's name/value). */
  async submit(page: Page, formId: string, fields: Record<string, string> = {}, button?: string): Promise<Page> {
    const form = formOf(page.html, formId);
    if (!form) throw new Error(`no form#${formId} on the page (${page.status} ${page.url}):\n${page.html}`);
    const body = new URLSearchParams({ ...form.hidden, ...fields });
    if (button) {
      const b = new RegExp(`<button[^>]*id="${button}"[^>]*>`).exec(page.html)?.[0];
      if (!b) throw new Error(`no button#${button} on the page`);
      const name = /name="([^"]*)"/.exec(b)?.[1];
      const value = /value="([^"]*)"/.exec(b)?.[1];
      if (name) body.set(name, decode(value ?? ''));
    }
    return this.request(new URL(decode(form.action), page.url).toString(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }

  private async request(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<Page> {
    let current = url;
    let method = init.method;
    let body = init.body;
    let headers: Record<string, string> = { ...(init.headers ?? {}) };
    for (let hops = 0; hops < 10; hops++) {
      const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(current, {
        method,
        headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) },
        body,
        redirect: 'manual',
        dispatcher: this.dispatcher,
      } as RequestInit);
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, current);
        if (next.origin !== new URL(this.emu.authorityHost).origin) return { status: res.status, url: current, html: '', headers: res.headers };
        current = next.toString();
        method = 'GET';
        body = undefined;
        headers = {};
        continue;
      }
      return { status: res.status, url: current, html: await res.text(), headers: res.headers };
    }
    throw new Error('too many redirects');
  }
}

export function formOf(html: string, id: string): { action: string; hidden: Record<string, string> } | undefined {
  const m = new RegExp(`<form[^>]*id="${id}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!m) return undefined;
  const action = /action="([^"]*)"/.exec(m[0])?.[1] ?? '';
  const hidden: Record<string, string> = {};
  for (const h of m[1].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) hidden[decode(h[1])] = decode(h[2]);
  return { action, hidden };
}

/** The app's side of the answer: the redirect's query or fragment, or the form_post page's fields. */
export function appResponse(page: Page): AppResponse {
  const location = page.headers.get('location');
  if (page.status === 302 && location) {
    const url = new URL(location);
    if (url.hash) {
      const params = Object.fromEntries(new URLSearchParams(url.hash.slice(1)));
      url.hash = '';
      return { redirectUri: url.toString(), params, mode: 'fragment' };
    }
    const params = Object.fromEntries(url.searchParams);
    url.search = '';
    return { redirectUri: url.toString(), params, mode: 'query' };
  }
  const form = formOf(page.html, 'response');
  if (form) return { redirectUri: decode(form.action), params: form.hidden, mode: 'form_post' };
  throw new Error(`not an answer to the app (${page.status} ${page.url}):\n${page.html.slice(0, 2000)}`);
}

/** The AADSTS code (or not_implemented) of the error page, if the page is one. */
export function pageError(page: Page): { code: string; message: string } | undefined {
  const code = /<span id="error-code">([^<]*)<\/span>/.exec(page.html)?.[1];
  const message = /<span id="error-message">([^<]*)<\/span>/.exec(page.html)?.[1];
  return code ? { code: decode(code), message: decode(message ?? '') } : undefined;
}

/** The inline problem shown on a form (wrong password, wrong code). */
export function inlineError(page: Page): string | undefined {
  const m = /<p id="error" role="alert">([^<]*)<\/p>/.exec(page.html);
  return m ? decode(m[1]) : undefined;
}

/** A TOTP code for the user at the emulator's time (what their authenticator app would show). */
export function totp(emu: Emulator, user: TestUser, offsetSeconds = 0): string {
  return generateSync({ secret: user.totpSecret!, epoch: Math.floor(emu.clock.now() / 1000) + offsetSeconds });
}

/**
 * Drive a whole interactive sign-in from an authorize URL: the credentials form (skipped when the session signs in),
 * the MFA step when it appears (with a code from the user's secret), until the answer to the app.
 */
export async function signIn(browser: SignInBrowser, emu: Emulator, url: string, user?: TestUser): Promise<AppResponse> {
  let page = await browser.open(url);
  for (let step = 0; step < 4; step++) {
    if (formOf(page.html, 'credentials')) {
      if (!user) throw new Error('the credentials page appeared, but no user was given');
      page = await browser.submit(page, 'credentials', { username: user.userPrincipalName, password: user.password });
    } else if (formOf(page.html, 'mfa')) {
      if (!user?.totpSecret) throw new Error('the MFA page appeared for a user without a TOTP secret');
      page = await browser.submit(page, 'mfa', { otp: totp(emu, user) });
    } else {
      return appResponse(page);
    }
  }
  throw new Error(`sign-in did not finish:\n${page.html}`);
}

/**
 * Approve a device code on the verification page as `user`: the code, the credentials, the MFA step when it appears,
 * then "Continue" on the confirmation. Returns the last page ("You have signed in to … on your device").
 */
export async function approveDeviceCode(emu: Emulator, d: { user_code: string; verification_uri: string }, user: TestUser): Promise<Page> {
  const browser = new SignInBrowser(emu);
  let page = await browser.submit(await browser.open(d.verification_uri), 'device-code', { otc: d.user_code });
  page = await browser.submit(page, 'credentials', { username: user.userPrincipalName, password: user.password });
  if (formOf(page.html, 'mfa')) page = await browser.submit(page, 'mfa', { otp: totp(emu, user) });
  if (!/Are you trying to sign in to/.test(page.html)) throw new Error(`no device confirmation page:\n${page.html}`);
  return browser.submit(page, 'device-confirm', {}, 'continue');
}
