/**
 * "Did you mean": the closest candidate by edit distance. Shared by validation (unknown keys, dangling
 * references), the planner (a role or scope value the API does not publish) and flag checks (`--tenant locl`),
 * so every suggestion follows the same rule of what counts as close.
 */

/** Closest candidate by edit distance (case-insensitive), or undefined when none is close. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return closestN(word, candidates, 1)[0];
}

/**
 * Up to `n` candidates, closest first, among those close enough: at most 2 edits, or a third of the word's
 * length for long words (`User.Reed.All` → `User.Read.All`, not every permission that starts with `User.`).
 */
export function closestN(word: string, candidates: Iterable<string>, n: number): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  const scored: Array<{ c: string; d: number }> = [];
  for (const c of new Set(candidates)) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d <= limit) scored.push({ c, d });
  }
  // Stable: equal distances keep the candidates' order.
  return scored
    .sort((a, b) => a.d - b.d)
    .slice(0, n)
    .map((s) => s.c);
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean "${c}"?`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
