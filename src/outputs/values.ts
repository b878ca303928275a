/**
 * The values an output template can name, from plain data: tenant facts, appIds, the secret cache and the
 * certificate field table. Pure — the planner renders outputs with it from a Snapshot (plan/outputs.ts), and
 * apply renders with it from what it has just created (apply/outputs.ts).
 */
import { TenantformError } from '../errors.js';
import { appRef, identifierUrisFor, outputRefs, type DesiredOutput, type DesiredStack } from '../model/desired.js';
import type { LiveTenant } from '../model/live.js';
import type { SecretCache } from '../model/local.js';
import type { CertificateFieldTable } from '../model/snapshot.js';
import { tenantValues, type OutputValues } from './render.js';

export interface ValueSources {
  tenant: LiveTenant;
  authorityHost: string;
  local: boolean;
  /** appId of one of the stack's applications (live, or just created). */
  appIdOf(key: string): string | undefined;
  secrets: SecretCache;
  certificates: CertificateFieldTable;
}

/** Values for one stack's templates. */
export function outputValues(stack: DesiredStack, src: ValueSources): OutputValues {
  return {
    tenant: tenantValues(src.tenant, src.authorityHost, src.local),
    appId: src.appIdOf,
    identifierUri: (key) => {
      const app = stack.applications.find((a) => a.key === key);
      const appId = src.appIdOf(key);
      return app && appId ? identifierUrisFor(app, appId)[0] : undefined;
    },
    secret: (key, name) => src.secrets[stack.name]?.[key]?.[name]?.value,
    certificate: (key, name, field) => {
      const f = src.certificates[stack.name]?.[key]?.[name];
      if (f && 'error' in f) throw new TenantformError('USAGE', `Cannot read certificate "${name}" of ${stack.name}/${key}: ${f.error}`);
      return f?.[field];
    },
  };
}

/** appId of a stack's application as the live state holds it. */
export function liveAppIdOf(stack: DesiredStack, applications: Record<string, { app: { appId?: string | null } }>): (key: string) => string | undefined {
  return (key) => applications[stack.applications.find((a) => a.key === key)?.uniqueName.toLowerCase() ?? '']?.app.appId ?? undefined;
}

/** Apps an output refers to, as plan refs; `credential`: apps whose secret or certificate it holds or points to. */
export function appsOf(stack: DesiredStack, o: DesiredOutput): { all: string[]; credential: string[] } {
  // Sets keep first-seen order, as the arrays did.
  const all = new Set<string>();
  const credential = new Set<string>();
  for (const r of outputRefs(o)) {
    if (r.kind === 'tenant') continue;
    const ref = appRef(stack.name, r.app);
    all.add(ref);
    if (r.kind === 'secret' || r.kind === 'certificate') credential.add(ref);
  }
  return { all: [...all], credential: [...credential] };
}
