import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TenantformError } from '../errors.js';
import type { LiveState } from '../graph/live.js';
import { identifierUrisFor, templateRefs, type DesiredStack, type DesiredOutput } from '../model/desired.js';
import { appRef, type Plan } from '../plan/types.js';
import { writeFileAtomic } from './atomic.js';
import { authorityFor, renderOutput, type OutputValues } from './render.js';
import type { SecretStore } from './secret-cache.js';

export interface OutputEnv {
  cwd: string;
  authorityHost: string;
  local: boolean;
}

/** Values for a stack's templates: appIds from `appIdOf` (live or just created), secrets from the cache. */
export function outputValues(stack: DesiredStack, live: LiveState, secrets: SecretStore, env: OutputEnv, appIdOf: (key: string) => string | undefined): OutputValues {
  const t = live.tenant;
  return {
    tenant: { id: t.id, subdomain: t.subdomain, authority: authorityFor(t, env.authorityHost, env.local) },
    appId: appIdOf,
    identifierUri: (key) => {
      const app = stack.applications.find((a) => a.key === key);
      const appId = appIdOf(key);
      return app && appId ? identifierUrisFor(app, appId)[0] : undefined;
    },
    secret: (key, name) => secrets.get(stack.name, key, name)?.value,
  };
}

/** Apps an output refers to, as plan refs. */
function appsOf(stack: DesiredStack, o: DesiredOutput): { all: string[]; secret: string[] } {
  const refs = o.values.flatMap((v) => templateRefs(v.parts));
  const all = [...new Set(refs.flatMap((r) => (r.kind === 'tenant' ? [] : [appRef(stack.name, r.app)])))];
  const secret = [...new Set(refs.flatMap((r) => (r.kind === 'secret' ? [appRef(stack.name, r.app)] : [])))];
  return { all, secret };
}

/**
 * Which output files an apply would (re)write: those whose apps change in a way that shows in the file
 * (new app, new secret), or whose rendering from the live tenant differs from the file on disk.
 */
export function plannedOutputs(stacks: DesiredStack[], live: LiveState, secrets: SecretStore, env: OutputEnv, draft: Plan) {
  const out: Array<{ path: string; sensitive: boolean; status: 'create' | 'update'; secretApps: string[] }> = [];
  const touching = new Set(draft.changes.filter((c) => c.action === 'create-application' || c.action === 'add-secret' || c.action === 'configure-application').map((c) => ('app' in c ? c.app : '')));
  for (const stack of stacks) {
    const appIdOf = (key: string) => live.applications[stack.applications.find((a) => a.key === key)?.uniqueName.toLowerCase() ?? '']?.app.appId ?? undefined;
    const values = outputValues(stack, live, secrets, env, appIdOf);
    for (const o of stack.outputs) {
      const file = resolve(env.cwd, o.path);
      const apps = appsOf(stack, o);
      const exists = existsSync(file);
      const rendered = apps.all.some((a) => touching.has(a)) ? undefined : renderOutput(o, values);
      if (exists && rendered !== undefined && readFileSync(file, 'utf8') === rendered) continue;
      out.push({ path: o.path, sensitive: o.sensitive, status: exists ? 'update' : 'create', secretApps: apps.secret });
    }
  }
  return out;
}

/** Render and write one output atomically (0600 when it holds a secret). */
export function writeOutputFile(o: DesiredOutput, values: OutputValues, cwd: string): string {
  const content = renderOutput(o, values);
  if (content === undefined) {
    throw new TenantformError('OUTPUT_FAILED', `Cannot render ${o.path}: a value it needs is unknown (a client secret created elsewhere, or an app that does not exist yet). Run tenantform apply to create them.`, { path: o.path });
  }
  const file = resolve(cwd, o.path);
  writeFileAtomic(file, content, o.sensitive ? 0o600 : 0o644);
  return file;
}
