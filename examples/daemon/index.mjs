#!/usr/bin/env node
/**
 * A minimal daemon: reads the config tenantform wrote, gets an app-only token with the client credentials
 * flow (@azure/identity), and calls the web API of examples/web-api.
 *
 *   CONFIG=out/todolist-daemon.env API_URL=http://127.0.0.1:5000 node examples/daemon/index.mjs
 *   API_URL=http://127.0.0.1:5000 node --env-file=out/todolist-daemon.env examples/daemon/index.mjs
 *
 * Config keys (the example manifest's output): TENANT_ID, AUTHORITY, CLIENT_ID, CLIENT_SECRET, WEB_API_SCOPE.
 * Prints one JSON line {status, body}; exits 0 when the API answered 2xx, 1 otherwise.
 * Trusting the local emulator's CA: start node with NODE_EXTRA_CA_CERTS=<caFile>.
 */
import { ClientSecretCredential } from '@azure/identity';
import { loadConfig } from '../shared/config.mjs';

const config = loadConfig(['TENANT_ID', 'AUTHORITY', 'CLIENT_ID', 'CLIENT_SECRET', 'WEB_API_SCOPE']);
const authority = new URL(required('AUTHORITY'));
const credential = new ClientSecretCredential(required('TENANT_ID'), required('CLIENT_ID'), required('CLIENT_SECRET'), {
  authorityHost: authority.origin,
  // Only Microsoft's own authority hosts are known to MSAL's instance discovery; the local emulator is not.
  disableInstanceDiscovery: !authority.hostname.startsWith('login.'),
});
const { token } = await credential.getToken(required('WEB_API_SCOPE'));

const res = await fetch(new URL('/todolist', process.env.API_URL ?? 'http://127.0.0.1:5000'), { headers: { Authorization: `Bearer ${token}` } });
const body = await res.json().catch(() => null);
console.log(JSON.stringify({ status: res.status, body }));
process.exit(res.ok ? 0 : 1);

function required(key) {
  if (!config[key]) {
    console.error(`missing ${key}: set CONFIG=<the dotenv file tenantform wrote> or ${key}=…`);
    process.exit(2);
  }
  return config[key];
}
