// Data fetching for views: loading / error / data, aborts stale requests, optional polling that keeps the
// last answer on screen while the next one loads (the Realtime view refreshes every few seconds).
import { useCallback, useEffect, useRef, useState } from 'react';

/** What a view renders from. `data` stays set while a refresh is in flight. */
export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** When the shown data arrived. */
  updatedAt: Date | undefined;
  reload: () => void;
}

/**
 * Runs `fetcher` whenever `key` changes (null: don't run), and every `refreshMs` if given.
 * @example const tables = useApi('tables', (s) => apiGet<TablesAnswer>('/api/tables', s));
 */
export function useApi<T>(
  key: string | null,
  fetcher: (signal: AbortSignal) => Promise<T>,
  options: { refreshMs?: number } = {},
): ApiState<T> {
  const [state, setState] = useState<Omit<ApiState<T>, 'reload'>>({
    data: undefined,
    error: undefined,
    loading: key !== null,
    updatedAt: undefined,
  });
  const [tick, setTick] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (key === null) {
      setState({ data: undefined, error: undefined, loading: false, updatedAt: undefined });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    fetcherRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: undefined, loading: false, updatedAt: new Date() });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ ...s, error: error instanceof Error ? error : new Error(String(error)), loading: false }));
      },
    );
    return () => controller.abort();
  }, [key, tick]);

  useEffect(() => {
    if (!options.refreshMs || key === null) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, options.refreshMs);
    return () => clearInterval(timer);
  }, [options.refreshMs, key, reload]);

  return { ...state, reload };
}
