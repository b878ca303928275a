/**
 * The ONE place that renders command results and errors (text on a TTY, JSON with --json) and maps them
 * to exit codes. Commands return a CommandResult; they never print or set exit codes themselves.
 *
 * Exit codes: 0 success; 1 error or invalid manifests; 2 changes pending (plan --detailed-exitcode only);
 * 3 declined at the confirmation prompt ("no", Ctrl-D: nothing changed); 130 interrupted by Ctrl-C (143 by
 * SIGTERM), at the prompt (nothing changed) or during the run (the result says what was done).
 * Color: only on a TTY, never with --json, never when NO_COLOR is set (https://no-color.org),
 * FORCE_COLOR forces it. User errors never show a stack trace; internal errors (bugs) show one only
 * with TENANTFORM_DEBUG=1.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { formatLocation, isTenantformError } from '../errors.js';
import type { Problem } from '../manifest/problems.js';

export type Outcome = 'ok' | 'changes' | 'invalid' | 'error' | 'declined' | 'interrupted';

/**
 * Declined is not success: a script that runs `tenantform apply && deploy` on a terminal must not deploy when
 * the answer was no; and not an error (1) either, so a wrapper can tell the two apart.
 */
export const EXIT = { ok: 0, error: 1, changes: 2, declined: 3, interrupted: 130 } as const;

/** The `error` member of every failed command's --json document (see emit). */
export interface JsonError {
  code: string;
  message: string;
  [detail: string]: unknown;
}

export interface CommandResult {
  outcome: Outcome;
  /** Why it failed (outcomes other than ok/changes); omitted: a code for the outcome and the text's first line. */
  error?: JsonError;
  /** The --json document (plain data; `ok` and `command` are added). Never holds secret values. */
  data: Record<string, unknown>;
  /** The text for people. */
  text: (style: ChalkInstance) => string;
  /** Instead of the outcome's exit code (interrupted by SIGTERM: 143). */
  exitCode?: number;
}

interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputContext {
  json: boolean;
  stdout: Writable;
  stderr: Writable;
  style: ChalkInstance;
  env: Readonly<Record<string, string | undefined>>;
}

export function outputContext(
  opts: { json?: boolean; stdout?: Writable; stderr?: Writable; env?: Readonly<Record<string, string | undefined>> } = {},
): OutputContext {
  const stdout = opts.stdout ?? process.stdout;
  const env = opts.env ?? process.env;
  const json = opts.json ?? false;
  return { json, stdout, stderr: opts.stderr ?? process.stderr, env, style: new Chalk({ level: colorLevel({ json, stdout, env }) }) };
}

function colorLevel(opts: { json: boolean; stdout: Writable; env: Readonly<Record<string, string | undefined>> }): 0 | 1 {
  const { env } = opts;
  if (opts.json) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return 1;
  if (!opts.stdout.isTTY || env.TERM === 'dumb') return 0;
  return 1;
}

export function exitCodeFor(outcome: Outcome, opts: { detailedExitCode?: boolean } = {}): number {
  switch (outcome) {
    case 'ok':
      return EXIT.ok;
    case 'changes':
      return opts.detailedExitCode ? EXIT.changes : EXIT.ok;
    case 'invalid':
    case 'error':
      return EXIT.error;
    case 'declined':
      return EXIT.declined;
    case 'interrupted':
      return EXIT.interrupted;
  }
}

/**
 * The codes of failures that are outcomes, not thrown errors (a declined prompt, changes that failed): with
 * the codes of TenantformError, what `error.code` of a --json document can be.
 */
const OUTCOME_CODE: Record<Exclude<Outcome, 'ok' | 'changes'>, string> = {
  invalid: 'VALIDATION_FAILED',
  error: 'FAILED',
  declined: 'DECLINED',
  interrupted: 'INTERRUPTED',
};

const PLAIN = new Chalk({ level: 0 });

/**
 * Write a result; returns its exit code.
 *
 * The ONE shape of every --json document, success or failure, of every command:
 *   { "ok": boolean, "command": "<name>", ...what the command returns, "error"?: { "code", "message", ... } }
 * `ok` is true exactly when the exit code is 0 or 2; when it is false, `error` is there, with a stable `code`
 * (a TenantformError code, or VALIDATION_FAILED / FAILED / DECLINED / INTERRUPTED / CHANGES_FAILED /
 * VERIFY_FAILED for outcomes) and a `message`. Located manifest problems are `error.problems` and, as
 * `validate` has always printed them, also top-level `problems`.
 */
