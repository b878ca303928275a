/* global msal, msalConfig, loginRequest, protectedResources */
/**
 * The sample's single-page app: signs the user in with msal-browser (authorization code flow + PKCE, redirects),
 * calls the middle tier with a token for protectedResources.middleTierApi.scopes and, when the middle tier answers
 * 401 `WWW-Authenticate: Bearer … error="insufficient_claims", claims="<base64>"` (conditional access on the
 * downstream API wants more than this sign-in did), signs in again with those claims and retries
 * (https://learn.microsoft.com/entra/identity-platform/claims-challenge). Element ids for automation: #status,
 * #sign-in, #call-api, #result (the downstream API's JSON), #log.
 */
const local = window.tenantformLocal ?? {};
const RETRY_KEY = 'obo-spa.retry-call';

const $ = (id) => document.getElementById(id);
function log(line) {
  $('log').textContent += `${new Date().toISOString()} ${line}\n`;
}
function setStatus(text) {
  $('status').textContent = text;
}

/** msalConfig from authConfig.js, pointed at the local tenant when local.js says so. */
function configuration() {
  const config = JSON.parse(JSON.stringify(msalConfig));
  if (local.authorityHost) {
    const authority = new URL(config.auth.authority);
    config.auth.authority = `${local.authorityHost}${authority.pathname}`.replace(/\/+$/, '');
    // Without it msal-browser asks login.microsoftonline.com for the authority's instance metadata.
    config.auth.knownAuthorities = [new URL(local.authorityHost).host];
  }
  if (local.redirectUri) config.auth.redirectUri = local.redirectUri;
  return config;
}

const api = {
  endpoint: local.middleTierEndpoint ?? protectedResources.middleTierApi.endpoint,
  scopes: protectedResources.middleTierApi.scopes,
};

/** `Bearer k="v", …` → { k: v }. */
function challenge(header) {
  if (!header || !/^Bearer\b/i.test(header)) return {};
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

const pca = new msal.PublicClientApplication(configuration());

function account() {
  return pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;
}

async function accessToken() {
  const request = { scopes: api.scopes, account: account() };
  try {
    return (await pca.acquireTokenSilent(request)).accessToken;
  } catch (e) {
    if (e instanceof msal.InteractionRequiredAuthError) {
      await pca.acquireTokenRedirect(request);
      return undefined; // the page navigates away
    }
    throw e;
  }
}

/** Call the middle tier; on a claims challenge, sign in again with the claims (the page then comes back and retries). */
async function callApi(token) {
  token ??= await accessToken();
  if (!token) return;
  setStatus('calling the middle tier');
  const res = await fetch(api.endpoint, { headers: { Authorization: `Bearer ${token}` } });
  const header = res.headers.get('WWW-Authenticate');
  const params = challenge(header);
  if (res.status === 401 && params.error === 'insufficient_claims' && params.claims) {
    const claims = atob(params.claims);
    log(`401 insufficient_claims: signing in again with claims ${claims}`);
    setStatus('claims challenge: signing in again');
    sessionStorage.setItem(RETRY_KEY, claims);
    await pca.acquireTokenRedirect({ scopes: api.scopes, account: account(), claims });
    return;
  }
  const body = await res.text();
  if (!res.ok) {
    log(`${res.status} ${header ?? ''} ${body}`);
    setStatus(`the middle tier answered ${res.status}`);
    return;
  }
  $('result').textContent = JSON.stringify(JSON.parse(body), null, 2);
  setStatus(`called the API as ${account()?.username ?? '?'}`);
  log('200 from the middle tier');
}

async function main() {
  await pca.initialize();
  const redirected = await pca.handleRedirectPromise();
  if (redirected?.account) pca.setActiveAccount(redirected.account);
  const user = account();
  setStatus(user ? `signed in as ${user.username}` : 'signed out');
  $('sign-in').disabled = false;
  $('call-api').disabled = !user;
  $('sign-in').addEventListener('click', () => pca.loginRedirect(loginRequest).catch(fail));
  $('call-api').addEventListener('click', () => callApi().catch(fail));
  if (redirected) log(`signed in (${redirected.scopes.join(' ')})`);
  const challenged = sessionStorage.getItem(RETRY_KEY);
  if (redirected && challenged) {
    sessionStorage.removeItem(RETRY_KEY);
    log(`signed in again for the claims challenge ${challenged}: retrying the call with the new token`);
    await callApi(redirected.accessToken);
  }
}

function fail(e) {
  log(`error: ${e?.errorCode ?? ''} ${e?.message ?? e}`);
  setStatus(`error: ${e?.errorCode ?? e?.message ?? e}`);
}

main().catch(fail);
