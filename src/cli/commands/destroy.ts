import type { Argv } from 'yargs';
import { cancelledText, terminalConfirm } from '../confirm.js';
import { interruptible, writeOutcome, type Interruptible } from '../interrupt.js';
import { outputContext, plural, runCommand, type CommandResult, type OutputContext } from '../output.js';
import { appendStepSummary, planMarkdown, resultMarkdown } from '../step-summary.js';
import { renderPlan } from '../render-plan.js';
import { commonOptions, withTargetOptions, type TargetArgs } from '../target-options.js';
import { runView, type RunView } from '../run-view.js';

interface DestroyArgs extends TargetArgs {
  json: boolean;
  yes: boolean;
  purge: boolean;
  'remove-outputs': boolean;
  'stack-prefix'?: string;
  'older-than'?: string;
  'dry-run': boolean;
  'detailed-exitcode': boolean;
  'save-snapshot'?: string;
}

/**
 * `tenantform destroy [manifests..]`: delete everything the stacks own, in reverse dependency order,
 * after the same confirmation as apply. `--stack-prefix ci- --older-than 2h` sweeps stacks left behind
 * by crashed pipelines (no manifests needed). `--dry-run` only shows the plan.
 */
export function destroyCommand(y: Argv): Argv {
  return y.command(
    'destroy [manifests..]',
    'Delete everything the stacks own (and, with --purge, from the recycle bin)',
    (a) =>
      withTargetOptions(a)
        .positional('manifests', { type: 'string', array: true, demandOption: false, describe: 'Manifest files or directories (optional with --stack-prefix)' })
        .option('purge', {
          type: 'boolean',
          default: false,
          describe: 'Also delete permanently from directory/deletedItems, so the names can be used again at once',
        })
        .option('remove-outputs', { type: 'boolean', default: false, describe: 'Also delete the output files the manifests declare' })
        .option('stack-prefix', { type: 'string', describe: 'Sweep every stack whose name starts with this prefix (e.g. ci-)' })
        .option('older-than', {
          type: 'string',
          describe: 'With --stack-prefix: only stacks whose applications were all created this long ago: a number and a unit s, m, h, d, w or y (30m, 2h, 1d)',
        })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Show what would be deleted; change nothing' })
        .option('save-snapshot', {
          type: 'string',
          describe: 'Also write everything the destroy plan was made from to this file, to replay the planner offline',
        })
        .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'With --dry-run: exit 0 nothing to delete, 2 something to delete, 1 error' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation' }),
    async (argv) => {
      const args = argv as unknown as DestroyArgs;
      const ctx = outputContext({ json: args.json });
      const run = interruptible(ctx, 'destroy');
      const view = runView(ctx, { yes: args.yes, json: args.json, run });
      try {
        await runCommand(ctx, 'destroy', () => runDestroy(args, ctx, run, view), { detailedExitCode: args['detailed-exitcode'] });
      } finally {
        view.end();
        run.dispose();
      }
    },
  );
}

async function runDestroy(args: DestroyArgs, ctx: OutputContext, run: Interruptible, view: RunView): Promise<CommandResult> {
  const { style } = ctx;
  const { destroy, planDestroy } = await import('../../api/destroy.js');
  const { parseDuration } = await import('../../manifest/duration.js');
  const common = await commonOptions({ ...args, manifests: args.manifests ?? [] }, view.progress);
  const opts = {
    ...common,
    purge: args.purge,
    removeOutputs: args['remove-outputs'],
    stackPrefix: args['stack-prefix'],
    olderThanMs: args['older-than'] !== undefined ? parseDuration(args['older-than']) : undefined,
    saveSnapshot: args['save-snapshot'],
  };
  const alsoRemoves = (outputs: string[]) => outputs.map((o) => `${style.red('-')} remove ${o}`);
  if (args['dry-run']) {
    const p = await planDestroy(opts);
    return {
      outcome: p.empty && !p.outputs.length ? 'ok' : 'changes',
      data: { plan: p.plan, empty: p.empty, outputs: p.outputs },
      text: (s) => [renderPlan(p.plan, s), ...(p.outputs.length ? ['', ...alsoRemoves(p.outputs)] : [])].join('\n'),
    };
  }
  let outputs: string[] = [];
  const prompt = terminalConfirm({
    yes: args.yes,
    json: args.json,
    style,
    command: 'destroy',
    question: 'Delete all of this?',
    review: 'tenantform destroy --dry-run',
    extra: () => alsoRemoves(outputs),
  });
  const r = await destroy({
    ...opts,
    signal: run.signal,
    confirm: view.confirm(async (plan, local: { outputs: string[] }) => {
      outputs = local.outputs;
      return prompt.confirm(plan);
    }),
  });
  view.end();
  const failed = r.results.filter((x) => x.status === 'failed');
  const done = r.results.filter((x) => x.status === 'done').length;
  if (!r.empty && !r.cancelled) {
    const title = `tenantform destroy: ${done} of ${plural(r.plan.changes.length, 'change')} done`;
    appendStepSummary(ctx, `${planMarkdown(r.plan, title)}\n\n${resultMarkdown({ plan: r.plan, results: r.results, created: [], files: [] })}`);
  }
  const answer = prompt.answer();
  const stoppedBy = run.stoppedBy();
  return {
    ...writeOutcome({ cancelled: r.cancelled, answer, interrupted: r.interrupted, failed: failed.length > 0, stoppedBy }),
    data: {
      plan: r.plan,
      results: r.results,
      cancelled: r.cancelled,
      ...(r.interrupted ? { interrupted: true, done, total: r.plan.changes.length } : {}),
      removedOutputs: r.removedOutputs,
      forgottenSecrets: r.forgottenSecrets,
    },
    text: (s) => {
      if (r.cancelled) return s.yellow(cancelledText(answer, 'Destroy', 'nothing was deleted'));
      const lines = r.empty
        ? [renderPlan(r.plan, s)]
        : r.interrupted
          ? [
              s.yellow(
                `Stopped (${stoppedBy === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'}) after ${done} of ${plural(r.plan.changes.length, 'change')}; run \`tenantform destroy\` again to finish.`,
              ),
            ]
          : [`${s.green('Destroyed')}: ${done} of ${plural(r.plan.changes.length, 'change')} done.`];
      if (!r.empty) for (const w of r.plan.warnings) lines.push(s.yellow(`warning: ${w}`));
      for (const f of failed) lines.push(`${s.red('failed')} ${f.id}: ${f.error?.message}`);
      for (const o of r.removedOutputs) lines.push(`removed ${o}`);
      for (const st of r.forgottenSecrets) lines.push(`forgot the cached client secrets of stack ${st}`);
      if (failed.length) lines.push('What is done stays done: fix the cause and re-run destroy; it picks up where it stopped.');
      else if (!r.empty && !args.purge) lines.push(s.dim('Deleted objects stay in the recycle bin for 30 days; destroy --purge removes them for good.'));
      return lines.join('\n');
    },
  };
}
