import type { Change } from '../plan/types.js';
import type { PlanNames } from './plan-names.js';

/**
 * One change in words, as the plan lists it ("create service principal for ciam-ToDoList-api") and as
 * progress reports it ("creating …", "created …"). Applications are named by display name, with the
 * uniqueName that identifies them; role and object GUIDs by what they stand for when the plan knows.
 */
export function describeChange(c: Change, names: PlanNames): string {
  const app = (ref: string) => names.app(ref);
  // The uniqueName identifies it; the display name, when the plan has it, is what people know it by.
  const named = (ref: string, uniqueName: string) => {
    const display = names.display(ref);
    return display ? `${display} (${uniqueName})` : uniqueName;
  };
  switch (c.action) {
    case 'create-application':
      return `create application ${named(c.app, c.uniqueName)}`;
    case 'update-application':
      return `update application ${named(c.app, c.uniqueName)}`;
    case 'configure-application':
      return `configure application ${named(c.app, c.uniqueName)}`;
    case 'pre-authorize-applications':
      return `pre-authorize clients of ${named(c.app, c.uniqueName)}`;
    case 'disable-entitlements':
      return `disable ${[...c.roles, ...c.scopes].join(', ')} on ${named(c.app, c.uniqueName)}`;
    case 'create-service-principal':
      return `create service principal for ${app(c.app)}`;
    case 'update-service-principal':
      return `update service principal of ${app(c.app)}`;
    case 'add-secret':
      return `add client secret "${c.name}" to ${app(c.app)} (sensitive)`;
    case 'remove-secret':
      return `remove client secret ${c.keyId} (${c.displayName}) from ${app(c.app)}`;
    case 'create-app-role-assignment':
      return `grant ${c.role} on ${c.resource.display} to ${app(c.app)}`;
    case 'delete-app-role-assignment':
      return `revoke ${roleOf(c, names)} from ${app(c.app)}`;
    case 'create-delegated-grant':
      return `grant delegated "${c.scope}" on ${c.resource.display} to ${app(c.app)}${c.user ? ` for ${c.user.userPrincipalName}` : ''}`;
    case 'update-delegated-grant':
      return `change delegated grant of ${app(c.app)}${c.user ? ` for ${c.user.userPrincipalName}` : ''}: "${c.before}" → "${c.scope}"`;
    case 'delete-delegated-grant':
      return `revoke delegated "${c.before}" from ${app(c.app)}`;
    case 'write-output':
      return `${c.status === 'create' ? 'write' : 'rewrite'} ${c.path}${c.sensitive ? ' (sensitive, mode 0600)' : ''}`;
    case 'add-certificate':
      return c.source === 'generate'
        ? `add certificate "${c.name}" to ${app(c.app)} (${c.keyId ? 'stored by an interrupted run' : 'new self-signed'} ${c.subject}; private key kept 0600)`
        : `add certificate "${c.name}" to ${app(c.app)} (from ${c.file}, SHA-256 ${c.thumbprintSha256})`;
    case 'remove-certificate':
      return `remove certificate ${c.keyId} (${c.displayName}) from ${app(c.app)}`;
    case 'create-federated-credential':
      return `add federated credential "${c.name}" to ${app(c.app)} (${c.after.issuer} · ${c.after.subject})`;
    case 'update-federated-credential':
      return `update federated credential "${c.name}" of ${app(c.app)}`;
    case 'delete-federated-credential':
      return `delete federated credential "${c.name}" from ${app(c.app)}`;
    case 'delete-service-principal':
      return app(c.app) === c.displayName ? `delete service principal of ${c.displayName}` : `delete service principal "${c.displayName}" of ${app(c.app)}`;
    case 'delete-application':
      return `delete application "${c.displayName}" (${c.uniqueName ?? c.objectId}, appId ${c.appId})`;
    case 'purge-deleted-object':
      return `purge deleted ${c.objectType === 'application' ? 'application' : 'service principal'} "${c.displayName}" (${c.objectId}) permanently`;
    case 'restore-deleted-application':
      return `restore deleted application ${c.uniqueName} (appId ${c.appId}) and its service principal`;
    case 'adopt-application':
      return `adopt application ${app(c.app)} (appId ${c.appId}) as ${c.uniqueName}`;
    case 'create-conditional-access-policy':
      return `create conditional access policy "${c.displayName}" (${c.policy}, ${String(c.after.state)})`;
    case 'update-conditional-access-policy':
      return `update conditional access policy "${c.displayName}" (${c.policy})`;
    case 'delete-conditional-access-policy':
      return `delete conditional access policy "${c.displayName}" (${c.policyId})`;
  }
}

/**
 * A revoked role: its value (the planner names it when the API still publishes it, else the plan may know it
 * from the API's own roles), and the API it belongs to; what the plan cannot name stays a GUID, said as one.
 */
function roleOf(c: Extract<Change, { action: 'delete-app-role-assignment' }>, names: PlanNames): string {
  const value = c.role !== c.appRoleId ? c.role : names.guid(c.appRoleId);
  const publisher = names.publisher(c.appRoleId);
  const api = names.guid(c.resourceId) ?? (publisher ? names.app(publisher) : undefined) ?? c.resourceDisplayName;
  return `${value ?? `app role ${c.appRoleId}`} on ${api ?? `the API with service principal ${c.resourceId}`}`;
}

const VERB: Record<string, [doing: string, done: string]> = {
  create: ['creating', 'created'],
  update: ['updating', 'updated'],
  configure: ['configuring', 'configured'],
  'pre-authorize': ['pre-authorizing', 'pre-authorized'],
  disable: ['disabling', 'disabled'],
  add: ['adding', 'added'],
  remove: ['removing', 'removed'],
  grant: ['granting', 'granted'],
  revoke: ['revoking', 'revoked'],
  change: ['changing', 'changed'],
  write: ['writing', 'wrote'],
  rewrite: ['rewriting', 'rewrote'],
  delete: ['deleting', 'deleted'],
  purge: ['purging', 'purged'],
  restore: ['restoring', 'restored'],
  adopt: ['adopting', 'adopted'],
};

/** The change in progress ("creating service principal for …") or done ("created …"). */
export function changeInWords(c: Change, names: PlanNames, tense: 'doing' | 'done'): string {
  const text = describeChange(c, names);
  const space = text.indexOf(' ');
  const forms = VERB[text.slice(0, space)];
  return forms ? `${forms[tense === 'doing' ? 0 : 1]}${text.slice(space)}` : text;
}
