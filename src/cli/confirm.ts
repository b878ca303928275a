import { createInterface } from 'node:readline/promises';
import type { ChalkInstance } from 'chalk';
import { TenantformError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { renderPlan } from './render-plan.js';

/**
 * The confirmation rules every writing command shares (apply's): --yes goes ahead; on a terminal the
 * plan is shown and only "yes" is accepted; without a terminal (CI) and without --yes the command
 * refuses with CONFIRMATION_REQUIRED before writing anything.
 */
export function terminalConfirm(opts: {
  yes: boolean;
  json: boolean;
  style: ChalkInstance;
  command: string;
  question: string;
  review: string;
  extra?: () => string[];
}) {
  return async (plan: Plan): Promise<boolean> => {
    if (opts.yes) return true;
    const interactive = !!process.stdin.isTTY && !!process.stdout.isTTY && !opts.json;
    if (!interactive) {
      throw new TenantformError(
        'CONFIRMATION_REQUIRED',
        `${opts.command} would change the tenant, but there is no terminal to confirm on. Review \`${opts.review}\`, then re-run with --yes.`,
      );
    }
    const extra = opts.extra?.() ?? [];
    process.stdout.write(`${renderPlan(plan, opts.style)}\n${extra.length ? `\n${extra.join('\n')}\n` : ''}\n`);
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`${opts.question} Only 'yes' will be accepted: `);
    rl.close();
    return answer.trim() === 'yes';
  };
}
