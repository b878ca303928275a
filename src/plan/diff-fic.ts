import type { FederatedIdentityCredential } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import type { LiveApplication } from '../model/live.js';
import { ownershipTagFor } from '../model/desired.js';
import { MAX_FEDERATED_CREDENTIALS } from '../model/limits.js';
import type { PlanApplication } from './input.js';
import { appRef, type Change, type FederatedCredentialBody, type FieldChange } from './types.js';

export interface FicDiffInput {
  desired: PlanApplication;
  live?: LiveApplication;
  appChangeIds: string[];
}

/**
 * Federated identity credentials (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential).
 * Matched by name (Graph's alternate key, case-insensitive). A changed issuer/subject/audience/description is
 * a PATCH; the name is immutable, so a renamed credential is planned as a delete of the old name and a create
 * of the new one — creates wait for the deletes of the same application, because issuer + subject must stay
 * unique and the count must stay ≤ 20 at every step. Credentials not in the manifest are deleted only when
 * they carry this stack's marker in their description (see ficDescription()); others are never touched.
 * Graph's rules are checked here, before any write, against what the application already holds.
 */
export function diffFederatedCredentials(input: FicDiffInput): Change[] {
  const { desired: d, live } = input;
  const ref = appRef(d.stack, d.key);
  const current: FederatedIdentityCredential[] = live?.federatedCredentials ?? [];
  const marker = ownershipTagFor(d.stack);
  const byName = new Map(current.map((f) => [String(f.name).toLowerCase(), f]));
  const wanted = new Set(d.federatedCredentials.map((f) => f.name.toLowerCase()));
  const deletes: Change[] = [];
  for (const f of current) {
    if (wanted.has(String(f.name).toLowerCase()) || !f.description?.startsWith(marker)) continue;
    deletes.push({
      id: `fic-delete:${d.stack}/${d.key}/${f.name}`,
      action: 'delete-federated-credential',
      app: ref,
      name: String(f.name),
      ficId: String(f.id),
      wave: 0,
      dependsOn: [],
      reason: 'no longer in the manifest (or renamed: names are immutable)',
    });
  }
  const kept = current.filter((f) => !deletes.some((c) => c.action === 'delete-federated-credential' && c.ficId === f.id));
  checkLimits(d, kept);
  const changes: Change[] = [...deletes];
  const appDeps = input.appChangeIds.includes(ref) && !live ? [ref] : [];
  for (const f of d.federatedCredentials) {
    const after: FederatedCredentialBody = { name: f.name, issuer: f.issuer, subject: f.subject, audiences: [...f.audiences], description: f.description };
    const l = byName.get(f.name.toLowerCase());
    if (!l) {
      changes.push({
        id: `fic:${d.stack}/${d.key}/${f.name}`,
        action: 'create-federated-credential',
        app: ref,
        name: f.name,
        after,
        wave: 0,
        dependsOn: [...appDeps, ...deletes.map((c) => c.id)],
        reason: 'not on the application yet',
      });
      continue;
    }
    const fields: FieldChange[] = [];
    for (const field of ['issuer', 'subject', 'audiences', 'description'] as const) {
      const before = field === 'audiences' ? [...(l.audiences ?? [])] : (l[field] ?? null);
      if (JSON.stringify(before) !== JSON.stringify(after[field])) fields.push({ field, before, after: after[field] });
    }
    if (!fields.length) continue;
    const { name: _name, ...body } = after;
    changes.push({
      id: `fic:${d.stack}/${d.key}/${f.name}`,
      action: 'update-federated-credential',
      app: ref,
      name: String(l.name),
      ficId: String(l.id),
      fields,
      after: { ...body, name: String(l.name) },
      wave: 0,
      dependsOn: deletes.map((c) => c.id),
      reason: 'its issuer, subject, audience or description differs',
    });
  }
  return changes;
}

/** ≤ 20 per application and unique issuer + subject, counting credentials the stack does not manage. */
function checkLimits(d: PlanApplication, kept: FederatedIdentityCredential[]): void {
  const names = new Set(d.federatedCredentials.map((f) => f.name.toLowerCase()));
  const unmanaged = kept.filter((f) => !names.has(String(f.name).toLowerCase()));
  const total = unmanaged.length + d.federatedCredentials.length;
  if (total > MAX_FEDERATED_CREDENTIALS) {
    throw new TenantformError(
      'CONFLICT',
      `Application ${d.uniqueName} would have ${total} federated credentials (${unmanaged.length} not managed by this stack: ${unmanaged.map((f) => f.name).join(', ')}); Graph allows at most ${MAX_FEDERATED_CREDENTIALS}. Remove some before applying.`,
      { uniqueName: d.uniqueName },
    );
  }
  for (const f of d.federatedCredentials) {
    const clash = unmanaged.find((u) => u.issuer === f.issuer && u.subject === f.subject);
    if (clash) {
      throw new TenantformError(
        'CONFLICT',
        `Federated credential "${f.name}" of ${d.uniqueName} has the same issuer and subject as "${clash.name}", which this stack does not manage; Graph requires them to be unique per application. Remove or rename one of them.`,
        { uniqueName: d.uniqueName, location: f.location },
      );
    }
  }
}
