// Time travel by timestamp (PROTOCOL.md "In-Commit Timestamps" / file modification times): a commit's time is
// its commitInfo.inCommitTimestamp when the table enables it, else the commit file's modification time.
import { VersionNotFoundError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseCommit } from './actions.js';
import { listCommits } from './log-segment.js';

/** Version and commit time of every commit still in the log, ascending. */
export async function commitTimestamps(
  store: ObjectStore,
  inCommit: boolean,
): Promise<{ version: number; timestamp: number }[]> {
  const commits = await listCommits(store);
  return Promise.all(
    commits.map(async (c) => {
      if (!inCommit) return { version: c.version, timestamp: c.lastModified };
      const info = parseCommit(new TextDecoder().decode(await store.get(c.key))).find((a) => a.commitInfo)?.commitInfo;
      return { version: c.version, timestamp: Number(info?.inCommitTimestamp ?? c.lastModified) };
    }),
  );
}

/** The latest version committed at or before `at`; errors when `at` precedes the oldest commit. */
export async function versionAtTimestamp(store: ObjectStore, at: Date, inCommit: boolean): Promise<number> {
  const times = await commitTimestamps(store, inCommit);
  const target = at.getTime();
  let found: number | undefined;
  // Timestamps can go backwards with file mtimes; the spec makes a version's time the max so far.
  let running = -Infinity;
  for (const t of times) {
    running = Math.max(running, t.timestamp);
    if (running <= target) found = t.version;
  }
  if (found === undefined) {
    throw new VersionNotFoundError(`timestamp ${at.toISOString()} is before the earliest commit`, {
      timestamp: at.toISOString(),
      earliest: times[0] ? new Date(times[0].timestamp).toISOString() : null,
    });
  }
  return found;
}
