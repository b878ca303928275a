import { formatLocation, TenantformError } from '../errors.js';
import type { LiveState } from '../model/live.js';
import { diffAccess, requiredResourceAccess, resolveApi, resolutionProblems, resolveFailed } from './diff-access.js';
import { diffApplication } from './diff-app.js';
import { diffFederatedCredentials } from './diff-fic.js';
import { diffPolicies } from './diff-policies.js';
import { checkPolicyAccess } from './policy-access.js';
import type { TokenPermissions } from '../model/snapshot.js';
import { diffKeys } from './diff-keys.js';
import { diffSecrets } from './diff-secrets.js';
import { expiryWarnings } from './expiry.js';
import { otherWriterWarnings } from './other-writer.js';
import { diffServicePrincipal } from './diff-sp.js';
import type { CertificateCache, SecretCache } from '../model/local.js';
import type { PlanApplication, PlanStack } from './input.js';
import type { DesiredClientRef } from '../model/desired.js';
import type { LiveApplication } from '../model/live.js';
import type { PreAuthorizedApplication } from '@microsoft/microsoft-graph-types';
import { orderChanges } from './order.js';
import { appRef, PLAN_FORMAT_VERSION, type Change, type Plan } from './types.js';
import type { PlannedOutput } from './outputs.js';

/** The planner's inputs for an apply, derived from an ApplySnapshot (plan/index.ts) or built by unit tests. */
export interface PlanInputs {
  stacks: PlanStack[];
  live: LiveState;
  secrets: SecretCache;
  tenant: Plan['tenant'];
  now: number;
  /** Output files that would change (plan/outputs.ts; the plan names them, never their content). */
  outputs?: PlannedOutput[];
  /** Local knowledge of certificates (store + files the manifest names; src/credentials). */
  certificates?: CertificateCache;
  /** keyIds of credentials an existing output file may hold, by app ref (plan/in-use.ts). */
  inUse?: Record<string, string[]>;
  /** The acting identity's Graph permissions (from its token), when known: policy writes need Policy.ReadWrite.ConditionalAccess. */
  permissions?: TokenPermissions;
  /** `apply --rotate-secrets` / `--rotate-certificates`. */
  rotateSecrets?: boolean;
  rotateCertificates?: boolean;
}

/** Diff desired against live: the changes to the tenant, before output files. Never mutates its inputs. */
export function diffStacks(inputs: PlanInputs): { changes: Change[]; warnings: string[] } {
  // Every unresolvable name at once, located in the manifests, before the first one would throw below.
  const unresolved = resolutionProblems(inputs.stacks, inputs.live);
  if (unresolved.length) throw resolveFailed(unresolved);
  const changes: Change[] = [];
  const warnings: string[] = [];
  checkIdentifierUriHolders(inputs.stacks, inputs.live);
  for (const stack of inputs.stacks) {
    const liveOf = (uniqueName: string) => inputs.live.applications[uniqueName.toLowerCase()];
    // Pass 1: application objects and service principals, so later passes know what will be created.
    const appChanges: Change[] = [];
    for (const d of stack.applications) {
      const placeholderApis = d.permissions.map((p) => resolveApi(p, stack, inputs.live, new Set()));
      const rra = requiredResourceAccess(d, placeholderApis);
      // A `{appId:<ref>}` placeholder names an API app that does not exist yet, i.e. one this plan creates
      // (its create change has id <ref>): configuring this app waits for it.
      const own = appRef(stack.name, d.key);
      const resourceDeps = [...new Set([...JSON.stringify(rra).matchAll(/\{appId:(app:[^}]+)\}/g)].map((m) => m[1]))].filter((r) => r !== own);
      appChanges.push(
        ...diffApplication({
          desired: d,
          live: liveOf(d.uniqueName),
          requiredResourceAccess: rra,
          resourceDeps,
          clients: desiredClients(d, stack, liveOf, inputs.live.resources),
        }),
      );
    }
    const appIds = appChanges.map((c) => c.id);
    const spChanges = stack.applications.flatMap((d) => diffServicePrincipal(d, liveOf(d.uniqueName), appIds));
    const planned = new Set([...appIds, ...spChanges.map((c) => c.id)]);
    changes.push(...appChanges, ...spChanges);
    // Pass 2: credentials and consent.
    for (const d of stack.applications) {
      const live = liveOf(d.uniqueName);
      const apis = d.permissions.map((p) => resolveApi(p, stack, inputs.live, planned));
      const ref = appRef(stack.name, d.key);
      const certificates = inputs.certificates?.[stack.name]?.[d.key] ?? {};
      const common = { desired: d, live, now: inputs.now, appChangeIds: appIds, inUse: inputs.inUse?.[ref] };
      const credentialChanges = [
        ...diffSecrets({ ...common, known: inputs.secrets[stack.name]?.[d.key] ?? {}, rotate: inputs.rotateSecrets }),
        ...diffKeys({ ...common, certificates, rotate: inputs.rotateCertificates }),
        ...diffFederatedCredentials(common),
      ];
      changes.push(...credentialChanges);
      warnings.push(...expiryWarnings({ desired: d, live, changes: credentialChanges, now: inputs.now, certificates }));
      warnings.push(...otherWriterWarnings({ desired: d, live, known: inputs.secrets[stack.name]?.[d.key] ?? {}, certificates }));
      changes.push(...diffAccess(d, apis, live, planned, inputs.live.users));
    }
    changes.push(...diffPolicies(stack, inputs.live));
  }
  warnings.push(...checkPolicyAccess(inputs.stacks, inputs.live, changes, inputs.permissions));
  return { changes, warnings };
}