export function emit(ctx: OutputContext, command: string, result: CommandResult, opts: { detailedExitCode?: boolean } = {}): number {
  const ok = result.outcome === 'ok' || result.outcome === 'changes';
  if (ctx.json) {
    const error = ok
      ? undefined
      : (result.error ?? { code: OUTCOME_CODE[result.outcome as keyof typeof OUTCOME_CODE], message: firstLine(result.text(PLAIN)) });
    ctx.stdout.write(`${JSON.stringify({ ok, command, ...result.data, ...(error ? { error } : {}) }, null, 2)}\n`);
  } else ctx.stdout.write(ensureNewline(result.text(ctx.style)));
  return result.exitCode ?? exitCodeFor(result.outcome, opts);
}

/** Write an error (user error or bug); returns the exit code (always 1). */
export function emitError(ctx: OutputContext, command: string, err: unknown): number {
  const debug = ctx.env.TENANTFORM_DEBUG === '1' || ctx.env.TENANTFORM_DEBUG === 'true';
  if (isTenantformError(err)) {
    const problems = Array.isArray(err.meta.problems) ? (err.meta.problems as Problem[]) : undefined;
    if (ctx.json) {
      const error = { code: err.code, message: err.message, ...err.meta };
      ctx.stdout.write(`${JSON.stringify({ ok: false, command, ...(problems ? { problems } : {}), error }, null, 2)}\n`);
    } else {
      if (problems) ctx.stderr.write(ensureNewline(renderProblems(problems, ctx.style)));
      // Under the listed problems, their summary, not the first problem again (meta.summary, e.g. RESOLVE_FAILED).
      const line = problems && typeof err.meta.summary === 'string' ? err.meta.summary : err.message;
      ctx.stderr.write(`${ctx.style.red('error')} ${ctx.style.dim(`[${err.code}]`)} ${line}\n`);
    }
    return EXIT.error;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (ctx.json) ctx.stdout.write(`${JSON.stringify({ ok: false, command, error: { code: 'INTERNAL', message } }, null, 2)}\n`);
  else {
    ctx.stderr.write(`${ctx.style.red('internal error')} (a bug in tenantform, please report it): ${message}\n`);
    if (debug && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
    else ctx.stderr.write(ctx.style.dim('set TENANTFORM_DEBUG=1 for the stack trace\n'));
  }
  return EXIT.error;
}

/** Run a command body, render what it returns or throws, and set process.exitCode. */
export async function runCommand(
  ctx: OutputContext,
  command: string,
  body: () => Promise<CommandResult>,
  opts: { detailedExitCode?: boolean } = {},
): Promise<number> {
  let code: number;
  try {
    code = emit(ctx, command, await body(), opts);
  } catch (err) {
    code = emitError(ctx, command, err);
  }
  process.exitCode = code;
  return code;
}

/**
 * One line per problem, like a compiler:
 *   manifests/x.yaml:12:7  error  duplicate-value  App role value "A" is used twice in application "api" (also at 8:9)
 *       hint: …
 */
export function renderProblems(problems: readonly Problem[], style: ChalkInstance): string {
  return problems
    .map((p) => {
      const where = formatLocation(p.location);
      const severity = p.severity === 'error' ? style.red('error') : style.yellow('warning');
      const line = `${style.bold(where)}  ${severity}  ${style.dim(p.code)}  ${p.message}`;
      return p.hint ? `${line}\n    ${style.dim('hint:')} ${p.hint}` : line;
    })
    .join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '') ?? '';
}

function ensureNewline(s: string): string {
  return s === '' || s.endsWith('\n') ? s : `${s}\n`;
}

/**
 * A GitHub Actions workflow command line (`::add-mask::<value>`), for --github-output. The ONE sanctioned
 * place where a secret value reaches a stream: the runner reads the command and masks the value in all
 * later log output (https://docs.github.com/actions/reference/workflow-commands-for-github-actions#masking-a-value-in-a-log).
 * On stdout in text mode; on stderr with --json so stdout stays one JSON document (the runner reads
 * workflow commands from both streams).
 */
export function workflowCommand(ctx: OutputContext, line: string): void {
  (ctx.json ? ctx.stderr : ctx.stdout).write(`${line}\n`);
}
