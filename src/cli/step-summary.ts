import { appendFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import type { ChangeResult } from '../apply/progress.js';
import type { Plan } from '../plan/types.js';
import type { CreatedObject } from './created-objects.js';
import { formatDuration } from './format-duration.js';
import type { OutputContext } from './output.js';
import { planNames } from './plan-names.js';
import { changeInWords } from './render-change.js';
import { planHeader, planSummary, renderPlan } from './render-plan.js';

/**
 * GitHub Actions job summaries: the plan and the result as Markdown, appended to the file `$GITHUB_STEP_SUMMARY`
 * names (https://docs.github.com/actions/reference/workflow-commands-for-github-actions#adding-a-job-summary),
 * so a run's page shows what changed without opening the log. Only there (GITHUB_ACTIONS=true); built from
 * the plan and the results, which hold no secret.
 */
const PLAIN = new Chalk({ level: 0 });

/** Append `markdown` to the job summary; a summary that cannot be written is a warning, never a failed apply. */
export function appendStepSummary(ctx: OutputContext, markdown: string): void {
  const file = ctx.env.GITHUB_STEP_SUMMARY;
  if (ctx.env.GITHUB_ACTIONS !== 'true' || !file) return;
  try {
    appendFileSync(file, `${markdown.trimEnd()}\n\n`);
  } catch (e) {
    ctx.stderr.write(`warning: could not append to GITHUB_STEP_SUMMARY (${file}): ${(e as Error).message}\n`);
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

/** The plan: its tenant line, and the text plan in a folded diff block (its +/~/- lines coloured by GitHub). */
export function planMarkdown(plan: Plan, title: string): string {
  const body = renderPlan(plan, PLAIN)
    .split('\n')
    .slice(2)
    .map((l) => l.replace(/^ {2}/, '').replace(/^~/, '!'));
  return [
    `### ${title}`,
    '',
    planHeader(plan, PLAIN).replace(/^Tenant (\S+)/, (_, id: string) => `Tenant ${code(id)}`),
    '',
    `<details><summary>${planSummary(plan)}</summary>`,
    '',
    '```diff',
    ...body,
    '```',
    '',
    '</details>',
  ].join('\n');
}

/** The result: one row per change with its outcome and duration, what was created (ids), the files written. */
export function resultMarkdown(o: { plan: Plan; results: readonly ChangeResult[]; created: readonly CreatedObject[]; files: readonly string[] }): string {
  const names = planNames(o.plan);
  const byId = new Map(o.plan.changes.map((c) => [c.id, c]));
  const status = { done: '✅ done', failed: '❌ failed', 'not-run': '⏸ not run' } as const;
  const lines = ['| Change | Result | Time |', '|---|---|---|'];
  for (const r of o.results) {
    const c = byId.get(r.id);
    const what = c ? changeInWords(c, names, r.status === 'done' ? 'done' : 'doing') : r.id;
    const result = r.status === 'failed' ? `${status.failed}: ${r.error?.message ?? ''}` : status[r.status];
    lines.push(`| ${cell(what)} | ${cell(result)} | ${r.durationMs !== undefined ? formatDuration(r.durationMs) : ''} |`);
  }
  if (o.created.length) {
    lines.push('', '| Application | uniqueName | appId | Object id | Service principal |', '|---|---|---|---|---|');
    for (const x of o.created) {
      lines.push(
        `| ${cell(x.displayName)} | ${code(x.uniqueName)} | ${x.appId ? code(x.appId) : ''} | ${x.objectId ? code(x.objectId) : ''} | ${x.servicePrincipalId ? code(x.servicePrincipalId) : ''} |`,
      );
    }
  }
  if (o.files.length) lines.push('', `Files written: ${o.files.map(code).join(', ')}`);
  return lines.join('\n');
}