/**
 * Identifier URIs are unique in a tenant. One held by an application this plan does not manage would be refused
 * by Graph at write time with the code of a not-yet-replicated uniqueName (400 Request_BadRequest), which the retry
 * table waits out until the deadline — so it is refused here, before any write, with the holder's name.
 */
function checkIdentifierUriHolders(stacks: PlanStack[], live: LiveState): void {
  const holders = live.identifierUriHolders ?? {};
  for (const stack of stacks) {
    for (const d of stack.applications) {
      const own = live.applications[d.uniqueName.toLowerCase()]?.app.appId?.toLowerCase();
      for (const uri of d.identifierUris) {
        const other = (holders[uri.toLowerCase()] ?? []).find(
          (h) => h.appId.toLowerCase() !== own && h.uniqueName?.toLowerCase() !== d.uniqueName.toLowerCase(),
        );
        if (!other) continue;
        throw new TenantformError(
          'CONFLICT',
          `${formatLocation(d.location)}: identifier URI "${uri}" of application "${d.key}" is already used by "${other.displayName}" (appId ${other.appId}). Identifier URIs are unique in a tenant: choose another, or remove it from that application.`,
          { location: d.location, uri, holder: other.appId },
        );
      }
    }
  }
}

/**
 * The plan for the inputs: the diff (computed here unless given) plus the output files in `inputs.outputs`.
 * Outputs are written once the secrets they hold exist; old secrets go only after that.
 */
export function planFromInputs(inputs: PlanInputs, diff: { changes: readonly Change[]; warnings: readonly string[] } = diffStacks(inputs)): Plan {
  const changes: Change[] = diff.changes.map((c) => ({ ...c, dependsOn: [...c.dependsOn] }) as Change);
  const warnings = [...diff.warnings];
  for (const o of inputs.outputs ?? []) {
    const id = `output:${o.path}`;
    const afterOutputs = (c: Change) => (c.action === 'remove-secret' || c.action === 'remove-certificate') && c.afterOutputs !== false;
    changes.push({
      id,
      action: 'write-output',
      path: o.path,
      sensitive: o.sensitive,
      status: o.status,
      wave: 0,
      dependsOn: changes.filter((c) => !afterOutputs(c) && c.action !== 'write-output').map((c) => c.id),
      reason: o.status === 'create' ? 'the file does not exist' : 'its content changes',
    });
    for (const r of changes) {
      // Old credentials go only once every file that may hold them holds the new one.
      if (afterOutputs(r) && 'app' in r && o.secretApps.includes(r.app)) r.dependsOn.push(id);
    }
  }
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: new Date(inputs.now).toISOString(),
    tenant: inputs.tenant,
    stacks: inputs.stacks.map((s) => s.name),
    changes: orderChanges(changes),
    warnings,
  };
}

/**
 * An API's known clients and pre-authorized clients as Graph should store them. The stack manages the entries
 * for its own applications and for the appIds its manifest names; any other entry (added in the admin center)
 * is kept, never removed. A client this plan creates is a `{appId:<ref>}` placeholder, its create a dependency.
 */
function desiredClients(d: PlanApplication, stack: PlanStack, liveOf: (uniqueName: string) => LiveApplication | undefined, resources: LiveState['resources']) {
  const deps = new Set<string>();
  const appIdOf = (c: DesiredClientRef): string => {
    if (c.kind === 'appId') {
      const ours = stack.applications.some((a) => liveOf(a.uniqueName)?.app.appId?.toLowerCase() === c.appId);
      if (!ours && !resources[c.appId]) {
        throw new TenantformError(
          'RESOLVE_FAILED',
          `${formatLocation(c.location)}: application "${d.key}" names the client ${c.appId}, which is not in the tenant (no service principal with that appId). Known and pre-authorized clients are applications of the same tenant: check the appId, or name the application by its manifest key.`,
          { location: c.location },
        );
      }
      return c.appId;
    }
    const client = stack.applications.find((a) => a.key === c.key)!;
    const appId = liveOf(client.uniqueName)?.app.appId;
    if (appId) return appId.toLowerCase();
    deps.add(appRef(stack.name, c.key));
    return `{appId:${appRef(stack.name, c.key)}}`;
  };
  const managed = new Set([
    ...stack.applications.flatMap((a) => liveOf(a.uniqueName)?.app.appId?.toLowerCase() ?? []),
    ...[...d.knownClientApplications, ...d.preAuthorizedApplications.map((p) => p.client)].flatMap((c) => (c.kind === 'appId' ? [c.appId] : [])),
  ]);
  const api = liveOf(d.uniqueName)?.app.api;
  const known = [...(api?.knownClientApplications ?? []).filter((x) => !managed.has(x.toLowerCase())), ...d.knownClientApplications.map(appIdOf)];
  const preAuthorized: PreAuthorizedApplication[] = [
    ...(api?.preAuthorizedApplications ?? []).filter((p) => !managed.has(String(p.appId).toLowerCase())),
    ...d.preAuthorizedApplications.map((p) => ({ appId: appIdOf(p.client), delegatedPermissionIds: [...p.scopeIds] })),
  ];
  return { known, preAuthorized, deps: [...deps] };
}
