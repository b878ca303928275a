import { TenantformError } from '../errors.js';
import { ownerOf } from '../model/desired.js';
import type { Adoption, ImportSnapshot } from '../model/snapshot.js';
import { canonStrings, mergeTags, same } from './normalize.js';
import { orderChanges } from './order.js';
import { appRef, PLAN_FORMAT_VERSION, type Change, type FieldChange, type Plan } from './types.js';

export type { Adoption };

/** The import plan: refuse what must not be adopted, then one adopt-application change per application. */
export function createImportPlan(s: ImportSnapshot): Plan {
  s.adoptions.forEach(checkAdoption);
  const { authorityHost: _host, ...tenant } = s.tenant;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    operation: 'import',
    createdAt: new Date(s.now).toISOString(),
    tenant,
    stacks: [...new Set(s.adoptions.map((a) => a.stack))],
    changes: orderChanges(s.adoptions.flatMap((a) => adoptionChange(a) ?? [])),
    warnings: [],
  };
}

/** Refuse what adoption must not do: rename a uniqueName, take another stack's app, or collide with a holder. */
export function checkAdoption(a: Adoption): void {
  const name = `"${a.app.displayName}" (appId ${a.app.appId})`;
  const meta = { appId: a.app.appId, uniqueName: a.desired.uniqueName };
  if (a.app.uniqueName && a.app.uniqueName.toLowerCase() !== a.desired.uniqueName.toLowerCase()) {
    throw new TenantformError(
      'CONFLICT',
      `Application ${name} already has uniqueName ${a.app.uniqueName}; Graph never changes a uniqueName once set, so it cannot become ${a.desired.uniqueName}. Adopt it into the stack and key that uniqueName names, or leave it out.`,
      { ...meta, current: a.app.uniqueName },
    );
  }
  const owner = ownerOf(a.app.tags);
  if (owner && owner !== a.stack) {
    throw new TenantformError('CONFLICT', `Application ${name} belongs to stack "${owner}"; destroy or release it there first.`, { ...meta, owner });
  }
  if (a.holder && a.holder.id !== a.app.id) {
    throw new TenantformError(
      'CONFLICT',
      `Application "${a.holder.displayName}" (appId ${a.holder.appId}) already holds uniqueName ${a.desired.uniqueName}; it cannot go to ${name} as well.`,
      {
        ...meta,
        holder: a.holder.appId,
      },
    );
  }
  if (a.deletedHolder) {
    throw new TenantformError(
      'SOFT_DELETED',
      `A deleted application "${a.deletedHolder.displayName}" (appId ${a.deletedHolder.appId}) holds uniqueName ${a.desired.uniqueName} in the recycle bin. Purge it first (tenantform destroy --purge for the stack, or DELETE /directory/deletedItems/${a.deletedHolder.id}), then import again.`,
      { ...meta, deletedId: a.deletedHolder.id },
    );
  }
}

/** The change that adopts one application, or undefined when it already carries the uniqueName and the tag. */
export function adoptionChange(a: Adoption): Change | undefined {
  const fields: FieldChange[] = [];
  const after: Record<string, unknown> = {};
  if (!a.app.uniqueName) {
    fields.push({ field: 'uniqueName', before: null, after: a.desired.uniqueName });
    after.uniqueName = a.desired.uniqueName;
  }
  const tags = mergeTags(a.app.tags, [a.desired.ownershipTag]);
  if (!same(canonStrings(a.app.tags), canonStrings(tags))) {
    fields.push({ field: 'tags', before: a.app.tags ?? [], after: tags });
    after.tags = tags;
  }
  const sp = a.servicePrincipal;
  const spTags = sp ? mergeTags(sp.tags, [a.desired.ownershipTag]) : null;
  const spChanges = !!sp && !same(canonStrings(sp.tags), canonStrings(spTags));
  if (spChanges) fields.push({ field: 'servicePrincipal.tags', before: sp!.tags ?? [], after: spTags });
  if (!fields.length) return undefined;
  const ref = appRef(a.stack, a.desired.key);
  return {
    id: `adopt:${ref}`,
    action: 'adopt-application',
    app: ref,
    uniqueName: a.desired.uniqueName,
    objectId: String(a.app.id),
    appId: String(a.app.appId),
    fields,
    after,
    servicePrincipalId: spChanges ? String(sp!.id) : null,
    servicePrincipalTags: spChanges ? spTags : null,
    wave: 0,
    dependsOn: [],
    reason: `adopt "${a.app.displayName}" into stack "${a.stack}" as application "${a.desired.key}"`,
  };
}
