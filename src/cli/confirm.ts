import { createInterface } from 'node:readline/promises';
import type { ChalkInstance } from 'chalk';
import { TenantformError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { renderPlan } from './render-plan.js';

/** What the person at the terminal answered. Ctrl-C and Ctrl-D are answers too — never an error. */
export type Answer = 'yes' | 'no' | 'interrupted' | 'eof';

/**
 * Ask one question on the terminal. readline puts the terminal in raw mode, so Ctrl-C arrives as a key
 * (the interface's 'SIGINT' event, not a signal) and Ctrl-D as the end of input ('close'); readline/promises
 * would reject the question with an AbortError for both, which is not a failure of the command.
 */
export function ask(question: string): Promise<Answer> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return new Promise<Answer>((resolve) => {
    let answered = false;
    const finish = (a: Answer) => {
      if (answered) return;
      answered = true;
      if (a === 'interrupted' || a === 'eof') process.stdout.write('\n');
      rl.close();
      resolve(a);
    };
    rl.on('SIGINT', () => finish('interrupted'));
    rl.on('close', () => finish('eof'));
    rl.question(question).then(
      (text) => finish(text.trim() === 'yes' ? 'yes' : 'no'),
      () => finish('eof'),
    );
  });
}

/** A confirm callback for the programmatic API, and what was answered (undefined: nobody was asked). */
export interface TerminalConfirm {
  confirm: (plan: Plan) => Promise<boolean>;
  answer(): Answer | undefined;
}

/**
 * The confirmation rules every writing command shares (apply, destroy, import): --yes goes ahead; on a
 * terminal the plan is shown and only "yes" is accepted; without a terminal (CI) and without --yes the command
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
}): TerminalConfirm {
  let answer: Answer | undefined;
  return {
    answer: () => answer,
    confirm: async (plan: Plan): Promise<boolean> => {
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
      answer = await ask(`${opts.question} Only 'yes' will be accepted: `);
      return answer === 'yes';
    },
  };
}

/** The line that ends a run nobody confirmed; `what` is e.g. "Apply", `nothing` e.g. "nothing was changed". */
export function cancelledText(answer: Answer | undefined, what: string, nothing: string): string {
  const why = answer === 'interrupted' ? ' (Ctrl-C)' : answer === 'eof' ? ' (end of input)' : '';
  return `${what} cancelled${why}; ${nothing}.`;
}
