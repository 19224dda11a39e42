// Shared steps around every write: the commitInfo Spark readers expect, the post-commit checkpoint every
// `delta.checkpointInterval` versions (10 by default) and expired-log clean-up at every tenth, and a dropped-files sweep.
import type { Sql } from '../duckdb/sql.js';
import type { Action, AddAction, MetadataAction } from '../log/actions.js';
import { loadSnapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import { writeCheckpoint } from './checkpoint-writer.js';
import { cleanupExpiredLogs } from './log-cleanup.js';
import { scheduleMaintenance, type Maintenance } from './background-maintenance.js';

/** Engine string recorded in commitInfo. */
export const ENGINE_INFO = 'lens-lake/0.1.0';

/** Builds a commitInfo action (PROTOCOL.md "Commit Provenance Information"). */
export function commitInfo(
  operation: string,
  operationParameters: Record<string, unknown>,
  readVersion: number,
  isBlindAppend: boolean,
  operationMetrics: Record<string, number>,
): Action {
  return {
    commitInfo: {
      timestamp: Date.now(),
      operation,
      operationParameters: Object.fromEntries(
        Object.entries(operationParameters).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
      ...(readVersion >= 0 ? { readVersion } : {}),
      isolationLevel: 'Serializable',
      isBlindAppend,
      operationMetrics: Object.fromEntries(Object.entries(operationMetrics).map(([k, v]) => [k, String(v)])),
      engineInfo: ENGINE_INFO,
    },
  };
}

/** Log clean-up runs after one checkpoint in this many. */
const CLEANUP_EVERY_CHECKPOINTS = 10;

/** Checkpoint interval of a table (`delta.checkpointInterval`, default 10). */
export function checkpointInterval(metadata: MetadataAction): number {
  const n = Number(metadata.configuration['delta.checkpointInterval'] ?? 10);
  return Number.isInteger(n) && n > 0 ? n : 10;
}

/**
 * After a commit at `version`: checkpoint when due, then clean expired logs — here, or `background` (see
 * background-maintenance.ts). Failures are swallowed because the commit itself is durable and both steps are
 * optional optimisations another writer will redo.
 */
export async function afterCommit(
  store: ObjectStore,
  sql: Sql,
  version: number,
  metadata: MetadataAction,
  maintenance: Maintenance = 'inline',
): Promise<void> {
  const interval = checkpointInterval(metadata);
  if (version === 0 || version % interval !== 0) return;
  // At every tenth checkpoint: clean-up reads the names of the whole log.
  const cleanup = version % (interval * CLEANUP_EVERY_CHECKPOINTS) === 0;
  if (maintenance === 'background') {
    scheduleMaintenance(store, metadata, cleanup);
    return;
  }
  try {
    const snapshot = await loadSnapshot(store, sql, version);
    await writeCheckpoint(store, sql, snapshot);
    if (cleanup && metadata.configuration['delta.enableExpiredLogCleanup'] !== 'false')
      await cleanupExpiredLogs(store, metadata);
  } catch {
    // Optional work: the next checkpointing writer retries.
  }
}

/** Deletes data files written for a transaction that did not commit them (best effort). */
export async function deleteUncommitted(store: ObjectStore, paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => store.delete(decodeURIComponent(p)).catch(() => undefined)));
}

/**
 * The remove action of a live file: its deletion vector goes with it, since a file's identity in the log is its
 * path and its DV (PROTOCOL.md "Add File and Remove File"). `dataChange` is false for compaction.
 */
export function removeOf(file: AddAction, at: number, dataChange = true): Action {
  return {
    remove: {
      path: file.path,
      deletionTimestamp: at,
      dataChange,
      extendedFileMetadata: true,
      partitionValues: file.partitionValues,
      size: file.size,
      ...(file.deletionVector ? { deletionVector: file.deletionVector } : {}),
    },
  };
}
