import type { Change } from './types.js';

/**
 * Assign dependency waves: a change's wave is one more than the highest wave it depends on, so every
 * wave can run in parallel and waves run in order. Dependencies on changes that are not in the plan are
 * already satisfied and dropped. Returns new objects sorted by (wave, id); inputs are not mutated.
 */
export function orderChanges(changes: readonly Change[]): Change[] {
  const byId = new Map(changes.map((c) => [c.id, c]));
  if (byId.size !== changes.length) throw new Error('internal: duplicate change ids in plan');
  const wave = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (c: Change): number => {
    const known = wave.get(c.id);
    if (known !== undefined) return known;
    if (visiting.has(c.id)) throw new Error(`internal: dependency cycle through ${c.id}`);
    visiting.add(c.id);
    let w = 0;
    for (const d of c.dependsOn) {
      const dep = byId.get(d);
      if (dep) w = Math.max(w, depth(dep) + 1);
    }
    visiting.delete(c.id);
    wave.set(c.id, w);
    return w;
  };
  return changes
    .map((c) => ({ ...c, dependsOn: c.dependsOn.filter((d) => byId.has(d)), wave: depth(c) }) as Change)
    .sort((a, b) => a.wave - b.wave || a.id.localeCompare(b.id));
}

/** The same changes grouped by wave, for execution. */
export function waves(changes: readonly Change[]): Change[][] {
  const out: Change[][] = [];
  for (const c of changes) (out[c.wave] ??= []).push(c);
  return out.filter(Boolean);
}

/** Reverse order for teardown: what was created last goes first. */
export function reverseWaves(changes: readonly Change[]): Change[][] {
  return waves(changes).reverse();
}
