import { TenantformError } from '../errors.js';

/**
 * Durations: ONE grammar for every place that takes one — credential lifetimes and renewBefore in manifests,
 * `destroy --older-than` on the command line — so what works in one works in the other:
 *
 *   duration := digits unit        unit := s | m | h | d | w | y     (y = 365 days, no calendar)
 *
 * e.g. 90s, 30m, 12h, 180d, 8w, 2y. Where a duration must be positive (lifetimes), LIFETIME says so.
 */
export const DURATION_UNITS_MS = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
} as const satisfies Record<string, number>;

export const DURATION = /^([0-9]+)([smhdwy])$/;
/** A duration that is not zero: credential lifetimes and renewal windows. */
export const LIFETIME = /^([1-9][0-9]*)([smhdwy])$/;
export const DURATION_HELP = 'a number and a unit s, m, h, d, w or y, like 30m, 12h, 180d or 2y';

/** Milliseconds, or undefined when the text is not a duration. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * DURATION_UNITS_MS[m[2] as keyof typeof DURATION_UNITS_MS] : undefined;
}

/** A duration given on the command line (`--older-than`) → milliseconds; anything else is a USAGE error. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new TenantformError('USAGE', `Duration "${text}" must be ${DURATION_HELP}.`, { value: text });
  return ms;
}
