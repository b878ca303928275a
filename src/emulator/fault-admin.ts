/**
 * The emulator's own admin endpoint for fault rules, so a test or a developer can change faults while it runs
 * (e.g. against `tenantform emulator` in another terminal):
 *
 *   GET    /_emulator/faults        → 200 {"value":[rule, …]} (each with id, seen, fired)
 *   POST   /_emulator/faults        {"spec":"POST:/applications/*\/addPassword:nth=1:commit-then-reset"}, or a rule
 *                                   object as emu.faults.add takes it (path a glob, or "pathRegex": "…")
 *                                   → 201 rule
 *   DELETE /_emulator/faults        → 204 (all rules removed)
 *   DELETE /_emulator/faults/{id}   → 204, or 404 when there is no such rule
 *
 * `/_emulator/` cannot collide with Graph (`/v1.0`, `/beta`) nor with login routes (`/{tenant}/…`: a tenant id is a
 * GUID and a verified domain cannot start with `_`). It is served only on the emulator's own HTTPS server
 * (127.0.0.1) and needs HTTP Basic authentication with the bootstrap admin client of the first tenant
 * (`-u adminClientId:adminClientSecret`, as printed on the JSON line). Admin requests are neither delayed, faulted
 * nor written to the request log: they are not tenant traffic.
 */
import { timingSafeEqual } from 'node:crypto';
import type { EmulatorEnv } from './context.js';
import { FaultSpecError, type FaultRuleSpec } from './fault-rules.js';
import { parseFaultSpec } from './fault-spec.js';
import { json, noContent, type EmuRequest, type EmuResponse } from './http.js';

export const ADMIN_PREFIX = '/_emulator/';

export function isAdminPath(path: string): boolean {
  return path.toLowerCase().startsWith(ADMIN_PREFIX) || path.toLowerCase() === '/_emulator';
}

export function handleFaultAdmin(req: EmuRequest, env: EmulatorEnv): EmuResponse {
  if (!authorized(req, env)) {
    return json(401, adminError('Unauthorized', 'Use HTTP Basic authentication with the admin client id and secret.'), {
      'WWW-Authenticate': 'Basic realm="tenantform emulator"',
    });
  }
  const parts = req.path.split('/').filter(Boolean);
  if (parts[1] !== 'faults' || parts.length > 3) return json(404, adminError('NotFound', `No admin endpoint ${req.method} ${req.path}.`));
  const faults = env.faults;
  try {
    if (parts.length === 3) {
      if (req.method !== 'DELETE') return methodNotAllowed(req);
      return faults.remove(decodeURIComponent(parts[2])) ? noContent() : json(404, adminError('NotFound', `No fault rule ${parts[2]}.`));
    }
    if (req.method === 'GET') return json(200, { value: faults.list() });
    if (req.method === 'DELETE') {
      faults.clear();
      return noContent();
    }
    if (req.method === 'POST') return json(201, faults.add(ruleOf(req.body)));
    return methodNotAllowed(req);
  } catch (e) {
    if (e instanceof FaultSpecError) return json(400, adminError('BadRequest', e.message));
    throw e;
  }
}

function ruleOf(body: unknown): FaultRuleSpec {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new FaultSpecError('the body must be a JSON object: {"spec":"…"} or a rule');
  const b = body as Record<string, unknown>;
  if (typeof b.spec === 'string') return parseFaultSpec(b.spec);
  const { pathRegex, ...rest } = b;
  if (pathRegex === undefined) return rest as unknown as FaultRuleSpec;
  if (typeof pathRegex !== 'string') throw new FaultSpecError('pathRegex must be a string');
  let re: RegExp;
  try {
    re = new RegExp(pathRegex, 'i');
  } catch (e) {
    throw new FaultSpecError(`pathRegex: ${(e as Error).message}`);
  }
  return { ...(rest as unknown as FaultRuleSpec), path: re };
}

function authorized(req: EmuRequest, env: EmulatorEnv): boolean {
  const m = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
  if (!m) return false;
  const expected = Buffer.from(`${env.tenant.admin.appId}:${env.tenant.admin.clientSecret}`);
  const given = Buffer.from(Buffer.from(m[1], 'base64').toString('utf8'));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function methodNotAllowed(req: EmuRequest): EmuResponse {
  return json(405, adminError('MethodNotAllowed', `${req.method} is not allowed on ${req.path}.`));
}

/** Graph's envelope, so one error reader serves both; the codes are the emulator's own. */
function adminError(code: string, message: string) {
  return { error: { code, message } };
}
