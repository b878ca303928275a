import type { ChalkInstance } from 'chalk';
import type { Change, Plan } from '../plan/types.js';

const SYMBOL: Record<string, '+' | '~' | '-'> = {};
for (const a of ['create-application', 'create-service-principal', 'add-secret', 'create-app-role-assignment', 'create-delegated-grant']) SYMBOL[a] = '+';
for (const a of [
  'update-application',
  'configure-application',
  'pre-authorize-applications',
  'disable-entitlements',
  'update-service-principal',
  'update-delegated-grant',
  'write-output',
])
  SYMBOL[a] = '~';
for (const a of [
  'remove-secret',
  'delete-app-role-assignment',
  'delete-delegated-grant',
  'delete-service-principal',
  'delete-application',
  'purge-deleted-object',
])
  SYMBOL[a] = '-';
for (const a of ['restore-deleted-application']) SYMBOL[a] = '+';
for (const a of ['add-certificate', 'create-federated-credential']) SYMBOL[a] = '+';
for (const a of ['update-federated-credential']) SYMBOL[a] = '~';
for (const a of ['remove-certificate', 'delete-federated-credential']) SYMBOL[a] = '-';
for (const a of ['adopt-application', 'update-conditional-access-policy']) SYMBOL[a] = '~';
SYMBOL['create-conditional-access-policy'] = '+';
SYMBOL['delete-conditional-access-policy'] = '-';

const EMPTY = {
  apply: 'No changes. The tenant matches the manifests.',
  destroy: 'Nothing to destroy: the tenant holds nothing the stack owns.',
  import: 'Nothing to adopt: the applications already belong to the stack.',
} as const;

/** The first line of every plan: which tenant, and who acts on it. */
export function planHeader(plan: Plan, style: ChalkInstance): string {
  const kind = plan.tenant.kind === 'local' ? 'local emulator tenant' : `tenant${plan.tenant.type === 'CIAM' ? ' (External ID)' : ''}`;
  return `${style.bold('Tenant')} ${plan.tenant.id} (${kind}) ${style.dim('as')} ${plan.tenant.identity}`;
}

