import { saveSnapshot } from '../gather/save.js';
import type { Gathered } from '../gather/types.js';
import type { Snapshot } from '../model/snapshot.js';
import { createPlan } from '../plan/index.js';
import type { Plan } from '../plan/types.js';

/**
 * gather, then decide once: createPlan(snapshot). The snapshot is saved first when asked (`--save-snapshot`),
 * so even a planner that throws can be replayed offline. On any failure the connection is closed.
 */
export async function gatherAndPlan<S extends Snapshot, G extends Gathered<S>>(gather: Promise<G>, saveTo?: string): Promise<G & { plan: Plan }> {
  const g = await gather;
  try {
    if (saveTo) saveSnapshot(saveTo, g.snapshot);
    return { ...g, plan: createPlan(g.snapshot) };
  } catch (e) {
    await g.io.close();
    throw e;
  }
}
