import { isTenantformError } from '../errors.js';
import { waves } from '../plan/order.js';
import type { Change, Plan } from '../plan/types.js';
import { createAssignment, createGrant, deleteAssignment, deleteGrant, updateGrant } from './access.js';
import { createApplication, createServicePrincipal, disableEntitlements, updateApplication, updateServicePrincipal } from './applications.js';
import type { ApplyContext } from './context.js';
import { addSecret, removeSecret } from './secrets.js';
import { addCertificate, removeCertificate } from './keys.js';
import { createFederatedCredential, deleteFederatedCredential, updateFederatedCredential } from './fic.js';
import { deleteApplication, deleteServicePrincipal, purgeDeletedObject, restoreDeletedApplication } from '../destroy/actions.js';
import { adoptApplication } from '../import/actions.js';

export interface ChangeResult {
  id: string;
  action: Change['action'];
  status: 'done' | 'failed' | 'not-run';
  error?: { code: string; message: string };
}

export interface ExecuteHooks {
  /** Render and write one output file (owned by src/outputs; it sees the secrets). */
  writeOutput(c: Extract<Change, { action: 'write-output' }>): Promise<void>;
  /** Max parallel Graph writes within a wave. */
  concurrency?: number;
}

/** `app:<stack>/<key>` → its parts. */
function splitRef(ref: string): { stack: string; key: string } {
  const [stack, key] = ref.slice('app:'.length).split('/');
  return { stack, key };
}

async function run(ctx: ApplyContext, c: Change, hooks: ExecuteHooks): Promise<void> {
  switch (c.action) {
    case 'create-application':
      return createApplication(ctx, c);
    case 'update-application':
    case 'configure-application':
      return updateApplication(ctx, c);
    case 'disable-entitlements':
      return disableEntitlements(ctx, c);
    case 'create-service-principal':
      return createServicePrincipal(ctx, c);
    case 'update-service-principal':
      return updateServicePrincipal(ctx, c);
    case 'add-secret': {
      const { stack, key } = splitRef(c.app);
      return addSecret(ctx, c, stack, key);
    }
    case 'remove-secret':
      return removeSecret(ctx, c);
    case 'add-certificate': {
      const { stack, key } = splitRef(c.app);
      return addCertificate(ctx, c, stack, key);
    }
    case 'remove-certificate': {
      const { stack, key } = splitRef(c.app);
      return removeCertificate(ctx, c, stack, key);
    }
    case 'create-federated-credential':
      return createFederatedCredential(ctx, c);
    case 'update-federated-credential':
      return updateFederatedCredential(ctx, c);
    case 'delete-federated-credential':
      return deleteFederatedCredential(ctx, c);
    case 'create-app-role-assignment':
      return createAssignment(ctx, c);
    case 'delete-app-role-assignment':
      return deleteAssignment(ctx, c);
    case 'create-delegated-grant':
      return createGrant(ctx, c);
    case 'update-delegated-grant':
      return updateGrant(ctx, c);
    case 'delete-delegated-grant':
      return deleteGrant(ctx, c);
    case 'write-output':
      return hooks.writeOutput(c);
    case 'delete-service-principal':
      return deleteServicePrincipal(ctx, c);
    case 'delete-application':
      return deleteApplication(ctx, c);
    case 'purge-deleted-object':
      return purgeDeletedObject(ctx, c);
    case 'restore-deleted-application':
      return restoreDeletedApplication(ctx, c);
    case 'adopt-application':
      return adoptApplication(ctx, c);
    default: {
      const never: never = c;
      throw new Error(`internal: no executor for change ${(never as Change).action}`);
    }
  }
}

/**
 * Execute the plan wave by wave; within a wave, changes run in parallel (bounded). A failure lets the
 * rest of its wave finish, then stops: later waves depend on it. Re-running converges.
 */
export async function executePlan(ctx: ApplyContext, plan: Plan, hooks: ExecuteHooks): Promise<ChangeResult[]> {
  const results = new Map<string, ChangeResult>(plan.changes.map((c) => [c.id, { id: c.id, action: c.action, status: 'not-run' }]));
  const limit = hooks.concurrency ?? 8;
  for (const wave of waves(plan.changes)) {
    let failed = false;
    let next = 0;
    const worker = async () => {
      while (next < wave.length) {
        const c = wave[next++];
        ctx.progress?.(`${c.action} ${c.id}`);
        try {
          await run(ctx, c, hooks);
          results.get(c.id)!.status = 'done';
        } catch (e) {
          failed = true;
          const r = results.get(c.id)!;
          r.status = 'failed';
          r.error = isTenantformError(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: String((e as Error)?.stack ?? e) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, wave.length) }, worker));
    if (failed) break;
  }
  return [...results.values()];
}
