import { Chalk, type ChalkInstance } from 'chalk';
import type { Argv } from 'yargs';
import type { ApplyResult } from '../../api/apply.js';
import { isEmpty, type Plan } from '../../plan/types.js';
import { cancelledText, terminalConfirm, type Answer } from '../confirm.js';
import { interruptible, writeOutcome } from '../interrupt.js';
import { createdLine, createdObjects, type CreatedObject } from '../created-objects.js';
import { outputContext, plural, runCommand, type CommandResult } from '../output.js';
import { planHeader } from '../render-plan.js';
import { runView } from '../run-view.js';
import { appendStepSummary, planMarkdown, resultMarkdown } from '../step-summary.js';
import { commonOptions, withDeletedItemOptions, withTargetOptions, type TargetArgs } from '../target-options.js';
import { credentialOptionsOf, withCredentialOptions } from '../credential-options.js';
import { homeTenantOf, renderVerify, withHomeTenant } from './verify.js';

/**
 * `tenantform apply <manifests..>`: plan, confirm on a TTY (--yes skips; without a TTY and without
 * --yes it refuses), execute, write outputs, summarise (file names only, never their content).
 */
export function applyCommand(y: Argv): Argv {
  return y.command(
    'apply <manifests..>',
    'Make the tenant match the manifests and write the config files',
    (a) =>
      withCredentialOptions(withHomeTenant(withDeletedItemOptions(withTargetOptions(a))), { rotation: true, github: true })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
        .option('verify', {
          type: 'boolean',
          default: false,
          describe: 'Then run tenantform verify: prove each daemon gets a token its API accepts (exit 1 if not)',
        }),
    async (args) => {
      const ctx = outputContext({ json: args.json });
      const run = interruptible(ctx, 'apply');
      const view = runView(ctx, { yes: args.yes, json: args.json, run });
      try {
        await runCommand(ctx, 'apply', async () => {
          const prompt = terminalConfirm({
            yes: args.yes,
            json: args.json,
            style: ctx.style,
            command: 'apply',
            question: 'Apply these changes?',
            review: 'tenantform plan',
          });
          const confirm = view.confirm((plan: Plan) => prompt.confirm(plan));
          const { apply } = await import('../../api/apply.js');
          const credentials = credentialOptionsOf(args, ctx);
          const r = await apply({
            ...(await commonOptions(args as unknown as TargetArgs, view.progress)),
            ...credentials,
            confirm,
            signal: run.signal,
            ...homeTenantOf(args),
            verify: args.verify,
          });
          view.end();
          const result = applyResult(r, prompt.answer(), run.stoppedBy());
          appendStepSummary(ctx, applySummaryMarkdown(r, result));
          return result;
        });
      } finally {
        view.end();
        run.dispose();
      }
    },
  );
}

/** What apply did, for people and for --json: cancelled, stopped part-way, or the summary. */
export function applyResult(r: ApplyResult, answer: Answer | undefined, stoppedBy: NodeJS.Signals | undefined): CommandResult {
  const failed = r.results.filter((x) => x.status === 'failed');
  const cancelled = !isEmpty(r.plan) && r.results.length === 0;
  const done = r.results.filter((x) => x.status === 'done').length;
  const total = r.plan.changes.length;
  const created = createdObjects(r.plan, r.results);
  const error = failed.length
    ? {
        code: 'CHANGES_FAILED',
        message: `${plural(failed.length, 'change')} of ${total} failed: ${failed[0].error?.message}`,
        failed: failed.map((f) => ({ id: f.id, action: f.action, ...f.error })),
      }
    : r.verify && !r.verify.ok
      ? { code: 'VERIFY_FAILED', message: 'Applied, but verify failed: a daemon did not get a token its API accepts.' }
      : undefined;
  return {
    ...writeOutcome({ cancelled, answer, interrupted: r.interrupted, failed: failed.length > 0 || (!!r.verify && !r.verify.ok), stoppedBy }),
    ...(error && !r.interrupted ? { error } : {}),
    data: {
      plan: r.plan,
      results: r.results,
      outputs: r.outputs,
      created,
      cancelled,
      ...(r.interrupted ? { interrupted: true, done, total } : {}),
      ...(r.verify ? { verify: r.verify } : {}),
    },
    text: (style: ChalkInstance) => {
      if (cancelled) return style.yellow(cancelledText(answer, 'Apply', 'nothing was changed'));
      const lines = [
        isEmpty(r.plan)
          ? // Nothing to confirm, so no plan was shown: still say which tenant, as who, was found in line.
            `${planHeader(r.plan, style)}\n\n${style.green('No changes. The tenant matches the manifests.')}`
          : r.interrupted
            ? style.yellow(
                `Stopped (${stoppedBy === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'}) after ${done} of ${total} changes; run \`tenantform apply\` again to finish. Nothing done is lost.`,
              )
            : `${style.green('Applied')} ${done} of ${total} changes.`,
      ];
      for (const f of failed) lines.push(`${style.red('failed')} ${f.id}: ${f.error?.message}`);
      if (r.interrupted) {
        const notRun = r.results.filter((x) => x.status === 'not-run');
        if (notRun.length) lines.push(style.dim(`not done: ${notRun.map((x) => x.id).join(', ')}`));
      }
      for (const o of created) lines.push(createdLine(o));
      for (const o of r.outputs) lines.push(`wrote ${o}`);
      if (failed.length) lines.push('Nothing already done is lost: fix the cause and re-run apply; it converges.');
      if (r.verify) lines.push('', renderVerify(r.verify, style));
      return lines.join('\n');
    },
  };
}

/** The GitHub Actions job summary of an apply: its outcome as the title, the plan, then the result (step-summary.ts). */
function applySummaryMarkdown(r: ApplyResult, result: CommandResult): string {
  const title = `tenantform apply: ${isEmpty(r.plan) ? 'no changes' : result.text(new Chalk({ level: 0 })).split('\n')[0]}`;
  if (isEmpty(r.plan) || !r.results.length) return planMarkdown(r.plan, title);
  const files = r.outputs;
  return `${planMarkdown(r.plan, title)}\n\n${resultMarkdown({ plan: r.plan, results: r.results, created: (result.data.created ?? []) as CreatedObject[], files })}`;
}
