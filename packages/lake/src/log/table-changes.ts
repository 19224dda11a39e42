// What changed between two versions: the data files commits fromVersion+1..toVersion added and removed with
// dataChange=true (compaction's dataChange=false rewrites are not changes), for incremental readers.
import { mapBounded } from '../storage/map-bounded.js';
import { VersionNotFoundError } from '../errors.js';
import { parseCommit, type AddAction, type RemoveAction } from './actions.js';
import { commitKey } from './log-files.js';
import { fileKey } from './log-replay.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Files that carry the data changes of a version range. */
export interface TableChanges {
  /** Exclusive lower bound: changes are those of commits after this version (-1: from the start). */
  readonly fromVersion: number;
  /** Inclusive upper bound. */
  readonly toVersion: number;
  /** Data files added in the range and not removed again (by a data-changing remove) within it. */
  readonly added: readonly AddAction[];
  /** Data files that existed before the range and were removed by a data-changing remove in it. */
  readonly removed: readonly RemoveAction[];
  /** True when some commit removed data (delete, overwrite, replace); appends and compaction never do. */
  readonly hasDataRemoval: boolean;
}

/**
 * Reads the commits after `fromVersion` up to `toVersion`.
 * @throws VersionNotFoundError when a commit in the range is missing (e.g. cleaned up after log retention).
 */
export async function readChanges(store: ObjectStore, fromVersion: number, toVersion: number): Promise<TableChanges> {
  if (toVersion < fromVersion)
    throw new VersionNotFoundError(`change range ${fromVersion}..${toVersion} is reversed`, { fromVersion, toVersion });
  const versions = Array.from({ length: toVersion - fromVersion }, (_, i) => fromVersion + 1 + i);
  const texts = await mapBounded(versions, async (v) => {
    try {
      return new TextDecoder().decode(await store.get(commitKey(v)));
    } catch (error) {
      throw new VersionNotFoundError(`commit ${v} is not in the log (cleaned up, or not yet written)`, {
        version: v,
        cause: String(error),
      });
    }
  });
  const added = new Map<string, AddAction>();
  const removed = new Map<string, RemoveAction>();
  let hasDataRemoval = false;
  for (const text of texts) {
    for (const action of parseCommit(text)) {
      if (action.add && action.add.dataChange !== false) added.set(fileKey(action.add), action.add);
      if (action.remove && action.remove.dataChange !== false) {
        hasDataRemoval = true;
        const key = fileKey(action.remove);
        // A file both added and removed inside the range never was visible outside it: no change at all.
        if (added.has(key)) added.delete(key);
        else removed.set(key, action.remove);
      }
    }
  }
  return { fromVersion, toVersion, added: [...added.values()], removed: [...removed.values()], hasDataRemoval };
}

/** A removed file described as an add, so the scan planner can read its (still present) Parquet file. */
export function removedAsAdd(remove: RemoveAction): AddAction {
  return {
    path: remove.path,
    partitionValues: remove.partitionValues ?? {},
    size: remove.size ?? 0,
    modificationTime: remove.deletionTimestamp ?? 0,
    dataChange: true,
    ...(remove.deletionVector ? { deletionVector: remove.deletionVector } : {}),
  };
}
