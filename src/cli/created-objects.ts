import type { ChangeResult } from '../apply/progress.js';
import type { Plan } from '../plan/types.js';
import { planNames } from './plan-names.js';

/** An application (and/or its service principal) a run brought into being, with the ids people look it up by. */
export interface CreatedObject {
  /** `app:<stack>/<key>`, as the plan names it. */
  app: string;
  displayName: string;
  uniqueName: string;
  appId?: string;
  /** Object id of the application. */
  objectId?: string;
  /** Object id of its service principal. */
  servicePrincipalId?: string;
  /** What the run did: created, restored or adopted the application, and/or created its service principal. */
  actions: string[];
}

/**
 * From the results of a run (ChangeResult.objects): one entry per application the run created, restored or
 * adopted, or whose service principal it created, so `apply` ends with what to look for in the portal. Ids
 * only: never a secret.
 */
export function createdObjects(plan: Plan, results: readonly ChangeResult[]): CreatedObject[] {
  const names = planNames(plan);
  const byRef = new Map<string, CreatedObject>();
  const changes = new Map(plan.changes.map((c) => [c.id, c]));
  for (const r of results) {
    const c = changes.get(r.id);
    if (r.status !== 'done' || !r.objects || !c || !('app' in c)) continue;
    const entry = byRef.get(c.app) ?? { app: c.app, displayName: names.app(c.app), uniqueName: r.objects.uniqueName, actions: [] };
    const sp = c.action === 'create-service-principal';
    if (!sp) Object.assign(entry, { appId: r.objects.appId, objectId: r.objects.objectId });
    if (r.objects.servicePrincipalId) entry.servicePrincipalId = r.objects.servicePrincipalId;
    if (r.objects.appId) entry.appId ??= r.objects.appId;
    entry.actions.push(c.action);
    byRef.set(c.app, entry);
  }
  return [...byRef.values()];
}

/** `created ciam-ToDoList-api (todolist-daemon--api): appId …, object id …, service principal …` */
export function createdLine(o: CreatedObject): string {
  const verb = o.actions.includes('create-application')
    ? 'created'
    : o.actions.includes('restore-deleted-application')
      ? 'restored'
      : o.actions.includes('adopt-application')
        ? 'adopted'
        : 'created the service principal of';
  const ids = [o.appId && `appId ${o.appId}`, o.objectId && `object id ${o.objectId}`, o.servicePrincipalId && `service principal ${o.servicePrincipalId}`];
  return `${verb} ${o.displayName} (${o.uniqueName}): ${ids.filter(Boolean).join(', ')}`;
}
