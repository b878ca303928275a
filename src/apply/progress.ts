/**
 * What a run reports: each change's result, and the events the executor and the retry loop send while it runs.
 * Types only, in a module of their own so that context.ts, execute.ts and options.ts share them without a cycle.
 */
import type { Change } from '../plan/types.js';

export interface ChangeResult {
  id: string;
  action: Change['action'];
  status: 'done' | 'failed' | 'not-run';
  error?: { code: string; message: string };
  /** How long the change took (done or failed). */
  durationMs?: number;
  /** Ids of the application this change created, restored or adopted (or whose service principal it created). Never secret. */
  objects?: { uniqueName: string; objectId?: string; appId?: string; servicePrincipalId?: string };
}

/**
 * What the executor reports while it runs, besides the line for people (CommonOptions.progress): the CLI
 * renders these (src/cli/progress.ts) — one line per completed change with its duration, one per wait.
 */
export type ProgressEvent =
  | { kind: 'change-start'; change: Change }
  | { kind: 'change-end'; change: Change; result: ChangeResult }
  /** A retry wait (apply/context.ts call()): `what` is the Graph call in words, `leftMs` the time until the run gives up. */
  | { kind: 'wait'; waitMs: number; why: string; attempt: number; leftMs: number; what: string };
