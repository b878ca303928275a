/**
 * Running one request under the fault rules: the pipeline (server.ts) asks here before it runs a Graph request, a
 * $batch item or a login request. A fault either answers instead of the handler (5xx, 409, AADSTS), answers nothing
 * (reset, timeout: a ConnectionFault the pipeline turns into a dropped connection), or lets the handler commit and
 * then loses its answer (commit-then-*).
 */
import type { Socket } from 'node:net';
import { COMMIT_KINDS, ConnectionFault, graphFault, oauthFault, oauthRetryAfter } from './fault-answers.js';
import type { FaultRuleInfo, FaultTarget } from './fault-rules.js';
import type { Faults } from './faults.js';
import { renderOAuthFault } from './errors.js';
import type { EmuResponse } from './http.js';

export type FaultTag = { rule: string; kind: string };

export const tagOf = (r: FaultRuleInfo): FaultTag => ({ rule: r.id, kind: r.kind });

/** A Graph request or $batch item: a fault's answer is thrown as a GraphFault, rendered like any other. */
export async function runGraphWithFaults(
  faults: Faults,
  target: FaultTarget,
  onFire: (t: FaultTag) => void,
  run: () => Promise<EmuResponse>,
): Promise<EmuResponse> {
  return withFault(faults, target, onFire, run, (r) => {
    throw graphFault(r.kind, r);
  });
}

/** The rule that fires for this request, if any, answering with `render` (the service's error shape). */
function withFault(
  faults: Faults,
  target: FaultTarget,
  onFire: (t: FaultTag) => void,
  run: () => Promise<EmuResponse>,
  render: Parameters<typeof answer>[2],
): Promise<EmuResponse> {
  const fired = faults.rules.decide(target);
  if (!fired) return run();
  onFire(tagOf(fired.rule));
  return answer(fired.rule, run, render);
}

export interface LoginFaultContext {
  form: Record<string, string | undefined>;
  tenantSegment: string;
  authorityHost: string;
  correlationId?: string;
}

/** A login request: a fault answers in Entra's OAuth error shape (errors.ts renderOAuthFault). */
export async function runLoginWithFaults(
  faults: Faults,
  target: FaultTarget,
  ctx: LoginFaultContext,
  onFire: (t: FaultTag) => void,
  run: () => Promise<EmuResponse>,
): Promise<EmuResponse> {
  return withFault(faults, target, onFire, run, (r) => {
    const out = renderOAuthFault(oauthFault(r, ctx.form, ctx.tenantSegment), ctx.authorityHost, ctx.correlationId);
    return { ...out, headers: { ...out.headers, ...oauthRetryAfter(r) } };
  });
}

async function answer(rule: FaultRuleInfo, run: () => Promise<EmuResponse>, fail: (r: FaultRuleInfo) => EmuResponse): Promise<EmuResponse> {
  const tag = tagOf(rule);
  if (rule.kind === 'reset') throw new ConnectionFault('reset', undefined, tag);
  if (rule.kind === 'timeout') throw new ConnectionFault('timeout', rule.timeoutMs, tag);
  if (COMMIT_KINDS.has(rule.kind)) {
    try {
      await run();
    } catch (e) {
      // The handler's own error answer is lost like a success would be; only a dropped connection goes on.
      if (e instanceof ConnectionFault) throw e;
    }
    if (rule.kind === 'commit-then-reset') throw new ConnectionFault('reset', undefined, tag);
  }
  return fail(rule);
}

/**
 * No answer: reset the connection now, or hold it for timeoutMs and then reset it (a gateway that gave up; a client
 * with a shorter timeout of its own gives up first). resetAndDestroy sends a TCP RST where the socket allows it.
 */
export function dropConnection(socket: Socket | null | undefined, fault: ConnectionFault): void {
  if (!socket) return;
  const drop = () => {
    if (socket.destroyed) return;
    try {
      socket.resetAndDestroy();
    } catch {
      socket.destroy();
    }
  };
  if (fault.mode === 'reset') return drop();
  const timer = setTimeout(drop, fault.timeoutMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
