// Keeps a view's query in the URL (?q=<json>) so it can be shared and survives reloads; the back button
// walks through earlier queries.
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

/**
 * The query object held in the URL parameter `param`, falling back to `initial` when absent or unreadable.
 * @example const [query, setQuery] = useUrlQuery('q', DEFAULT_TRENDS);
 */
export function useUrlQuery<T extends object>(param: string, initial: T): [T, (next: T) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get(param);
  const value = useMemo<T>(() => {
    if (raw === null) return initial;
    try {
      return { ...initial, ...(JSON.parse(raw) as T) };
    } catch {
      return initial;
    }
    // `initial` is a module constant in every caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [raw]);
  const set = useCallback(
    (next: T) => {
      setParams((p) => {
        const copy = new URLSearchParams(p);
        copy.set(param, JSON.stringify(next));
        return copy;
      });
    },
    [param, setParams],
  );
  return [value, set];
}
