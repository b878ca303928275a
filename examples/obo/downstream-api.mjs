/**
 * The downstream web API of the On-Behalf-Of sample (ms-identity-javascript-tutorial 4-2 "call-api-api-ca",
 * DownstreamAPI): `GET /api` with a delegated access token for this API answers who the caller is.
 *
 * It reads the config tenantform writes (manifests/obo-conditional-access.yaml → out/DownstreamAPI/config.json:
 * credentials.tenantID, credentials.clientID, credentials.audience, resource.scope, metadata.*) and validates the
 * bearer token with jose (common.mjs tokenValidator): issuer and signature from the authority's OpenID configuration,
 * `aud` = its appId (v2) or identifier URI (v1), `scp` with user_impersonation, `idtyp` user when present.
 *
 * Start it with serve.mjs (the CLI) or from code: `const api = await start({ config, ca, port: 0 })`.
 */
import { createServer } from 'node:http';
import { authorityOf, BearerError, listen, sendJson, tokenValidator } from './common.mjs';

export async function start({ config, ca, port = 7000, host = '127.0.0.1', authorityHost, identifierUris, log = () => {} }) {
  const authority = authorityOf(config, authorityHost);
  const validate = tokenValidator({ config, authority, ca, identifierUris, requiredScopes: config.resource?.scope ?? ['user_impersonation'] });

  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' || new URL(req.url, 'http://x').pathname !== '/api') return sendJson(res, 404, { error: 'not_found' });
    try {
      const { claims } = await validate(req.headers.authorization);
      log(`downstream API: ${claims.name} (${claims.oid}) via ${claims.azp ?? claims.appid}`);
      // The sample's answer (name, issued-by, issued-for, scope), plus the user's object id and the calling client.
      sendJson(res, 200, {
        name: claims.name,
        oid: claims.oid,
        'issued-by': claims.iss,
        'issued-for': claims.aud,
        scope: claims.scp,
        azp: claims.azp ?? claims.appid,
      });
    } catch (e) {
      if (e instanceof BearerError) return sendJson(res, e.status, { error: e.error, error_description: e.message }, { 'WWW-Authenticate': e.challenge });
      sendJson(res, 500, { error: 'server_error', error_description: String(e.message ?? e) });
    }
  });
  return listen(server, port, host);
}
