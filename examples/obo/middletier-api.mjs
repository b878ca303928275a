/**
 * The middle-tier web API of the On-Behalf-Of sample (ms-identity-javascript-tutorial 4-2 "call-api-api-ca",
 * MiddletierAPI): `GET /api` with the user's access token for this API exchanges it On-Behalf-Of the user for a token
 * for the downstream API (msal-node ConfidentialClientApplication.acquireTokenOnBehalfOf with the client secret from
 * its config), calls the downstream API with it and relays the answer.
 *
 * When conditional access on the downstream API needs more than the user's sign-in gave (MFA), Entra refuses the
 * exchange with a claims challenge (AADSTS50076, `claims` = {"access_token":{"capolids":…}}); this API passes it to its
 * client as https://learn.microsoft.com/entra/identity-platform/claims-challenge describes:
 *
 *   401  WWW-Authenticate: Bearer realm="", authorization_uri="<authority>/oauth2/v2.0/authorize",
 *        client_id="<this API's appId>", error="insufficient_claims", claims="<base64 of the claims JSON>"
 *
 * and the client signs the user in again with those claims (msal-browser: `claims` on the token request). msal-node
 * is used directly: @azure/identity 4.13's OnBehalfOfCredential drops the claims (Azure/azure-sdk-for-js#38707).
 *
 * Config: out/MiddletierAPI/config.json as tenantform writes it (credentials.tenantID, clientID, audience,
 * clientSecret; resource.scope; downstreamAPI.scopes; metadata.*). CORS is open and exposes WWW-Authenticate, so a
 * single-page app on another origin can read the challenge.
 */
import { createServer } from 'node:http';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { authorityOf, BearerError, listen, msalNetworkClient, sendJson, tokenValidator } from './common.mjs';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
  'Access-Control-Expose-Headers': 'WWW-Authenticate',
};

export async function start({
  config,
  ca,
  port = 5000,
  host = '127.0.0.1',
  authorityHost,
  identifierUris,
  downstreamUrl = 'http://localhost:7000/api',
  log = () => {},
}) {
  const { clientID, clientSecret } = config.credentials;
  const authority = authorityOf(config, authorityHost);
  const validate = tokenValidator({ config, authority, ca, identifierUris, requiredScopes: config.resource?.scope ?? ['user_impersonation'] });
  const downstreamScopes = config.downstreamAPI.scopes;
  const msal = new ConfidentialClientApplication({
    // knownAuthorities: the authority's host is trusted as it is (no instance discovery at login.microsoftonline.com).
    auth: { clientId: clientID, clientSecret, authority, knownAuthorities: [new URL(authority).host] },
    ...(ca ? { system: { networkClient: msalNetworkClient(ca) } } : {}),
  });

  const server = createServer(async (req, res) => {
    const send = (status, body, headers = {}) => sendJson(res, status, body, { ...CORS, ...headers });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, OPTIONS', 'Access-Control-Max-Age': '600' });
      return res.end();
    }
    if (req.method !== 'GET' || new URL(req.url, 'http://x').pathname !== '/api') return send(404, { error: 'not_found' });

    let token;
    try {
      ({ token } = await validate(req.headers.authorization));
    } catch (e) {
      if (e instanceof BearerError) return send(e.status, { error: e.error, error_description: e.message }, { 'WWW-Authenticate': e.challenge });
      return send(500, { error: 'server_error', error_description: String(e.message ?? e) });
    }

    let downstreamToken;
    try {
      downstreamToken = (await msal.acquireTokenOnBehalfOf({ oboAssertion: token, scopes: downstreamScopes })).accessToken;
    } catch (e) {
      log(`middle tier: On-Behalf-Of failed: ${e.errorCode ?? e.name} ${e.subError ?? ''}`);
      if (e.claims) {
        // The claims challenge of conditional access (AADSTS50076 / 50079): the client must sign the user in again.
        const claims = Buffer.from(e.claims, 'utf8').toString('base64');
        const challenge = `Bearer realm="", authorization_uri="${authority}/oauth2/v2.0/authorize", client_id="${clientID}", error="insufficient_claims", claims="${claims}"`;
        return send(
          401,
          { error: 'insufficient_claims', error_description: 'The downstream API needs a new sign-in with these claims.' },
          { 'WWW-Authenticate': challenge },
        );
      }
      if (e.subError === 'consent_required') {
        return send(403, {
          error: 'consent_required',
          error_description: 'The middle tier holds no consent for the downstream API for this user.',
          error_codes: errorCodes(e),
        });
      }
      return send(502, { error: 'on_behalf_of_failed', error_description: e.errorCode ?? String(e.message ?? e), error_codes: errorCodes(e) });
    }

    try {
      const answer = await fetch(downstreamUrl, { headers: { Authorization: `Bearer ${downstreamToken}`, Accept: 'application/json' } });
      const text = await answer.text();
      res.writeHead(answer.status, { ...CORS, 'Content-Type': answer.headers.get('content-type') ?? 'application/json; charset=utf-8' });
      res.end(text);
    } catch (e) {
      send(502, { error: 'downstream_unreachable', error_description: String(e.message ?? e) });
    }
  });
  return listen(server, port, host);
}

function errorCodes(e) {
  return e.errorNo ? [Number(e.errorNo)] : [];
}
