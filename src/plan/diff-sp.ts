import type { LiveApplication } from '../model/live.js';
import type { PlanApplication } from './input.js';
import { canonStrings, mergeTags, same } from './normalize.js';
import { appRef, type Change, type FieldChange } from './types.js';

/** The service principal: created (upserted by appId) after its application, then kept in line. */
export function diffServicePrincipal(d: PlanApplication, live: LiveApplication | undefined, appChangeIds: string[]): Change[] {
  const ref = appRef(d.stack, d.key);
  const sp = live?.servicePrincipal;
  const tags = mergeTags(sp?.tags, [d.ownershipTag, ...d.servicePrincipal.tags]);
  const after = { appRoleAssignmentRequired: d.servicePrincipal.appRoleAssignmentRequired, tags };
  const id = `sp:${d.stack}/${d.key}`;
  const createdApp = appChangeIds.includes(ref) && !live;
  if (!sp) {
    return [
      {
        id,
        action: 'create-service-principal',
        app: ref,
        after,
        wave: 0,
        dependsOn: createdApp ? [ref] : [],
        reason: `application "${d.key}" has no service principal`,
      },
    ];
  }
  const fields: FieldChange[] = [];
  if (!!sp.appRoleAssignmentRequired !== after.appRoleAssignmentRequired) {
    fields.push({ field: 'appRoleAssignmentRequired', before: !!sp.appRoleAssignmentRequired, after: after.appRoleAssignmentRequired });
  }
  if (!same(canonStrings(sp.tags), canonStrings(tags))) fields.push({ field: 'tags', before: sp.tags ?? [], after: tags });
  if (!fields.length) return [];
  return [
    {
      id,
      action: 'update-service-principal',
      app: ref,
      fields,
      after,
      wave: 0,
      dependsOn: [],
      reason: `${fields.map((f) => f.field).join(', ')} differ from the manifest`,
    },
  ];
}
