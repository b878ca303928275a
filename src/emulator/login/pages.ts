/**
 * The emulator's sign-in pages, server-rendered HTML without scripts (except the form_post page, which submits
 * itself as Entra's does). Made for people and for automation alike: every input has a <label>, and the elements a
 * test drives have stable ids — documented in docs/emulator.md "The sign-in page":
 *   credentials  form#credentials   input#username (name username) input#password (name password) button#signin
 *   MFA          form#mfa           input#otp (name otp)                                        button#verify
 *   accounts     form#accounts      button#select-account (name account)                       button#use-another-account
 *   device code  form#device-code   input#otc (name otc)                                        button#next
 *   device ok?   form#device-confirm                         button#continue   button#cancel   (name action)
 *   done         #done      error     #error (a problem with what was typed)    error page: #error-code, #error-message
 * Every form carries a hidden `flowToken` naming the sign-in in progress.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
  body { font-family: "Segoe UI", system-ui, sans-serif; background: #f2f2f2; margin: 0; }
  main { max-width: 440px; margin: 48px auto; background: #fff; padding: 44px; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
  h1 { font-size: 24px; font-weight: 600; margin: 0 0 16px; }
  .banner { font-size: 13px; color: #605e5c; margin-bottom: 24px; }
  label { display: block; font-size: 15px; margin: 12px 0 4px; }
  input[type=text], input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: 6px 8px; font-size: 15px; border: 0; border-bottom: 1px solid #666; }
  button { margin-top: 24px; padding: 6px 20px; font-size: 15px; background: #0067b8; color: #fff; border: 0; cursor: pointer; }
  button.secondary { background: #ccc; color: #000; margin-right: 8px; }
  #error, #error-message { color: #e81123; }
  code { font-size: 13px; word-break: break-all; }
  .tile { display: block; width: 100%; text-align: left; background: #fff; color: #000; border: 1px solid #ccc; }
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
<div class="banner">tenantform emulator — local Microsoft Entra sign-in</div>
${body}
</main></body>
</html>
`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
const errorLine = (error?: string) => (error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : '');

export interface AppContext {
  /** The application's display name (what Entra shows under the sign-in title). */
  appName: string;
  action: string;
  flowToken: string;
}

export function credentialsPage(c: AppContext & { loginHint?: string; error?: string }): string {
  return page(
    'Sign in to your account',
    `<h1>Sign in</h1>
<p>to continue to <strong id="app-name">${escapeHtml(c.appName)}</strong></p>
${errorLine(c.error)}
<form id="credentials" method="post" action="${escapeHtml(c.action)}">
${hidden('flowToken', c.flowToken)}
<label for="username">Email, phone, or Skype</label>
<input id="username" name="username" type="email" autocomplete="username" required value="${escapeHtml(c.loginHint ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="signin" type="submit">Sign in</button>
</form>`,
  );
}

export function mfaPage(c: AppContext & { userPrincipalName: string; error?: string }): string {
  return page(
    'Enter code',
    `<h1>Enter code</h1>
<p id="mfa-user">${escapeHtml(c.userPrincipalName)}</p>
<p>Enter the code displayed in the authenticator app on your mobile device.</p>
${errorLine(c.error)}
<form id="mfa" method="post" action="${escapeHtml(c.action)}">
${hidden('flowToken', c.flowToken)}
<label for="otp">Code</label>
<input id="otp" name="otp" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>
<button id="verify" type="submit">Verify</button>
</form>`,
  );
}

export function accountsPage(c: AppContext & { userPrincipalName: string }): string {
  return page(
    'Pick an account',
    `<h1>Pick an account</h1>
<p>to continue to <strong id="app-name">${escapeHtml(c.appName)}</strong></p>
<form id="accounts" method="post" action="${escapeHtml(c.action)}">
${hidden('flowToken', c.flowToken)}
<button id="select-account" class="tile" type="submit" name="account" value="${escapeHtml(c.userPrincipalName)}">${escapeHtml(c.userPrincipalName)}</button>
<button id="use-another-account" class="tile" type="submit" name="account" value="">Use another account</button>
</form>`,
  );
}

export function deviceCodePage(c: { action: string; error?: string; code?: string }): string {
  return page(
    'Enter code',
    `<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
${errorLine(c.error)}
<form id="device-code" method="post" action="${escapeHtml(c.action)}">
<label for="otc">Code</label>
<input id="otc" name="otc" type="text" autocomplete="off" required value="${escapeHtml(c.code ?? '')}">
<button id="next" type="submit">Next</button>
</form>`,
  );
}

export function deviceConfirmPage(c: AppContext & { userPrincipalName: string }): string {
  return page(
    'Are you trying to sign in?',
    `<h1>Are you trying to sign in to ${escapeHtml(c.appName)}?</h1>
<p id="mfa-user">${escapeHtml(c.userPrincipalName)}</p>
<p>Only continue if you downloaded the app from a store or website that you trust.</p>
<form id="device-confirm" method="post" action="${escapeHtml(c.action)}">
${hidden('flowToken', c.flowToken)}
<button id="cancel" class="secondary" type="submit" name="action" value="cancel">Cancel</button>
<button id="continue" type="submit" name="action" value="continue">Continue</button>
</form>`,
  );
}

export function deviceDonePage(appName: string, approved: boolean): string {
  return page(
    approved ? 'Signed in' : 'Sign-in cancelled',
    approved
      ? `<h1 id="done">${escapeHtml(appName)}</h1><p>You have signed in to the ${escapeHtml(appName)} application on your device. You may now close this window.</p>`
      : `<h1 id="done">Sign-in cancelled</h1><p>You did not sign in to ${escapeHtml(appName)}. You may now close this window.</p>`,
  );
}

/** The error page: "Sorry, but we're having trouble signing you in." with the AADSTS code and message, as Entra's. */
export function errorPage(e: { code: string; message: string; correlationId: string; timestamp: string }): string {
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>Sorry, but we’re having trouble signing you in.</p>
<p><span id="error-code">${escapeHtml(e.code)}</span>: <span id="error-message">${escapeHtml(e.message)}</span></p>
<p><small>Correlation ID: <code id="correlation-id">${escapeHtml(e.correlationId)}</code><br>Timestamp: ${escapeHtml(e.timestamp)}</small></p>`,
  );
}

/** response_mode=form_post: the self-submitting form Entra answers (the same markup, hidden inputs and a noscript button). */
export function formPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => hidden(k, v))
    .join('');
  return `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" id="response" action="${escapeHtml(action)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>`;
}
