/**
 * Durations for people, in the units the flags and manifests take (s, m, h, d): `250 ms`, `1.4 s`, `4m 58s`,
 * `2h 5m`. One formatter for progress lines, waits and summaries, so a log reads the same everywhere.
 */
export function formatDuration(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  if (t < 1000) return `${t} ms`;
  if (t < 60_000) return `${(t / 1000).toFixed(t < 10_000 ? 1 : 0)} s`;
  const s = Math.round(t / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  if (m < 1440) return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(m / 1440)}d ${Math.floor((m % 1440) / 60)}h`;
}
