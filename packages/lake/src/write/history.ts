// Table history: the commitInfo of every version still in the log, newest first (DESCRIBE HISTORY). Each
// version's time is the one time travel resolves (as Spark's history reports it): the in-commit timestamp, else
// the commit file's time — not commitInfo.timestamp, taken before the file was written and so always earlier.
import { mapBounded } from '../storage/map-bounded.js';
import { parseCommit } from '../log/actions.js';
import { monotonicCommitTimes } from '../log/commit-timestamps.js';
import { listCommits } from '../log/log-segment.js';
import type { ObjectStore } from '../storage/object-store.js';

/** One version's provenance. */
export interface HistoryEntry {
  version: number;
  /** Epoch ms: `snapshot({ timestamp })` at this time reads this version. */
  timestamp: number;
  operation: string | undefined;
  operationParameters: Record<string, unknown>;
  operationMetrics: Record<string, unknown>;
  isBlindAppend: boolean | undefined;
  readVersion: number | undefined;
}

/** The commitInfo of each retained commit, newest first (at most `limit`). */
export async function history(store: ObjectStore, limit = Infinity): Promise<HistoryEntry[]> {
  const all = await listCommits(store);
  const times = monotonicCommitTimes(all);
  const commits = all
    .map((c, i) => ({ ...c, time: times[i]! }))
    .reverse()
    .slice(0, limit);
  return mapBounded(commits, async (c) => {
    const info =
      parseCommit(new TextDecoder().decode(await store.get(c.key))).find((a) => a.commitInfo)?.commitInfo ?? {};
    return {
      version: c.version,
      timestamp: Number(info.inCommitTimestamp ?? c.time),
      operation: info.operation,
      operationParameters: (info['operationParameters'] as Record<string, unknown> | undefined) ?? {},
      operationMetrics: (info['operationMetrics'] as Record<string, unknown> | undefined) ?? {},
      isBlindAppend: info['isBlindAppend'] as boolean | undefined,
      readVersion: info['readVersion'] as number | undefined,
    };
  });
}
