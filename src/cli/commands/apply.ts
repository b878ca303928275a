import { createInterface } from 'node:readline/promises';
import type { Argv } from 'yargs';
import { TenantformError } from '../../errors.js';
import { isEmpty, type Plan } from '../../plan/types.js';
import { outputContext, runCommand } from '../output.js';
import { renderPlan } from '../render-plan.js';
import { commonOptions, withDeletedItemOptions, withTargetOptions, type TargetArgs } from '../target-options.js';
import { credentialOptionsOf, withCredentialOptions } from '../credential-options.js';
import { progressTo } from './plan.js';
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
      await runCommand(ctx, 'apply', async () => {
        const interactive = !!process.stdin.isTTY && !!process.stdout.isTTY && !args.json;
        const confirm = async (plan: Plan) => {
          if (args.yes) return true;
          if (!interactive) {
            throw new TenantformError(
              'CONFIRMATION_REQUIRED',
              'apply would change the tenant, but there is no terminal to confirm on. Review `tenantform plan`, then re-run with --yes.',
            );
          }
          process.stdout.write(`${renderPlan(plan, ctx.style)}\n\n`);
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          const answer = await rl.question("Apply these changes? Only 'yes' will be accepted: ");
          rl.close();
          return answer.trim() === 'yes';
        };
        const { apply } = await import('../../api/apply.js');
        const credentials = credentialOptionsOf(args, ctx);
        const r = await apply({
          ...(await commonOptions(args as unknown as TargetArgs, progressTo(args.json))),
          ...credentials,
          confirm,
          ...homeTenantOf(args),
          verify: args.verify,
        });
        const failed = r.results.filter((x) => x.status === 'failed');
        const cancelled = !isEmpty(r.plan) && r.results.length === 0;
        const done = r.results.filter((x) => x.status === 'done').length;
        return {
          outcome: failed.length || (r.verify && !r.verify.ok) ? 'error' : 'ok',
          data: { plan: r.plan, results: r.results, outputs: r.outputs, cancelled, ...(r.verify ? { verify: r.verify } : {}) },
          text: (style) => {
            if (cancelled) return style.yellow('Apply cancelled; nothing was changed.');
            const lines = [
              isEmpty(r.plan)
                ? style.green('No changes. The tenant matches the manifests.')
                : `${style.green('Applied')} ${done} of ${r.plan.changes.length} changes.`,
            ];
            for (const f of failed) lines.push(`${style.red('failed')} ${f.id}: ${f.error?.message}`);
            for (const o of r.outputs) lines.push(`wrote ${o}`);
            if (failed.length) lines.push('Nothing already done is lost: fix the cause and re-run apply; it converges.');
            if (r.verify) lines.push('', renderVerify(r.verify, style));
            return lines.join('\n');
          },
        };
      });
    },
  );
}
