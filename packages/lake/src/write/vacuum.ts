// VACUUM: deletes data files no snapshot within the retention window can reference — files not live in the
// latest snapshot, removed longer ago than the retention (default 7 days, `delta.deletedFileRetentionDuration`):
// the clock starts at the remove's deletionTimestamp (its tombstone), so a file written a month ago and replaced
// a minute ago stays readable for time travel and for readers still on the version before; a file no version
// ever referenced (a write that failed before its commit) counts from its own write. Hidden paths (`_`/`.`
// prefixed, e.g. `_delta_log`) are never touched, except, as Spark's VACUUM decides, the directories of a
// partition column whose name starts with `_` (`_day=2024-01-01`) and the change-data and index directories.
import type { Sql } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import { canonicalPath } from '../log/log-replay.js';
import { checkWritable } from '../log/protocol-check.js';
import { deletionVectorKey } from '../dv/deletion-vector.js';
import { DEFAULT_TOMBSTONE_RETENTION, loadTombstones, type Snapshot } from '../snapshot.js';
import type { ObjectMeta, ObjectStore } from '../storage/object-store.js';
import { parseInterval } from './interval.js';

/** Options of VACUUM. */
export interface VacuumOptions {
  /** Retention in hours; below the table's setting requires `force`. */
  retentionHours?: number;
  dryRun?: boolean;
  /** Allows a retention shorter than the table's (unsafe for concurrent readers of old versions). */
  force?: boolean;
  now?: number;
}

/**
 * Deletes (or with dryRun lists) the files no version within the retention reads; returns their keys. `listed`:
 * the table's files listed before `snapshot` was loaded (else listed now), so that a file committed in between is
 * in the snapshot rather than taken for an orphan.
 */
export async function vacuum(
  store: ObjectStore,
  snapshot: Snapshot,
  options: VacuumOptions = {},
  listed?: readonly ObjectMeta[],
  sql?: Sql,
): Promise<string[]> {
  // Deleting files is a write: a table feature this writer does not honour (deletion vectors, whose files of
  // removed versions it would not protect, …) makes VACUUM refuse, as OPTIMIZE and every other write does.
  checkWritable(snapshot.protocol, snapshot.metadata);
  const tableRetention = parseInterval(
    snapshot.metadata.configuration['delta.deletedFileRetentionDuration'] ?? DEFAULT_TOMBSTONE_RETENTION,
  );
  const retention = options.retentionHours === undefined ? tableRetention : options.retentionHours * 3_600_000;
  if (retention < tableRetention && !options.force) {
    throw new InvalidInputError(
      `retention ${options.retentionHours}h is shorter than the table's ${tableRetention / 3_600_000}h; force it to proceed (lens vacuum --force)`,
    );
  }
  const cutoff = (options.now ?? Date.now()) - retention;
  const live = new Set<string>();
  for (const f of snapshot.files) {
    live.add(canonicalPath(f.path));
    if (f.deletionVector?.storageType === 'u') live.add(deletionVectorKey(f.deletionVector));
  }
  const removedAt = new Map<string, number>();
  for (const t of await loadTombstones(snapshot, sql)) removedAt.set(canonicalPath(t.path), t.deletionTimestamp ?? 0);
  const doomed: string[] = [];
  const partitionDirs = snapshot.metadata.partitionColumns.map((c) => `${c}=`);
  for (const meta of listed ?? (await store.list(''))) {
    if (isHidden(meta.key, partitionDirs)) continue;
    if (live.has(meta.key)) continue;
    // Kept for the retention after its removal (and never younger than the retention by its own write).
    if (Math.max(removedAt.get(meta.key) ?? 0, meta.lastModified) > cutoff) continue;
    doomed.push(meta.key);
  }
  if (!options.dryRun) for (const key of doomed) await store.delete(key);
  return doomed;
}

/**
 * Spark's rule (DeltaTableUtils.isHiddenDirectory): a `_`/`.` prefixed file name, or directory other than a
 * partition directory (`col=…` of a partition column) or `_change_data`/`_delta_index`, is not the table's data.
 */
function isHidden(key: string, partitionDirs: readonly string[]): boolean {
  const segments = key.split('/');
  const name = segments.pop()!;
  if (name.startsWith('_') || name.startsWith('.')) return true;
  return segments.some(
    (dir) =>
      (dir.startsWith('_') || dir.startsWith('.')) &&
      !dir.startsWith('_change_data') &&
      !dir.startsWith('_delta_index') &&
      !partitionDirs.some((prefix) => dir.startsWith(prefix)),
  );
}
