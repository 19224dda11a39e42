// OPTIMIZE (bin-packing compaction): per partition, small files are grouped into bins up to a target size
// and each bin is rewritten as one file; committed with dataChange=false so streaming readers skip it and
// concurrent appends commute with it. Concurrent removal of a compacted file is a conflict.
import type { Sql } from '../duckdb/sql.js';
import type { Action, AddAction } from '../log/actions.js';
import { fileKey } from '../log/log-replay.js';
import { checkWritable } from '../log/protocol-check.js';
import { planScan } from '../scan/scan-sql.js';
import type { Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Maintenance } from './background-maintenance.js';
import { afterCommit, commitInfo, removeOf } from './commit-support.js';
import { writeDataFiles } from './data-writer.js';
import { commit, type CommitResult } from './transaction.js';

/** Options of OPTIMIZE. */
export interface OptimizeOptions {
  /** Target file size in bytes (default 128 MiB); files at or above it are left alone. */
  targetFileSize?: number;
  /**
   * Merge only files of comparable size (for compaction that runs as a table is appended to): a file joins a bin
   * only while it is at most twice the files already in it together, as size-tiered LSM stores compact. Without
   * it every small file is packed at once, and a table appended to all day has its day file (below the target)
   * read and rewritten with a few new small files at every run: write amplification that grows with the day.
   * Tiered, a file is rewritten only into one at least half again as large, so each byte is rewritten a
   * logarithmic number of times, and a partition keeps a handful of files of growing sizes.
   */
  tiered?: boolean;
}

/** What OPTIMIZE did. */
export interface OptimizeResult {
  commit: CommitResult | undefined;
  filesRemoved: number;
  filesAdded: number;
}

/** Compacts small files; commits nothing when no partition has two or more small files. */
export async function optimize(
  store: ObjectStore,
  sql: Sql,
  snapshot: Snapshot,
  options: OptimizeOptions = {},
  maintenance: Maintenance = 'inline',
): Promise<OptimizeResult> {
  checkWritable(snapshot.protocol, snapshot.metadata);
  const target = options.targetFileSize ?? 128 * 1024 * 1024;
  const byPartition = new Map<string, AddAction[]>();
  for (const f of snapshot.files) {
    // Files with deletion vectors are left alone: this writer does not rewrite DV state.
    if (f.size >= target || f.deletionVector) continue;
    const key = JSON.stringify(snapshot.partitionColumns.map((c) => f.partitionValues[c] ?? null));
    byPartition.set(key, [...(byPartition.get(key) ?? []), f]);
  }
  const bins: AddAction[][] = [];
  for (const files of byPartition.values()) {
    let bin: AddAction[] = [];
    let size = 0;
    for (const f of [...files].sort((a, b) => a.size - b.size)) {
      if (bin.length > 0 && (size + f.size > target || (options.tiered === true && f.size > 2 * size))) {
        bins.push(bin);
        bin = [];
        size = 0;
      }
      bin.push(f);
      size += f.size;
    }
    bins.push(bin);
  }
  const work = bins.filter((b) => b.length >= 2);
  if (work.length === 0) return { commit: undefined, filesRemoved: 0, filesAdded: 0 };
  const removed: AddAction[] = [];
  const added: AddAction[] = [];
  for (const bin of work) {
    const scan = (await planScan(store, sql, { ...snapshot, files: bin } as Snapshot)).sql;
    added.push(...(await writeDataFiles(store, sql, snapshot, scan, false)));
    removed.push(...bin);
  }
  const now = Date.now();
  const actions: Action[] = [...removed.map((f) => removeOf(f, now, false)), ...added.map((add) => ({ add }))];
  const result = await commit(
    store,
    snapshot.version,
    actions,
    {
      files: new Set(removed.map(fileKey)),
      predicate: undefined,
      fields: snapshot.schema.fields,
      partitionColumns: snapshot.partitionColumns,
    },
    () =>
      commitInfo('OPTIMIZE', { predicate: [], zOrderBy: [] }, snapshot.version, false, {
        numRemovedFiles: removed.length,
        numAddedFiles: added.length,
      }),
  );
  await afterCommit(store, sql, result.version, snapshot.metadata, maintenance);
  return { commit: result, filesRemoved: removed.length, filesAdded: added.length };
}
