import type { DesiredStack } from '../model/desired.js';
import type { LiveState } from '../model/live.js';
import type { ApplySnapshot } from '../model/snapshot.js';
import { renderOutput } from '../outputs/render.js';
import { appsOf, liveAppIdOf, outputValues } from '../outputs/values.js';
import type { Change } from './types.js';

/** An output file the plan (re)writes; `secretApps`: the apps whose credentials it holds. */
export interface PlannedOutput {
  path: string;
  sensitive: boolean;
  status: 'create' | 'update';
  secretApps: string[];
}

/** Changes after which an output showing the app must be rewritten even if today's rendering matches. */
const TOUCHING: ReadonlySet<Change['action']> = new Set(['create-application', 'add-secret', 'add-certificate', 'configure-application']);

/**
 * Which output files an apply would (re)write: those whose apps change in a way that shows in the file
 * (new app, new secret or certificate), or whose rendering from the live tenant differs from the file's current
 * content. Their old credentials are removed only after them. Pure: the file contents come from the Snapshot.
 */
export function plannedOutputs(
  s: Pick<ApplySnapshot, 'tenant' | 'local'> & { stacks: DesiredStack[]; live: LiveState },
  changes: readonly Change[],
): PlannedOutput[] {
  const out: PlannedOutput[] = [];
  const touching = new Set(changes.filter((c) => TOUCHING.has(c.action)).map((c) => ('app' in c ? c.app : '')));
  for (const stack of s.stacks) {
    const values = outputValues(stack, {
      tenant: s.live.tenant,
      authorityHost: s.tenant.authorityHost,
      local: s.tenant.kind === 'local',
      appIdOf: liveAppIdOf(stack, s.live.applications),
      secrets: s.local.secrets,
      certificates: s.local.certificateFields,
    });
    for (const o of stack.outputs) {
      const apps = appsOf(stack, o);
      const current = s.local.outputs[o.path] ?? null;
      const rendered = apps.all.some((a) => touching.has(a)) ? undefined : renderOutput(o, values);
      if (current !== null && rendered !== undefined && current === rendered) continue;
      out.push({ path: o.path, sensitive: o.sensitive, status: current !== null ? 'update' : 'create', secretApps: apps.credential });
    }
  }
  return out;
}
