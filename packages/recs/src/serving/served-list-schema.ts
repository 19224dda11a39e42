// The table served lists are appended to, and its columns (shared by the log and its writer thread).
import { join } from 'node:path';
import type { ColumnSpec } from '@lens/lake';

/** The table served lists are appended to. */
export const SERVED_TABLE = 'lens.served_recommendations';

/** Columns of lens.served_recommendations (article_ids and reasons comma-separated, in list order). */
export const SERVED_COLUMNS: readonly ColumnSpec[] = [
  { name: 'list_id', type: 'string', nullable: false },
  { name: 'served_at', type: 'timestamp' },
  { name: 'served_date', type: 'date' },
  { name: 'user_id', type: 'string' },
  { name: 'anonymous_id', type: 'string' },
  { name: 'person_id', type: 'string' },
  { name: 'context_article_id', type: 'string' },
  { name: 'site', type: 'string' },
  { name: 'source', type: 'string' },
  { name: 'model_version', type: 'string' },
  { name: 'article_ids', type: 'string' },
  { name: 'reasons', type: 'string' },
  { name: 'k', type: 'integer' },
];

/** The spool served lists are made durable in before they are written (a local event log, one partition per writer). */
export function servedSpoolDir(dataDir: string): string {
  return join(dataDir, 'recs', 'served-spool');
}
/** The txn application id of a spool partition in lens.served_recommendations (version: the next offset to write). */
export function servedSpoolAppId(partition: number): string {
  return `lens-served:p${partition}`;
}
/** The spool's consumer name (its committed position lets retention delete written segments). */
export const SERVED_SPOOL_CONSUMER = 'lens-served-writer';

/** Every this many appends the writer compacts the table (each append adds a file per served date). */
export const COMPACT_EVERY_COMMITS = 50;
/** Compaction bin-packs files below this size (about 500,000 served lists); bigger files are left alone. */
export const COMPACT_TARGET_BYTES = 32 * 1024 * 1024;
