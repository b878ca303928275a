// The config the daemon and the web API read: the dotenv file tenantform wrote (CONFIG=path), with
// environment variables of the same names taking precedence.
import { readFileSync } from 'node:fs';

export function loadConfig(keys) {
  return { ...readDotenv(process.env.CONFIG), ...pick(process.env, keys) };
}

function readDotenv(file) {
  if (!file) return {};
  const out = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  }
  return out;
}

function pick(env, keys) {
  return Object.fromEntries(keys.filter((k) => env[k]).map((k) => [k, env[k]]));
}
