import type { Argv } from 'yargs';
import type { ValidationResult } from '../../manifest/index.js';
import { outputContext, plural, renderProblems, runCommand, type CommandResult } from '../output.js';

/**
 * `--var name=value`, repeatable. nargs 1: a greedy array would swallow the manifest paths after it.
 * Shared by every command that reads manifests; pass the values through parseVarArgs().
 */
export const VAR_OPTION = { type: 'string', array: true, nargs: 1, describe: 'Set a variable: --var name=value (repeatable)' } as const;

/**
 * `tenantform validate <manifests..> [--var name=value]... [--json]`: every problem at once, each with
 * file:line:column. No network. Paths may be files or directories (their *.yaml files). Exit 0 when
 * valid (warnings allowed), 1 when there are errors.
 */
export function validateCommand(y: Argv): Argv {
  return y.command(
    'validate <manifests..>',
    'Check manifests offline and list every problem with file:line:column',
    (a) =>
      a
        .positional('manifests', { type: 'string', array: true, demandOption: true, describe: 'Manifest files or directories' })
        .option('var', VAR_OPTION)
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of text' })
        .example('$0 validate manifests/todolist-daemon.yaml', 'Check the example stack'),
    async (args) => {
      const ctx = outputContext({ json: args.json });
      await runCommand(ctx, 'validate', async () => {
        const { parseVarArgs, validateManifests } = await import('../../manifest/index.js');
        const result = await validateManifests(args.manifests, { vars: parseVarArgs(args.var), env: process.env });
        return validateResult(result);
      });
    },
  );
}

export function validateResult(result: ValidationResult): CommandResult {
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const warnings = result.problems.length - errors;
  const summary = `${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''} in ${plural(result.files.length, 'file')}`;
  return {
    outcome: result.ok ? 'ok' : 'invalid',
    // The same `error` as apply or plan on invalid manifests (VALIDATION_FAILED, error.problems); `problems` stays top-level too.
    ...(result.ok ? {} : { error: { code: 'VALIDATION_FAILED', message: `The manifests have ${summary}.`, problems: result.problems } }),
    data: {
      files: result.files,
      problems: result.problems,
      stacks: result.stacks.map((s) => ({
        name: s.name,
        file: s.file,
        applications: s.applications.map((a) => ({ key: a.key, uniqueName: a.uniqueName, displayName: a.displayName })),
        outputs: s.outputs.map((o) => ({ path: o.path, format: o.format, sensitive: o.sensitive })),
      })),
    },
    text: (style) => {
      const lines = result.problems.length ? [renderProblems(result.problems, style), ''] : [];
      if (!result.ok) {
        lines.push(style.red(`✗ ${summary}`));
      } else {
        for (const s of result.stacks) {
          lines.push(
            `${style.green('✓')} ${s.file}: stack ${style.bold(s.name)} (${plural(s.applications.length, 'application')}, ${plural(s.outputs.length, 'output')})`,
          );
        }
      }
      return lines.join('\n');
    },
  };
}
