import type { Plan } from '../plan/types.js';
import type { Interruptible } from './interrupt.js';
import type { OutputContext } from './output.js';
import { progressReporter, type ProgressReporter } from './progress.js';
import { planHeader, planSummary, renderPlan } from './render-plan.js';

/**
 * What a writing command (apply, destroy, import) shows while it runs, the same on a terminal and in a CI log:
 * with --yes nobody was asked, so nobody saw the plan — it is shown (the prompt shows it otherwise); once the
 * plan is confirmed, the progress (src/cli/progress.ts). In GitHub Actions the plan and the progress are
 * folded into groups (`::group::`), the tenant line and the result stay in view.
 */
export interface RunView {
  progress: ProgressReporter;
  /** Wrap the command's confirm callback: show the plan (--yes), then, once confirmed, start writing and the progress. */
  confirm<R extends unknown[]>(ask: (plan: Plan, ...rest: R) => Promise<boolean>): (plan: Plan, ...rest: R) => Promise<boolean>;
  /** The run is over (or failed): close the progress. */
  end(): void;
}

export function runView(ctx: OutputContext, opts: { yes: boolean; json: boolean; run: Interruptible }): RunView {
  const github = ctx.env.GITHUB_ACTIONS === 'true' && !opts.json;
  const progress = progressReporter({ stream: ctx.stderr, style: ctx.style, github });
  return {
    progress,
    confirm:
      (ask) =>
      async (plan, ...rest) => {
        if (opts.yes && !opts.json) showPlan(ctx, plan, github);
        const go = await ask(plan, ...rest);
        if (go) {
          opts.run.writing();
          progress.begin(plan);
        }
        return go;
      },
    end: () => progress.end(),
  };
}

/** The tenant line in view; the rest of the plan folded into a group in GitHub Actions. */
function showPlan(ctx: OutputContext, plan: Plan, github: boolean): void {
  const body = renderPlan(plan, ctx.style).split('\n').slice(2).join('\n');
  const group = github ? [`::group::${planSummary(plan)}`, body, '::endgroup::'] : [body];
  ctx.stdout.write(`${[planHeader(plan, ctx.style), '', ...group, ''].join('\n')}\n`);
}
