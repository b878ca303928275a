import { TenantformError } from '../errors.js';
import type { Answer } from './confirm.js';
import { emitError, type Outcome, type OutputContext } from './output.js';

/** The shell's convention for a process ended by a signal: 128 + its number (Ctrl-C: 130, SIGTERM: 143). */
export function signalExitCode(sig: NodeJS.Signals): number {
  return sig === 'SIGTERM' ? 143 : 130;
}

function label(sig: NodeJS.Signals): string {
  return sig === 'SIGINT' ? 'Ctrl-C' : sig;
}

export interface Interruptible {
  /** Aborted by the first Ctrl-C (or SIGTERM) once writing has begun: stop after the changes in progress. */
  signal: AbortSignal;
  /** The plan was confirmed: from now on a signal stops the run instead of cancelling it. */
  writing(): void;
  /** The signal that stopped the run, if any. */
  stoppedBy(): NodeJS.Signals | undefined;
  dispose(): void;
}

/**
 * Ctrl-C and SIGTERM (a cancelled CI job) while a writing command runs, so the person or the log learns what
 * happened. Before the plan is confirmed nothing has been written: end at once, "cancelled, nothing was
 * changed". Once it runs, the first signal stops it after the changes in progress, and the command's result
 * says how many of the changes were done; a second signal ends at once (safe: a re-run converges from any
 * point, SIGKILL included).
 */
export function interruptible(ctx: OutputContext, command: string): Interruptible {
  const controller = new AbortController();
  let writing = false;
  let stoppedBy: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (!writing) {
      emitError(
        ctx,
        command,
        new TenantformError('INTERRUPTED', `${command} cancelled (${label(sig)}) before any change; nothing was changed.`, { signal: sig }),
      );
      process.exit(signalExitCode(sig));
    }
    if (!stoppedBy) {
      stoppedBy = sig;
      controller.abort();
      ctx.stderr.write(
        `\n${label(sig)}: stopping after the changes in progress; nothing new starts.${sig === 'SIGINT' ? ' Ctrl-C again stops at once.' : ''}\n`,
      );
      return;
    }
    emitError(
      ctx,
      command,
      new TenantformError(
        'INTERRUPTED',
        `${command} stopped at once (${label(sig)}): changes in progress may be half-done. Run \`tenantform ${command}\` again to finish; it converges.`,
        { signal: sig },
      ),
    );
    process.exit(signalExitCode(sig));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    writing: () => void (writing = true),
    stoppedBy: () => stoppedBy,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * The outcome of a command that asks, then writes (apply, destroy, import): cancelled at the prompt (declined, or
 * interrupted there), stopped part-way by a signal (its exit code), failed, or ok.
 */
export function writeOutcome(o: {
  cancelled: boolean;
  answer: Answer | undefined;
  interrupted?: boolean;
  failed: boolean;
  stoppedBy: NodeJS.Signals | undefined;
}): { outcome: Outcome; exitCode?: number } {
  const outcome: Outcome = o.cancelled ? (o.answer === 'interrupted' ? 'interrupted' : 'declined') : o.interrupted ? 'interrupted' : o.failed ? 'error' : 'ok';
  return { outcome, ...(outcome === 'interrupted' && o.stoppedBy ? { exitCode: signalExitCode(o.stoppedBy) } : {}) };
}
