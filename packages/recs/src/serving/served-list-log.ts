// The served-lists log: every list the API returns, with its listId, so clicks (`Recommendation Clicked` with
// `list_id`, which lands in silver.events.list_id) can be joined to what was shown. Buffered in memory and
// appended to the Delta table lens.served_recommendations in batches, off the request path.
import { DeltaTable, type ColumnSpec } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import type { RecommendationRequest, RecommendationResponse } from './recommendation-service.js';

/** One served list. */
export interface ServedListEntry {
  listId: string;
  servedAt: number;
  request: RecommendationRequest;
  response: RecommendationResponse;
}

/** Where served lists go. `record` never blocks or throws; `flush` writes what is buffered. */
export interface ServedListLog {
  record(entry: ServedListEntry): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Drops everything (benchmarks, or when the log is off). */
export const noopServedListLog: ServedListLog = { record: () => {}, flush: async () => {}, close: async () => {} };

/** The table served lists are appended to. */
export const SERVED_TABLE = 'lens.served_recommendations';

/** Columns of lens.served_recommendations (article_ids and reasons comma-separated, in list order). */
export const SERVED_COLUMNS: readonly ColumnSpec[] = [
  { name: 'list_id', type: 'string', nullable: false }, { name: 'served_at', type: 'timestamp' }, { name: 'served_date', type: 'date' },
  { name: 'user_id', type: 'string' }, { name: 'anonymous_id', type: 'string' }, { name: 'person_id', type: 'string' },
  { name: 'context_article_id', type: 'string' }, { name: 'site', type: 'string' }, { name: 'source', type: 'string' },
  { name: 'model_version', type: 'string' }, { name: 'article_ids', type: 'string' }, { name: 'reasons', type: 'string' }, { name: 'k', type: 'integer' },
];

/** Keeps entries in memory (tests). */
export function createMemoryServedListLog(): ServedListLog & { entries: ServedListEntry[] } {
  const entries: ServedListEntry[] = [];
  return { entries, record: (e) => void entries.push(e), flush: async () => {}, close: async () => {} };
}

/** A row of lens.served_recommendations. */
export function servedRow(e: ServedListEntry): Record<string, unknown> {
  const at = new Date(e.servedAt).toISOString();
  return {
    list_id: e.listId, served_at: at, served_date: at.slice(0, 10), user_id: e.request.userId ?? null, anonymous_id: e.request.anonymousId ?? null,
    person_id: e.response.personId ?? null, context_article_id: e.request.context ?? null, site: e.request.site ?? null, source: e.response.source,
    model_version: e.response.modelVersion, article_ids: e.response.items.map((i) => i.articleId).join(','),
    reasons: e.response.items.map((i) => i.reason).join(','), k: e.response.items.length,
  };
}

/**
 * Appends served lists to lens.served_recommendations every `flushEveryMs` (default 5 s) or `maxBuffered`
 * entries; beyond 10 × maxBuffered unflushed entries (the lake is down) new ones are dropped and counted.
 */
export function createDeltaServedListLog(options: { dataDir: string; flushEveryMs?: number; maxBuffered?: number; onError?: (error: unknown) => void }): ServedListLog & { dropped(): number } {
  let buffer: ServedListEntry[] = [];
  let dropped = 0;
  let writing: Promise<void> = Promise.resolve();
  const max = options.maxBuffered ?? 5000;
  const write = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const rows = buffer.map(servedRow);
    const taken = buffer;
    buffer = [];
    try {
      const table = await DeltaTable.open(lakeTablePath(options.dataDir, SERVED_TABLE));
      if (!(await table.snapshot().then(() => true, () => false))) {
        await table.create({ columns: SERVED_COLUMNS, partitionColumns: ['served_date'], name: SERVED_TABLE }).catch(async (e: unknown) => {
          if (!(await table.snapshot().then(() => true, () => false))) throw e; // a racing writer created it
        });
      }
      await table.append({ rows });
    } catch (error) {
      buffer = [...taken, ...buffer]; // retried at the next flush
      options.onError?.(error);
    }
  };
  const flush = (): Promise<void> => (writing = writing.then(write));
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 5000);
  timer.unref();
  return {
    record(entry) {
      if (buffer.length >= 10 * max) {
        dropped++;
        return;
      }
      buffer.push(entry);
      if (buffer.length === max) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
    dropped: () => dropped,
  };
}
