import type { Argv } from 'yargs';
import { TenantformError } from '../../errors.js';
import { cancelledText, terminalConfirm } from '../confirm.js';
import { interruptible, writeOutcome, type Interruptible } from '../interrupt.js';
import { outputContext, runCommand, type CommandResult } from '../output.js';
import { renderPlan } from '../render-plan.js';
import { commonOptions, withTargetOptions, type TargetArgs } from '../target-options.js';
import { runView, type RunView } from '../run-view.js';

interface ImportArgs extends TargetArgs {
  json: boolean;
  yes: boolean;
  app: string[];
  'dry-run': boolean;
}

/**
 * `tenantform import <manifests..> --app <key>=<appId>`: adopt existing applications into the stack
 * (uniqueName set once, ownership tag added), after showing the change and the same confirmation as apply.
 */
export function importCommand(y: Argv): Argv {
  return y.command(
    'import <manifests..>',
    'Adopt existing applications (by appId) into a stack',
    (a) =>
      withTargetOptions(a)
        .option('app', {
          type: 'string',
          array: true,
          demandOption: true,
          requiresArg: true,
          describe: 'KEY=APPID: adopt the application with this appId as the manifest application KEY (repeatable; KEY may be STACK/KEY)',
        })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Show what would change; change nothing' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation' }),
    async (argv) => {
      const args = argv as unknown as ImportArgs;
      const ctx = outputContext({ json: args.json });
      const run = interruptible(ctx, 'import');
      const view = runView(ctx, { yes: args.yes, json: args.json, run });
      try {
        await runCommand(ctx, 'import', () => runImport(args, ctx.style, run, view));
      } finally {
        view.end();
        run.dispose();
      }
    },
  );
}

/** `--app api=<guid>` (repeatable) → { api: '<guid>' }. */
export function parseAppArgs(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new TenantformError('USAGE', `--app expects KEY=APPID, got "${v}".`, { arg: v });
    const key = v.slice(0, eq).trim();
    if (key in out) throw new TenantformError('USAGE', `--app names application "${key}" twice.`, { arg: v });
    out[key] = v.slice(eq + 1).trim();
  }
  return out;
}

async function runImport(args: ImportArgs, style: ReturnType<typeof outputContext>['style'], run: Interruptible, view: RunView): Promise<CommandResult> {
  const { adopt, planImport } = await import('../../api/import.js');
  const opts = { ...(await commonOptions(args, view.progress)), apps: parseAppArgs(args.app) };
  if (args['dry-run']) {
    const p = await planImport(opts);
    return { outcome: p.empty ? 'ok' : 'changes', data: { plan: p.plan, empty: p.empty }, text: (s) => renderPlan(p.plan, s) };
  }
  const prompt = terminalConfirm({
    yes: args.yes,
    json: args.json,
    style,
    command: 'import',
    question: 'Adopt these applications?',
    review: 'tenantform import --dry-run',
  });
  const r = await adopt({
    ...opts,
    signal: run.signal,
    confirm: view.confirm((plan) => prompt.confirm(plan)),
  });
  view.end();
  const failed = r.results.filter((x) => x.status === 'failed');
  const answer = prompt.answer();
  const stoppedBy = run.stoppedBy();
  const done = r.results.filter((x) => x.status === 'done').length;
  return {
    ...writeOutcome({ cancelled: r.cancelled, answer, interrupted: r.interrupted, failed: failed.length > 0, stoppedBy }),
    data: { plan: r.plan, results: r.results, cancelled: r.cancelled },
    text: (s) => {
      if (r.cancelled) return s.yellow(cancelledText(answer, 'Import', 'nothing was changed'));
      if (r.empty) return renderPlan(r.plan, s);
      if (r.interrupted) return s.yellow(`Stopped after ${done} of ${r.plan.changes.length} changes; run \`tenantform import\` again to finish.`);
      const lines = [
        `${s.green('Adopted')} ${r.plan.changes.length - failed.length} of ${r.plan.changes.length} applications into stack ${r.plan.stacks.join(', ')}.`,
      ];
      for (const f of failed) lines.push(`${s.red('failed')} ${f.id}: ${f.error?.message}`);
      if (!failed.length) lines.push('Next: tenantform plan shows what apply changes to bring them in line with the manifest.');
      return lines.join('\n');
    },
  };
}
