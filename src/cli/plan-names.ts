import { uniqueNameFor } from '../model/desired.js';
import type { Change, Plan } from '../plan/types.js';

/**
 * What the references and GUIDs of a plan stand for, in the words people know them by: an application ref
 * (`app:<stack>/<key>`) → its display name, a role or scope id → its value, a service principal's object id →
 * its display name. Built from the plan alone (the plan is the whole input of rendering), so a name the plan
 * does not carry falls back to the ref without its prefix, and an unknown GUID stays a GUID, said to be one.
 */
export interface PlanNames {
  /** `app:<stack>/<key>` → "ciam-ToDoList-api" (or "todolist-daemon/api" when the plan has no display name). */
  app(ref: string): string;
  /** The display name, when the plan carries one (creates, renames, deletes; not every update). */
  display(ref: string): string | undefined;
  /** A role/scope id, an object id or an appId placeholder → what it names, if the plan knows. */
  guid(id: string): string | undefined;
  /** The application of the stacks that publishes this role/scope id, if the plan shows its roles. */
  publisher(roleId: string): string | undefined;
}

type Entitlement = { id?: unknown; value?: unknown };

export function planNames(plan: Plan): PlanNames {
  const apps = new Map<string, string>();
  const guids = new Map<string, string>();
  const publishers = new Map<string, string>();
  const entitlements = (list: unknown, owner: string | undefined) => {
    if (!Array.isArray(list)) return;
    for (const e of list as Entitlement[]) {
      if (typeof e?.id !== 'string' || typeof e.value !== 'string') continue;
      guids.set(e.id, e.value);
      if (owner) publishers.set(e.id, owner);
    }
  };
  const body = (b: Record<string, unknown> | undefined, owner: string | undefined) => {
    if (!b) return;
    entitlements(b.appRoles, owner);
    entitlements((b.api as { oauth2PermissionScopes?: unknown } | undefined)?.oauth2PermissionScopes, owner);
  };
  for (const c of plan.changes) {
    const owner = 'app' in c && c.action.endsWith('-application') ? c.app : undefined;
    if ('after' in c && c.after && typeof c.after === 'object') body(c.after as Record<string, unknown>, owner);
    if ('fields' in c) {
      for (const f of c.fields) {
        if (f.field === 'appRoles') [f.before, f.after].forEach((list) => entitlements(list, owner));
        if (f.field === 'api') [f.before, f.after].forEach((api) => body({ api }, owner));
      }
    }
    nameApp(c, apps, guids);
  }
  // Without a display name: the uniqueName, which the plan shows for applications anyway.
  const fallback = (ref: string) => {
    const [stack, key] = ref.replace(/^app:/, '').split('/');
    return key === undefined ? ref : uniqueNameFor(stack, key);
  };
  return {
    app: (ref) => apps.get(ref) ?? fallback(ref),
    display: (ref) => apps.get(ref),
    publisher: (id) => publishers.get(id),
    guid: (id) => guids.get(id) ?? (/^\{appId:(app:[^}]+)\}$/.test(id) ? `appId of ${apps.get(id.slice(7, -1)) ?? fallback(id.slice(7, -1))}` : undefined),
  };
}

function nameApp(c: Change, apps: Map<string, string>, guids: Map<string, string>): void {
  const display = (after: Record<string, unknown>) => (typeof after.displayName === 'string' ? after.displayName : undefined);
  switch (c.action) {
    case 'create-application':
    case 'update-application':
    case 'adopt-application': {
      const name = display(c.after);
      if (name) apps.set(c.app, name);
      if (c.action === 'adopt-application' && name) [c.appId, c.objectId].forEach((id) => guids.set(id, name));
      return;
    }
    case 'delete-application':
      apps.set(c.app, c.displayName);
      [c.appId, c.objectId].forEach((id) => guids.set(id, c.displayName));
      return;
    case 'delete-service-principal':
      if (!apps.has(c.app)) apps.set(c.app, c.displayName);
      guids.set(c.servicePrincipalId, c.displayName);
      return;
    case 'create-app-role-assignment':
    case 'create-delegated-grant':
      if (c.resource.kind === 'stack' && !apps.has(c.resource.app)) apps.set(c.resource.app, c.resource.display);
      if (c.resource.kind === 'tenant') guids.set(c.resource.servicePrincipalId, c.resource.display);
      if (c.action === 'create-app-role-assignment') guids.set(c.appRoleId, c.role);
      return;
    default:
      return;
  }
}
