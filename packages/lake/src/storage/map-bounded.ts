// Reads many objects at once, but not all at once: a log of 600,000 commits read with one Promise.all opens as many
// files together and fails with EMFILE.

/** How many reads of one call are in flight at a time. */
export const READS_IN_FLIGHT = 64;

/** `Promise.all(items.map(fn))` with at most `limit` calls of `fn` pending at a time; results in input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  limit = READS_IN_FLIGHT,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
