import type { Argv } from 'yargs';
import { TenantformError } from '../errors.js';
import type { GithubOutputs } from '../outputs/github.js';
import { workflowCommand, type OutputContext } from './output.js';

/** Credential flags of plan/apply (rotation) and of every command that renders outputs (cache, GitHub). */
export function withCredentialOptions<T>(y: Argv<T>, o: { rotation: boolean; github: boolean }) {
  let a = y.option('secret-cache', {
    type: 'boolean',
    default: true,
    describe: 'Keep created secret values in the 0600 cache .tenantform/secrets (--no-secret-cache: every apply rotates; see docs/credentials.md)',
  });
  if (o.rotation) {
    a = a
      .option('rotate-secrets', { type: 'boolean', default: false, describe: 'Replace every managed client secret now (add → outputs → remove)' })
      .option('rotate-certificates', { type: 'boolean', default: false, describe: 'Replace every generated certificate now (add → outputs → remove)' });
  }
  if (o.github) {
    a = a.option('github-output', {
      type: 'boolean',
      default: false,
      describe: 'GitHub Actions: mask secrets with ::add-mask:: and append the output values to $GITHUB_OUTPUT',
    });
  }
  return a;
}

export interface CredentialArgs {
  'secret-cache'?: boolean;
  'rotate-secrets'?: boolean;
  'rotate-certificates'?: boolean;
  'github-output'?: boolean;
}

export function credentialOptionsOf(
  args: CredentialArgs,
  ctx: OutputContext,
): { secretCache: boolean; rotateSecrets?: boolean; rotateCertificates?: boolean; githubOutput?: GithubOutputs } {
  let githubOutput: GithubOutputs | undefined;
  if (args['github-output']) {
    const file = ctx.env.GITHUB_OUTPUT;
    if (!file) throw new TenantformError('USAGE', '--github-output needs $GITHUB_OUTPUT (set by GitHub Actions for every step).');
    githubOutput = { file, command: (line) => workflowCommand(ctx, line) };
  }
  return { secretCache: args['secret-cache'] !== false, rotateSecrets: args['rotate-secrets'], rotateCertificates: args['rotate-certificates'], githubOutput };
}
