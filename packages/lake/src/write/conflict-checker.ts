// Optimistic-concurrency conflict rules (after Spark's ConflictChecker): a commit that lost the race may be
// retried at the next version only if the winner changed nothing it read or removed. Appends commute with
// appends and with compaction; compaction and deletes conflict with removals of the same files.
import { ConcurrentModificationError } from '../errors.js';
import type { Action, AddAction } from '../log/actions.js';
import { fileKey } from '../log/log-replay.js';
import { skipFiles } from '../scan/data-skipping.js';
import type { Predicate } from '../scan/predicate.js';
import type { DeltaField } from '../schema/delta-schema.js';

/** What a transaction depended on, to judge concurrent commits against. */
export interface ReadSet {
  /** Keys (fileKey) of files the transaction read or removes; their removal by others is a conflict. */
  readonly files: ReadonlySet<string>;
  /**
   * Rows the transaction's outcome depends on: `all` (overwrite), a predicate (delete-where), or none
   * (blind append, compaction). New data files that may match it are a conflict.
   */
  readonly predicate: Predicate | 'all' | undefined;
  /** Schema fields, for evaluating `predicate` against added files' stats. */
  readonly fields: readonly DeltaField[];
  readonly partitionColumns: readonly string[];
}

/** Throws ConcurrentModificationError when `winner` (a commit that took our version) conflicts with us. */
export function checkConflicts(read: ReadSet, winner: readonly Action[], winnerVersion: number): void {
  const fail = (why: string, extra: Record<string, unknown> = {}): never => {
    throw new ConcurrentModificationError(`concurrent commit ${winnerVersion} conflicts: ${why}`, {
      winnerVersion,
      ...extra,
    });
  };
  for (const a of winner) {
    if (a.protocol) fail('the protocol changed');
    if (a.metaData) fail('the table metadata changed');
    if (a.remove && read.files.has(fileKey(a.remove)))
      fail('a file this transaction read or removes was removed', { path: a.remove.path });
  }
  if (read.predicate === undefined) return;
  const added = winner.flatMap((a) => (a.add && a.add.dataChange ? [a.add] : []));
  if (added.length === 0) return;
  const predicate = read.predicate;
  if (predicate === 'all') return fail('data was added to a table this transaction rewrites');
  const matching: AddAction[] = skipFiles(added, predicate, read.fields, read.partitionColumns);
  if (matching.length > 0)
    fail("data was added that may match this transaction's predicate", { path: matching[0]?.path });
}
