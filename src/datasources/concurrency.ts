/**
 * Runs `fn` over `items` with at most `limit` in flight, keeping input order in the result. Hand-written: a dozen
 * lines, and the maintained limiter packages (p-limit, p-map) are ESM-only in their current versions.
 * A rejected call rejects nothing else: its slot holds the error.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<(R | Error)[]> {
  const results: (R | Error)[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (e) {
        results[index] = e instanceof Error ? e : new Error(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