/** Terraform-style text: one block per change, per field before → after. Secrets never appear. */
export function renderPlan(plan: Plan, style: ChalkInstance): string {
  const lines = [planHeader(plan, style), ''];
  if (!plan.changes.length) {
    lines.push(style.green(EMPTY[plan.operation ?? 'apply']));
    for (const w of plan.warnings) lines.push(style.yellow(`warning: ${w}`));
    return lines.join('\n');
  }
  let wave = -1;
  for (const c of plan.changes) {
    if (c.wave !== wave) {
      wave = c.wave;
      lines.push(style.dim(`  wave ${wave + 1}`));
    }
    const sym = SYMBOL[c.action] ?? '~';
    const color = sym === '+' ? style.green : sym === '-' ? style.red : style.yellow;
    lines.push(`  ${color(sym)} ${describe(c)}  ${style.dim(`# ${c.reason}`)}`);
    for (const f of details(c)) lines.push(`      ${f}`);
  }
  const count = (s: string) => plan.changes.filter((c) => (SYMBOL[c.action] ?? '~') === s).length;
  lines.push('', `Plan: ${count('+')} to add, ${count('~')} to change, ${count('-')} to remove.`);
  for (const w of plan.warnings) lines.push(style.yellow(`warning: ${w}`));
  return lines.join('\n');
}

function describe(c: Change): string {
  switch (c.action) {
    case 'create-application':
      return `create application ${c.uniqueName}`;
    case 'update-application':
      return `update application ${c.uniqueName}`;
    case 'configure-application':
      return `configure application ${c.uniqueName}`;
    case 'pre-authorize-applications':
      return `pre-authorize clients of ${c.uniqueName}`;
    case 'disable-entitlements':
      return `disable ${[...c.roles, ...c.scopes].join(', ')} on ${c.uniqueName}`;
    case 'create-service-principal':
      return `create service principal of ${c.app}`;
    case 'update-service-principal':
      return `update service principal of ${c.app}`;
    case 'add-secret':
      return `add client secret "${c.name}" to ${c.app} (sensitive)`;
    case 'remove-secret':
      return `remove client secret ${c.keyId} (${c.displayName}) from ${c.app}`;
    case 'create-app-role-assignment':
      return `grant ${c.role} on ${c.resource.display} to ${c.app}`;
    case 'delete-app-role-assignment':
      return `revoke ${c.role} from ${c.app}`;
    case 'create-delegated-grant':
      return `grant delegated "${c.scope}" on ${c.resource.display} to ${c.app}`;
    case 'update-delegated-grant':
      return `change delegated grant of ${c.app}: "${c.before}" → "${c.scope}"`;
    case 'delete-delegated-grant':
      return `revoke delegated "${c.before}" from ${c.app}`;
    case 'write-output':
      return `${c.status === 'create' ? 'write' : 'rewrite'} ${c.path}${c.sensitive ? ' (sensitive, mode 0600)' : ''}`;
    case 'add-certificate':
      return c.source === 'generate'
        ? `add certificate "${c.name}" to ${c.app} (${c.keyId ? 'stored by an interrupted run' : 'new self-signed'} ${c.subject}; private key kept 0600)`
        : `add certificate "${c.name}" to ${c.app} (from ${c.file}, SHA-256 ${c.thumbprintSha256})`;
    case 'remove-certificate':
      return `remove certificate ${c.keyId} (${c.displayName}) from ${c.app}`;
    case 'create-federated-credential':
      return `add federated credential "${c.name}" to ${c.app} (${c.after.issuer} · ${c.after.subject})`;
    case 'update-federated-credential':
      return `update federated credential "${c.name}" of ${c.app}`;
    case 'delete-federated-credential':
      return `delete federated credential "${c.name}" from ${c.app}`;
    case 'delete-service-principal':
      return `delete service principal "${c.displayName}" of ${c.app}`;
    case 'delete-application':
      return `delete application "${c.displayName}" (${c.uniqueName ?? c.objectId}, appId ${c.appId})`;
    case 'purge-deleted-object':
      return `purge deleted ${c.objectType === 'application' ? 'application' : 'service principal'} "${c.displayName}" (${c.objectId}) permanently`;
    case 'restore-deleted-application':
      return `restore deleted application ${c.uniqueName} (appId ${c.appId}) and its service principal`;
    case 'adopt-application':
      return `adopt application ${c.appId} as ${c.uniqueName}`;
    case 'create-conditional-access-policy':
      return `create conditional access policy "${c.displayName}" (${c.policy}, ${String(c.after.state)})`;
    case 'update-conditional-access-policy':
      return `update conditional access policy "${c.displayName}" (${c.policy})`;
    case 'delete-conditional-access-policy':
      return `delete conditional access policy "${c.displayName}" (${c.policyId})`;
  }
}

function details(c: Change): string[] {
  const show = (v: unknown) => (typeof v === 'string' && v.includes('{appId') ? `${v} (known after apply)` : JSON.stringify(v));
  if ('fields' in c) return c.fields.map((f) => `${f.field}: ${JSON.stringify(f.before)} → ${show(f.after)}`);
  if (c.action === 'create-conditional-access-policy') return policyLines(c.after).map((l) => (l.includes('{appId') ? `${l} (appIds known after apply)` : l));
  if (c.action === 'create-application') return Object.entries(c.after).map(([k, v]) => `${k}: ${show(v)}`);
  return [];
}

/** A policy body in the lines an admin reads it by: who, which apps, what is required. */
function policyLines(after: Record<string, unknown>): string[] {
  const b = after as {
    conditions: { users: Record<string, string[]>; applications: Record<string, string[]>; clientAppTypes: string[] };
    grantControls: { operator: string; builtInControls: string[] };
  };
  const list = (xs: string[] | undefined) => (xs?.length ? xs.join(', ') : '-');
  return [
    `users: ${list(b.conditions.users.includeUsers)}${b.conditions.users.excludeUsers?.length ? ` except ${list(b.conditions.users.excludeUsers)}` : ''}`,
    `applications: ${list(b.conditions.applications.includeApplications)}`,
    `grant: ${b.grantControls.builtInControls.join(` ${b.grantControls.operator} `)}`,
  ];
}
