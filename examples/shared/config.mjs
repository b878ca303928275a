// The config the daemon and the web API read: the dotenv file tenantform wrote (CONFIG=path), with
// environment variables of the same names taking precedence. Read with Node's own dotenv parser, the one
// `node --env-file` uses (https://nodejs.org/docs/latest-v20.x/api/util.html#utilparseenvcontent), so the
// values are exactly what tenantform wrote; `node --env-file=out/todolist-daemon.env …` works as well.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export function loadConfig(keys) {
  const file = process.env.CONFIG;
  return { ...(file ? parseEnv(readFileSync(file, 'utf8')) : {}), ...pick(process.env, keys) };
}

function pick(env, keys) {
  return Object.fromEntries(keys.filter((k) => env[k]).map((k) => [k, env[k]]));
}
