import type { ChalkInstance } from 'chalk';
import type { Change, Plan } from '../plan/types.js';
import { planNames, type PlanNames } from './plan-names.js';
import { describeChange } from './render-change.js';
import { diffLines, valueLines } from './render-diff.js';

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

export function symbolOf(c: Change): '+' | '~' | '-' {
  return SYMBOL[c.action] ?? '~';
}

/** `Plan: 7 to add, 3 to change, 0 to remove.` */
export function planSummary(plan: Plan): string {
  const count = (s: string) => plan.changes.filter((c) => symbolOf(c) === s).length;
  return `Plan: ${count('+')} to add, ${count('~')} to change, ${count('-')} to remove.`;
}

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
  const names = planNames(plan);
  let wave = -1;
  for (const c of plan.changes) {
    if (c.wave !== wave) {
      wave = c.wave;
      // Numbered as in the JSON plan (`wave`, from 0), so a log and a --json document can be read side by side.
      lines.push(style.dim(`  wave ${wave}`));
    }
    const sym = symbolOf(c);
    const color = sym === '+' ? style.green : sym === '-' ? style.red : style.yellow;
    lines.push(`  ${color(sym)} ${describeChange(c, names)}  ${style.dim(`# ${c.reason}`)}`);
    for (const f of details(c, names)) lines.push(`      ${f}`);
  }
  lines.push('', planSummary(plan));
  for (const w of plan.warnings) lines.push(style.yellow(`warning: ${w}`));
  return lines.join('\n');
}

function details(c: Change, names: PlanNames): string[] {
  if ('fields' in c) return c.fields.flatMap((f) => diffLines(f.field, f.before, f.after, names));
  if (c.action === 'create-conditional-access-policy') return policyLines(c.after).map((l) => (l.includes('{appId') ? `${l} (appIds known after apply)` : l));
  if (c.action === 'create-application') return Object.entries(c.after).flatMap(([k, v]) => valueLines(k, v, names));
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
