#!/usr/bin/env node
/**
 * A minimal web API protected by Microsoft Entra ID app-only tokens — the other half of examples/daemon.
 *
 *   CONFIG=out/todolist-daemon.env node examples/web-api/server.mjs
 *   node --env-file=out/todolist-daemon.env examples/web-api/server.mjs
 *
 * Config (from the dotenv file tenantform wrote, or the environment):
 *   AUTHORITY          https://login.microsoftonline.com/<tenant id> (or the local emulator's authority)
 *   WEB_API_CLIENT_ID  the API's appId: the `aud` of v2 access tokens
 *   REQUIRED_ROLE      app role a caller needs (default ToDoList.Read.All)
 *   PORT               default 5000; 0 picks a free port
 *
 * Validation, as https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens describes:
 * the authority's v2 OpenID configuration gives `issuer` and `jwks_uri`; jose checks the signature against
 * that JWKS (RS256, key by `kid`), `exp`/`nbf`, `iss` and `aud`. Then the app role: 403 without it.
 * Trusting the local emulator's CA: start node with NODE_EXTRA_CA_CERTS=<caFile>.
 */
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { loadConfig } from '../shared/config.mjs';

const config = loadConfig(['AUTHORITY', 'WEB_API_CLIENT_ID', 'REQUIRED_ROLE']);
const authority = required(config, 'AUTHORITY').replace(/\/+$/, '');
const audience = required(config, 'WEB_API_CLIENT_ID');
const requiredRole = config.REQUIRED_ROLE ?? 'ToDoList.Read.All';

const discovery = await (await fetch(`${authority}/v2.0/.well-known/openid-configuration`)).json();
const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));

const todos = [{ id: 1, owner: 'contoso', task: 'Pick up groceries' }];

const server = createServer(async (req, res) => {
  const send = (status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'GET' || req.url !== '/todolist') return send(404, { error: 'not_found' });
  const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return send(401, { error: 'invalid_token', error_description: 'no bearer token' }, { 'WWW-Authenticate': 'Bearer' });
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(token, jwks, { issuer: discovery.issuer, audience, algorithms: ['RS256'], clockTolerance: 300 }));
  } catch (e) {
    return send(401, { error: 'invalid_token', error_description: e.code ?? 'invalid' }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  if (!roles.includes(requiredRole)) {
    return send(403, { error: 'insufficient_roles', required: requiredRole, roles });
  }
  send(200, { caller: claims.azp ?? claims.appid, idtyp: claims.idtyp ?? null, roles, todos });
});

server.listen(Number(process.env.PORT ?? 5000), '127.0.0.1', () => {
  console.log(`web API listening on http://127.0.0.1:${server.address().port} (issuer ${discovery.issuer})`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

function required(c, key) {
  if (!c[key]) {
    console.error(`missing ${key}: set CONFIG=<the dotenv file tenantform wrote> or ${key}=…`);
    process.exit(2);
  }
  return c[key];
}
