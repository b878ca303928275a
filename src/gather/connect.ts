import type { StackLock } from '../local/stack-lock.js';
import { describeIdentity } from '../graph/identity.js';
import type { Target, TargetOptions } from '../graph/target.js';
import { GraphTransport } from '../graph/transport.js';
import { resolveTarget } from '../local/tenant.js';
import type { TokenPermissions } from '../model/snapshot.js';

/** A tenant we talk to: where, as whom, over which transport, until when we wait for replication. */
export interface Connection {
  target: Target;
  transport: GraphTransport;
  /** `<name> (<appId>)` of the identity acting, as plans show it. */
  identity: string;
  /** The Graph permissions the token carries. */
  permissions: TokenPermissions;
  /** The tenant id the token was issued for. */
  tenantId: string;
  deadline: number;
  close(): Promise<void>;
}

/** Resolve the target, sign in (one token: who is acting) and open the Graph transport. */
export async function connect(opts: TargetOptions & { timeoutMs?: number }): Promise<Connection> {
  const target = await resolveTarget(opts);
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    const who = await describeIdentity(target);
    const transport = new GraphTransport({ graphUrl: target.graphUrl, credential: target.credential, ca: target.ca, graphUrlFlag: target.flags?.graphUrl });
    return { target, transport, identity: who.identity, permissions: who.permissions, tenantId: who.tenantId, deadline, close: () => target.close() };
  } catch (e) {
    await target.close();
    throw e;
  }
}

/**
 * Connect while holding the stacks' lock (local/stack-lock.ts): released when connecting fails, and by the returned
 * `close`, which also closes the connection — what a gatherer's io.close and its error path both call.
 */
export async function connectHolding(
  opts: TargetOptions & { timeoutMs?: number },
  lock: StackLock | undefined,
): Promise<{ connection: Connection; close: () => Promise<void> }> {
  let connection: Connection;
  try {
    connection = await connect(opts);
  } catch (e) {
    lock?.release();
    throw e;
  }
  return {
    connection,
    close: async () => {
      lock?.release();
      await connection.close();
    },
  };
}
