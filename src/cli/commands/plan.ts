import { Chalk } from 'chalk';
import type { Argv } from 'yargs';
import { credentialOptionsOf, withCredentialOptions } from '../credential-options.js';
import { outputContext, runCommand } from '../output.js';
import { progressReporter, type ProgressReporter } from '../progress.js';
import { planSummary, renderPlan } from '../render-plan.js';
import { appendStepSummary, planMarkdown } from '../step-summary.js';
import { commonOptions, withDeletedItemOptions, withTargetOptions, type TargetArgs } from '../target-options.js';
import { homeTenantOf, withHomeTenant } from './verify.js';

/** `tenantform plan <manifests..>`: what apply would change, per object and field. Writes nothing. */
export function planCommand(y: Argv): Argv {
  return y.command(
    'plan <manifests..>',
    'Show what apply would change in the tenant',
    (a) =>
      withCredentialOptions(withHomeTenant(withDeletedItemOptions(withTargetOptions(a))), { rotation: true, github: false })
        .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'Exit 0 no changes, 2 changes, 1 error' })
        .option('save-snapshot', {
          type: 'string',
          describe: 'Also write everything the plan was made from to this file (secrets redacted), to replay the planner offline',
        }),
    async (args) => {
      const ctx = outputContext({ json: args.json });
      await runCommand(
        ctx,
        'plan',
        async () => {
          const { plan } = await import('../../api/apply.js');
          const { plan: p, empty } = await plan({
            ...(await commonOptions(args as unknown as TargetArgs, progressTo(args.json))),
            ...credentialOptionsOf(args, ctx),
            ...homeTenantOf(args),
            saveSnapshot: args['save-snapshot'],
          });
          appendStepSummary(ctx, planMarkdown(p, `tenantform plan: ${empty ? 'no changes' : planSummary(p)}`));
          return { outcome: empty ? 'ok' : 'changes', data: { plan: p, empty }, text: (style) => renderPlan(p, style) };
        },
        { detailedExitCode: args['detailed-exitcode'] },
      );
    },
  );
}

/**
 * Progress goes to stderr (never into --json stdout), on a terminal and in a CI log alike (issue 14: a pipe used
 * to get none), and names actions only, never values. apply, destroy and import render richer progress
 * (src/cli/progress.ts).
 */
export function progressTo(json: boolean): ProgressReporter | undefined {
  if (json) return undefined;
  return progressReporter({ stream: process.stderr, style: new Chalk({ level: 0 }), github: false });
}
