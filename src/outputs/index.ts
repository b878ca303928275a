import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CertificateStore } from '../credentials/store.js';
import { TenantformError } from '../errors.js';
import type { LiveState } from '../graph/live.js';
import { identifierUrisFor, outputRefs, type DesiredStack, type DesiredOutput } from '../model/desired.js';
import { appRef, type Change, type Plan } from '../plan/types.js';
import { writeFileAtomic } from './atomic.js';
import { certificateResolver } from './certificates.js';
import { renderOutput, tenantValues, type OutputValues } from './render.js';
import type { SecretStore } from './secret-cache.js';

export interface OutputEnv {
  cwd: string;
  authorityHost: string;
  local: boolean;
  /** Generated certificates (for `${apps.X.certificates.N.*}`). */
  certificates?: CertificateStore;
  /** Where PFX passwords are read from (CommonOptions.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Values for a stack's templates: appIds from `appIdOf` (live or just created), secrets from the cache. */
export function outputValues(stack: DesiredStack, live: LiveState, secrets: SecretStore, env: OutputEnv, appIdOf: (key: string) => string | undefined): OutputValues {
  return {
    tenant: tenantValues(live.tenant, env.authorityHost, env.local),
    appId: appIdOf,
    identifierUri: (key) => {
      const app = stack.applications.find((a) => a.key === key);
      const appId = appIdOf(key);
      return app && appId ? identifierUrisFor(app, appId)[0] : undefined;
    },
    secret: (key, name) => secrets.get(stack.name, key, name)?.value,
    certificate: certificateResolver(stack, live, env),
  };
}

/** Apps an output refers to, as plan refs; `credential`: apps whose secret or certificate it holds or points to. */
export function appsOf(stack: DesiredStack, o: DesiredOutput): { all: string[]; credential: string[] } {
  const refs = outputRefs(o);
  const all = [...new Set(refs.flatMap((r) => (r.kind === 'tenant' ? [] : [appRef(stack.name, r.app)])))];
  const credential = [...new Set(refs.flatMap((r) => (r.kind === 'secret' || r.kind === 'certificate' ? [appRef(stack.name, r.app)] : [])))];
  return { all, credential };
}

/** Changes after which an output showing the app must be rewritten even if today's rendering matches. */
const TOUCHING: ReadonlySet<Change['action']> = new Set(['create-application', 'add-secret', 'add-certificate', 'configure-application']);

/**
 * Which output files an apply would (re)write: those whose apps change in a way that shows in the file
 * (new app, new secret or certificate), or whose rendering from the live tenant differs from the file on disk.
 * `secretApps` are the apps whose credentials the file holds: their old credentials are removed only after it.
 */
export function plannedOutputs(stacks: DesiredStack[], live: LiveState, secrets: SecretStore, env: OutputEnv, draft: Plan) {
  const out: Array<{ path: string; sensitive: boolean; status: 'create' | 'update'; secretApps: string[] }> = [];
  const touching = new Set(draft.changes.filter((c) => TOUCHING.has(c.action)).map((c) => ('app' in c ? c.app : '')));
  for (const stack of stacks) {
    const appIdOf = (key: string) => live.applications[stack.applications.find((a) => a.key === key)?.uniqueName.toLowerCase() ?? '']?.app.appId ?? undefined;
    const values = outputValues(stack, live, secrets, env, appIdOf);
    for (const o of stack.outputs) {
      const file = resolve(env.cwd, o.path);
      const apps = appsOf(stack, o);
      const exists = existsSync(file);
      const rendered = apps.all.some((a) => touching.has(a)) ? undefined : renderOutput(o, values);
      if (exists && rendered !== undefined && readFileSync(file, 'utf8') === rendered) continue;
      out.push({ path: o.path, sensitive: o.sensitive, status: exists ? 'update' : 'create', secretApps: apps.credential });
    }
  }
  return out;
}

/** Render and write one output atomically (0600 when it holds a secret or a private key); `onWrite` observes the write. */
export function writeOutputFile(o: DesiredOutput, values: OutputValues, cwd: string, options: { onWrite?: (what: string) => void } = {}): string {
  const content = renderOutput(o, values);
  if (content === undefined) {
    throw new TenantformError(
      'OUTPUT_FAILED',
      `Cannot render ${o.path}: a value it needs is unknown (a client secret created elsewhere or not in the cache, a certificate not registered yet, or an app that does not exist yet). Run tenantform apply to create them.`,
      { path: o.path },
    );
  }
  const file = resolve(cwd, o.path);
  writeFileAtomic(file, content, o.sensitive ? 0o600 : 0o644);
  options.onWrite?.(`output ${o.path}`);
  return file;
}
