/**
 * The floor Graph's resource unit quota sets on a phase (issue 13): the bucket of the application+tenant pair holds
 * S 3,500 · M 5,000 · L 8,000 RU and refills that many per 10 s
 * (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits). Replaying the emulator's
 * request log (each accepted item's x-ms-resource-unit, at its time) gives what the bucket held when a phase's first
 * Graph request arrived; the phase cannot take less than (RU it needs − RU left) / refill rate of Graph time.
 */
import type { RequestLogEntry, TenantSize } from '../src/emulator/index.js';

const RU_PER_10S: Record<TenantSize, number> = { S: 3500, M: 5000, L: 8000 };

/** Replays the phases in order (the bucket is created full by the first charged request): each phase's floor in ms. */
export function quotaFloors(phases: ReadonlyArray<readonly RequestLogEntry[]>, size: TenantSize): number[] {
  const capacity = RU_PER_10S[size];
  const perMs = capacity / 10_000;
  let level = capacity;
  let at: number | undefined;
  return phases.map((entries) => {
    const charged = entries
      .filter((e) => e.service === 'graph' && e.status !== 429 && (e.resourceUnits ?? 0) > 0)
      .map((e) => ({ t: Date.parse(e.time), ru: e.resourceUnits! }))
      .sort((a, b) => a.t - b.t);
    if (!charged.length) return 0;
    const refill = (t: number) => {
      if (at !== undefined && t > at) level = Math.min(capacity, level + (t - at) * perMs);
      at = Math.max(at ?? t, t);
    };
    refill(charged[0].t);
    const left = level;
    const need = charged.reduce((s, c) => s + c.ru, 0);
    for (const c of charged) {
      refill(c.t);
      level -= c.ru;
    }
    return Math.max(0, need - left) / perMs;
  });
}
