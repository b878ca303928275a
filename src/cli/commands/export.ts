import type { Argv } from 'yargs';
import { TenantformError } from '../../errors.js';
import { cancelledText, terminalConfirm } from '../confirm.js';
import { interruptible, writeOutcome, type Interruptible } from '../interrupt.js';
import { outputContext, plural, runCommand, type CommandResult, type OutputContext } from '../output.js';
import { renderPlan } from '../render-plan.js';
import { commonOptions, withTenantOptions, type TargetArgs } from '../target-options.js';
import { progressTo } from './plan.js';

interface ExportArgs extends Omit<TargetArgs, 'manifests'> {
  json: boolean;
  stack: string;
  app?: string[];
  filter?: string;
  'owned-by-me': boolean;
  out?: string;
  force: boolean;
  adopt: boolean;
  yes: boolean;
}

/**
 * `tenantform export --stack <name> (--app … | --filter … | --owned-by-me) [--out file] [--adopt]`: write a
 * manifest for registrations made elsewhere; with --adopt, adopt them into the stack as `tenantform import` does.
 */
export function exportCommand(y: Argv): Argv {
  return y.command(
    'export',
    'Write a manifest for existing applications (and optionally adopt them)',
    (a) =>
      withTenantOptions(a)
        .option('stack', { type: 'string', demandOption: true, requiresArg: true, describe: 'Stack name the manifest declares (and adopts into)' })
        .option('app', { type: 'string', array: true, requiresArg: true, describe: 'An application to export, by appId or exact display name (repeatable)' })
        .option('filter', {
          type: 'string',
          requiresArg: true,
          describe: 'Export every application matching this OData $filter, e.g. "startswith(displayName,\'ciam-\')"',
        })
        .option('owned-by-me', { type: 'boolean', default: false, describe: 'Export the applications the signed-in identity owns' })
        .option('out', { type: 'string', requiresArg: true, describe: 'Write the manifest to this file (default: print it)' })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite --out if it exists' })
        .option('adopt', { type: 'boolean', default: false, describe: 'Then adopt the applications into the stack, as tenantform import does (needs --out)' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: '--adopt: do not ask for confirmation' })
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of text' }),
    async (argv) => {
      const args = argv as unknown as ExportArgs;
      const ctx = outputContext({ json: args.json });
      const run = interruptible(ctx, 'export');
      try {
        await runCommand(ctx, 'export', () => runExport(args, ctx, run));
      } finally {
        run.dispose();
      }
    },
  );
}

async function runExport(args: ExportArgs, ctx: OutputContext, run: Interruptible): Promise<CommandResult> {
  const interactive = !!process.stdin.isTTY && !!process.stdout.isTTY && !args.json;
  if (args.adopt && !args.yes && !interactive) {
    // Refused before anything is read or written, like apply and import without a terminal.
    throw new TenantformError(
      'CONFIRMATION_REQUIRED',
      'export --adopt would change the tenant, but there is no terminal to confirm on. Re-run with --yes, or export without --adopt and run the tenantform import command it prints.',
    );
  }
  const { exportStack } = await import('../../api/export.js');
  const common = await commonOptions({ ...args, manifests: [] } as TargetArgs, progressTo(args.json));
  const prompt = terminalConfirm({
    yes: args.yes,
    json: args.json,
    style: ctx.style,
    command: 'export --adopt',
    question: 'Adopt these applications?',
    review: 'tenantform import --dry-run',
  });
  const r = await exportStack({
    ...common,
    stack: args.stack,
    apps: args.app,
    filter: args.filter,
    ownedByMe: args['owned-by-me'],
    out: args.out,
    force: args.force,
    adopt: args.adopt,
    signal: run.signal,
    confirm: async (plan) => {
      const go = await prompt.confirm(plan);
      if (go) run.writing();
      return go;
    },
  });
  const adopted = r.adopted;
  const failed = adopted?.results.filter((x) => x.status === 'failed') ?? [];
  const stoppedBy = run.stoppedBy();
  const result = writeOutcome({
    cancelled: !!adopted?.cancelled,
    answer: prompt.answer(),
    interrupted: adopted?.interrupted,
    failed: failed.length > 0,
    stoppedBy,
  });
  // Printed to stdout, the manifest is the whole of stdout (`> file` works); what to know goes to stderr.
  if (!args.out && !args.json) ctx.stderr.write(notes(r, ctx.style).join('\n') + '\n');
  return {
    ...result,
    data: {
      stack: r.stack,
      ...(r.file ? { file: r.file } : { manifest: r.text }),
      apps: r.apps,
      warnings: r.warnings,
      problems: r.problems,
      pendingChanges: r.pendingChanges,
      ...(r.importCommand ? { importCommand: r.importCommand } : {}),
      ...(adopted ? { adopted: { plan: adopted.plan, results: adopted.results, cancelled: adopted.cancelled } } : {}),
    },
    text: (s) => {
      if (!r.file) return r.text;
      const lines = [
        `${s.green('Wrote')} ${r.file}: stack ${r.stack}, ${plural(r.apps.length, 'application')} (${r.apps.map((a) => a.key).join(', ')}).`,
        ...notes(r, s),
      ];
      if (adopted?.cancelled) lines.push(s.yellow(cancelledText(prompt.answer(), 'Adoption', 'the manifest was written, the tenant was not changed')));
      else if (adopted?.empty) lines.push(renderPlan(adopted.plan, s));
      else if (adopted) {
        lines.push(
          `${s.green('Adopted')} ${adopted.plan.changes.length - failed.length} of ${adopted.plan.changes.length} applications into stack ${r.stack}.`,
        );
        for (const f of failed) lines.push(`${s.red('failed')} ${f.id}: ${f.error?.message}`);
        if (!failed.length)
          lines.push(`Next: tenantform plan ${r.file} shows what apply would change${r.pendingChanges.length ? ' (listed above)' : ' (nothing)'}.`);
      }
      return lines.join('\n');
    },
  };
}

function notes(r: Awaited<ReturnType<typeof import('../../api/export.js').exportStack>>, s: OutputContext['style']): string[] {
  const lines: string[] = [];
  for (const w of r.warnings) lines.push(`${s.yellow('warning')} ${w}`);
  // The self-check's findings: a validator warning is a note, an error means the file needs fixing before adoption.
  for (const p of r.problems) lines.push(`${/ error: /.test(p) ? s.red('problem') : s.yellow('note')} ${p}`);
  if (r.pendingChanges.length) {
    lines.push(`After adoption, the first apply would still change (${r.pendingChanges.length}):`, ...r.pendingChanges.map((c) => `  ${c}`));
  }
  if (r.importCommand) lines.push(`Next, to let apply manage them: ${r.importCommand}`);
  else if (!r.adopted) lines.push('None of these applications can be adopted into this stack (see the warnings); the manifest can serve as a template.');
  return lines;
}
