/**
 * The exporter checks its own work with the real validator and the real planner: the text is validated like
 * any manifest, then planned against what was read — as `tenantform import` would leave it (uniqueName and
 * ownership tag set). What the first apply after adoption would still change is reported, so a bug here or a
 * property the manifest cannot carry is never a silent surprise of the next apply.
 */
import { formatLocation, isTenantformError } from '../errors.js';
import { validateManifestText } from '../manifest/index.js';
import { ownershipTagFor, uniqueNameFor, type DesiredApplication } from '../model/desired.js';
import type { LiveApplication, LiveState } from '../model/live.js';
import type { CertificateCache, SecretCache } from '../model/local.js';
import { GUID } from '../model/guid.js';
import { diffStacks } from '../plan/diff.js';
import { toPlanStack } from '../plan/input.js';
import { mergeTags } from '../plan/normalize.js';
import type { Change, Plan } from '../plan/types.js';
import { lower } from './context.js';
import type { ExportInput } from './input.js';
import type { ExportManifestResult } from './types.js';

export interface ExportCheck {
  /** Validation problems of the text (`file:line:column severity message`) and planning refusals. */
  problems: string[];
  /** What the first apply after adoption would still change, one line per change, for the adoptable apps. */
  changes: string[];
}

export function checkExport(o: {
  file: string;
  result: ExportManifestResult;
  read: ExportInput;
  /** The secret cache of this machine: a `tenantform:` secret whose value it knows is kept, not replaced. */
  secrets: SecretCache;
  /** This machine's generated certificates: one whose key it holds is kept, not rotated (absent: none). */
  certificates?: CertificateCache;
  tenant: Plan['tenant'];
  now: number;
  cwd: string;
}): ExportCheck {
  const v = validateManifestText(o.file, o.result.text, { vars: {}, env: {}, cwd: o.cwd });
  const problems = v.problems.map((p) => `${formatLocation(p.location)} ${p.severity}: ${p.message}`);
  if (!v.ok) return { problems, changes: [] };
  const stack = v.stacks[0];
  const byKey = new Map(o.result.apps.map((a) => [a.key, a]));
  const applications: Record<string, LiveApplication> = {};
  for (const d of stack.applications) {
    const appId = byKey.get(d.key)?.appId;
    const a = o.read.applications.find((x) => lower(x.app.appId) === appId);
    if (!a) continue;
    const tag = ownershipTagFor(stack.name);
    applications[uniqueNameFor(stack.name, d.key).toLowerCase()] = {
      app: { ...a.app, uniqueName: uniqueNameFor(stack.name, d.key), tags: mergeTags(a.app.tags, [tag]) },
      servicePrincipal: a.servicePrincipal && { ...a.servicePrincipal, tags: mergeTags(a.servicePrincipal.tags, [tag]) },
      assignments: a.assignments,
      grants: a.grants,
      federatedCredentials: a.federatedCredentials,
    };
  }
  const live: LiveState = { tenant: o.read.tenant, applications, resources: resourcesFor(stack.applications, o.read), users: usersFor(o.read) };
  let changes: Change[];
  try {
    changes = diffStacks({ stacks: [toPlanStack(stack)], live, secrets: o.secrets, certificates: o.certificates, tenant: o.tenant, now: o.now }).changes;
  } catch (e) {
    if (!isTenantformError(e)) throw e;
    return { problems: [...problems, `the manifest cannot be planned: ${e.message}`], changes: [] };
  }
  const adoptable = new Set(o.result.apps.filter((a) => a.adoptable).map((a) => `app:${stack.name}/${a.key}`));
  return { problems, changes: changes.filter((c) => !('app' in c) || adoptable.has(c.app)).map(describe) };
}

/** Tenant APIs and clients the manifest names, resolved like gather does: by appId, or by display name. */
function resourcesFor(apps: DesiredApplication[], read: ExportInput): LiveState['resources'] {
  const names = new Set<string>();
  for (const a of apps) {
    for (const p of a.permissions) if (p.api.kind === 'tenant') names.add(p.api.name);
    for (const c of [...a.knownClientApplications, ...a.preAuthorizedApplications.map((p) => p.client)]) if (c.kind === 'appId') names.add(c.appId);
  }
  const sps = [...read.servicePrincipals, ...read.applications.flatMap((a) => (a.servicePrincipal ? [a.servicePrincipal] : []))];
  const out: LiveState['resources'] = {};
  for (const name of names) {
    const sp = GUID.test(name) ? sps.find((s) => lower(s.appId) === lower(name)) : sps.find((s) => s.displayName === name);
    out[name] = sp ? { servicePrincipal: sp } : null;
  }
  return out;
}

/** The users `userConsent` names (the UPNs the exporter wrote), resolved as gather does: by the name, lower-cased. */
function usersFor(read: ExportInput): LiveState['users'] {
  const out: NonNullable<LiveState['users']> = {};
  for (const [id, upn] of Object.entries(read.users ?? {})) if (upn) out[upn.toLowerCase()] = { id: lower(id), userPrincipalName: upn };
  return out;
}

function describe(c: Change): string {
  const fields = 'fields' in c && Array.isArray(c.fields) ? ` (${c.fields.map((f) => f.field).join(', ')})` : '';
  return `${c.action} ${c.id}${fields}: ${c.reason}`;
}
