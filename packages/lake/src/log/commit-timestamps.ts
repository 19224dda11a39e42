// Time travel by timestamp (PROTOCOL.md "In-Commit Timestamps" / file modification times): a commit's time is
// its commitInfo.inCommitTimestamp when the table enables it, else the commit file's modification time. History
// reports the same times, so a time read off `history()` selects that very version.
import { mapBounded } from '../storage/map-bounded.js';
import { VersionNotFoundError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseCommit } from './actions.js';
import { listCommits } from './log-segment.js';

/**
 * The time travel time of each commit (ascending versions) from its file's modification time: whole
 * milliseconds (a time written down has no finer part; a file system's has) made strictly increasing along the
 * log, as Spark's history does, so every version has a time of its own even when clocks step back or two
 * commits land in the same millisecond.
 */
export function monotonicCommitTimes(commits: readonly { lastModified: number }[]): number[] {
  let previous = -Infinity;
  return commits.map((c) => (previous = Math.max(Math.floor(c.lastModified), previous + 1)));
}

/** Version and commit time of every commit still in the log, ascending. */
export async function commitTimestamps(
  store: ObjectStore,
  inCommit: boolean,
): Promise<{ version: number; timestamp: number }[]> {
  const commits = await listCommits(store);
  const times = monotonicCommitTimes(commits);
  return mapBounded(commits, async (c, i) => {
    const fileTime = times[i]!;
    if (!inCommit) return { version: c.version, timestamp: fileTime };
    const info = parseCommit(new TextDecoder().decode(await store.get(c.key))).find((a) => a.commitInfo)?.commitInfo;
    return { version: c.version, timestamp: Number(info?.inCommitTimestamp ?? fileTime) };
  });
}

/** The latest version committed at or before `at`; errors when `at` precedes the oldest commit. */
export async function versionAtTimestamp(store: ObjectStore, at: Date, inCommit: boolean): Promise<number> {
  const times = await commitTimestamps(store, inCommit);
  const target = at.getTime();
  let found: number | undefined;
  // In-commit timestamps are increasing by the spec; the running maximum guards a log that breaks it.
  let running = -Infinity;
  for (const t of times) {
    running = Math.max(running, t.timestamp);
    if (running <= target) found = t.version;
  }
  if (found === undefined) {
    const first = times[0];
    const earliest = first ? new Date(first.timestamp).toISOString() : null;
    throw new VersionNotFoundError(
      `timestamp ${at.toISOString()} is before the earliest commit` +
        (first ? ` still in the log (version ${first.version} at ${earliest})` : ''),
      { timestamp: at.toISOString(), earliest },
    );
  }
  return found;
}
