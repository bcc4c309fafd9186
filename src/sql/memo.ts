/**
 * Remembers the results of a pure function of one string. The same query text is looked at many
 * times in one run (validation, the dependency graph, planning, and in the built-in server every
 * check of a write), and each look tokenized it again. Results must be immutable. The cache is
 * emptied when it holds `limit` entries, so a long-running server's memory stays bounded.
 * A call that throws is not remembered: it throws again the next time.
 */
export function memoizeByText<T>(compute: (text: string) => T, limit = 50_000): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    const known = cache.get(text);
    if (known !== undefined) return known;
    const result = compute(text);
    if (cache.size >= limit) cache.clear();
    cache.set(text, result);
    return result;
  };
}
