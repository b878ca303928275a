// What the two APIs of the On-Behalf-Of sample share: reading the authority from the config tenantform wrote,
// HTTPS requests that trust a given CA (the local emulator's), and bearer-token validation with jose.
import { request as httpsRequest } from 'node:https';
import { createLocalJWKSet, decodeJwt, errors, jwtVerify } from 'jose';

/**
 * The authority of the config's tenant: `https://<metadata.authority>/<tenantID>`, the sample's own rule. The config
 * names login.microsoftonline.com; against the local tenant pass the emulator's authorityHost (`https://127.0.0.1:47443`).
 */
export function authorityOf(config, authorityHost) {
  const origin = (authorityHost ?? `https://${config.metadata?.authority ?? 'login.microsoftonline.com'}`).replace(/\/+$/, '');
  return `${origin}/${config.credentials.tenantID}`;
}

/** GET a JSON document over HTTPS, trusting `ca` (a PEM) when given, else Node's CAs (and NODE_EXTRA_CA_CERTS). */
export function getJson(url, ca) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'GET', ...(ca ? { ca } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) return reject(new Error(`GET ${url}: ${res.statusCode}`));
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** msal-node 7 has no CA option: this network client (INetworkModule over https.request) trusts `ca`. */
export function msalNetworkClient(ca) {
  const send = (method, url, options = {}) =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method, headers: options.headers ?? {}, ca }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d) => (text += d));
        res.on('end', () => {
          const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
          try {
            resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(text) });
          } catch (e) {
            reject(e);
          }
        });
      });
      req.on('error', reject);
      if (options.body) req.write(options.body);
      req.end();
    });
  return { sendGetRequestAsync: (url, o) => send('GET', url, o), sendPostRequestAsync: (url, o) => send('POST', url, o) };
}

/** An HTTP error with the status and WWW-Authenticate an API answers (RFC 6750 §3). */
export class BearerError extends Error {
  constructor(status, error, description, challenge) {
    super(description);
    this.status = status;
    this.error = error;
    this.challenge = challenge;
  }
}

/**
 * Bearer-token validation as https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 * describes, with jose: the token's version (`ver`) picks the OpenID configuration (v2.0 or v1), whose `issuer` the
 * token must carry and whose `jwks_uri` has the signing key (RS256, key by `kid`); `exp`/`nbf` (5 minutes of skew);
 * `aud` = the API's appId (v2 tokens always), or one of its identifier URIs (v1 tokens carry the identifier the client
 * asked for); a delegated token (`scp`, not an app-only one) with every required scope; `idtyp`, when the token has
 * it, must be `user`. Returns the claims, or throws a BearerError.
 */
export function tokenValidator({ config, authority, ca, identifierUris, requiredScopes }) {
  const appId = config.credentials.clientID;
  const audiences = {
    '2.0': [...new Set([appId, config.credentials.audience].filter(Boolean))],
    '1.0': [...new Set([appId, config.credentials.audience, ...(identifierUris ?? [`api://${appId}`])].filter(Boolean))],
  };
  const discovery = config.metadata?.discovery ?? '.well-known/openid-configuration';
  const documents = {
    '2.0': `${authority}/${config.metadata?.version ?? 'v2.0'}/${discovery}`,
    '1.0': `${authority}/${discovery}`,
  };
  const cache = new Map();
  const keysOf = async (version, refresh = false) => {
    let entry = cache.get(version);
    if (!entry) {
      const doc = await getJson(documents[version], ca);
      entry = { issuer: doc.issuer, jwksUri: doc.jwks_uri };
      cache.set(version, entry);
    }
    if (!entry.jwks || refresh) entry.jwks = createLocalJWKSet(await getJson(entry.jwksUri, ca));
    return entry;
  };
  const invalid = (why) => new BearerError(401, 'invalid_token', why, `Bearer error="invalid_token", error_description="${why}"`);

  return async function validate(authorization) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new BearerError(401, 'invalid_token', 'no bearer token', 'Bearer');
    let version;
    try {
      version = decodeJwt(token).ver === '1.0' ? '1.0' : '2.0';
    } catch {
      throw invalid('not a JWT');
    }
    const options = { audience: audiences[version], algorithms: ['RS256'], clockTolerance: 300 };
    let claims;
    try {
      let keys = await keysOf(version);
      try {
        ({ payload: claims } = await jwtVerify(token, keys.jwks, { ...options, issuer: keys.issuer }));
      } catch (e) {
        // Keys roll over: an unknown kid fetches the key set once more.
        if (!(e instanceof errors.JWKSNoMatchingKey)) throw e;
        keys = await keysOf(version, true);
        ({ payload: claims } = await jwtVerify(token, keys.jwks, { ...options, issuer: keys.issuer }));
      }
    } catch (e) {
      throw invalid(e.code ?? 'invalid token');
    }
    if (claims.idtyp !== undefined && claims.idtyp !== 'user') throw invalid(`idtyp ${claims.idtyp}: this API takes user tokens`);
    const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ') : [];
    const missing = requiredScopes.filter((s) => !scopes.includes(s));
    if (scopes.length === 0 || missing.length > 0) {
      const need = requiredScopes.join(' ');
      throw new BearerError(403, 'insufficient_scope', `needs the delegated scope ${need}`, `Bearer error="insufficient_scope", scope="${need}"`);
    }
    return { token, claims };
  };
}

/** Write a JSON answer. */
export function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Listen on `port` (0 = any free port) and resolve with the server, its URL and a close(). */
export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = server.address().port;
      resolve({
        server,
        port: actual,
        url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
