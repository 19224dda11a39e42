// Metadata clean-up (PROTOCOL.md "Metadata Cleanup"): deletes commits and checkpoints older than
// `delta.logRetentionDuration` (30 days by default) that precede the newest checkpoint old enough to replace them,
// and thins the checkpoints kept within it.
import type { MetadataAction } from '../log/actions.js';
import { LOG_DIR, parseLogFile, type LogFile } from '../log/log-files.js';
import { mapBounded } from '../storage/map-bounded.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseInterval } from './interval.js';

/** Default `delta.logRetentionDuration`. */
const DEFAULT_LOG_RETENTION = 'interval 30 days';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The newest checkpoints, always kept whatever their age: a reader that has just read `_last_checkpoint` finds it. */
const RECENT_CHECKPOINTS_KEPT = 3;

/**
 * Removes expired log files and thins the checkpoints; returns the keys deleted. Never touches anything at or
 * after the boundary checkpoint, never a commit within the retention, never the newest checkpoints.
 */
export async function cleanupExpiredLogs(
  store: ObjectStore,
  metadata: MetadataAction,
  now = Date.now(),
): Promise<string[]> {
  const retention = parseInterval(metadata.configuration['delta.logRetentionDuration'] ?? DEFAULT_LOG_RETENTION);
  const cutoff = now - retention;
  // Names only: the log holds a file per commit. Only checkpoints are asked for their times; a commit before a
  // checkpoint was written before it, so one before an expired checkpoint is expired too.
  const named = (await store.listKeys(`${LOG_DIR}/`)).flatMap((key) => parseLogFile(key, NaN) ?? []);
  const checkpoints = (
    await mapBounded(
      named.filter((f) => f.kind === 'checkpoint'),
      async (f) => {
        const meta = await store.head(f.key);
        return meta ? [{ ...f, lastModified: meta.lastModified }] : [];
      },
    )
  ).flat();
  // The boundary is the newest checkpoint that is itself expired: everything before it is unreachable.
  const boundary = checkpoints
    .filter((f) => f.lastModified <= cutoff)
    .map((f) => f.version)
    .sort((a, b) => a - b)
    .at(-1);
  const doomed = boundary === undefined ? [] : named.filter((f) => f.version < boundary).map((f) => f.key);
  const gone = new Set(doomed);
  const thinned = surplusCheckpoints(
    checkpoints.filter((f) => !gone.has(f.key)),
    now,
  );
  for (const key of [...doomed, ...thinned]) await store.delete(key);
  return [...doomed, ...thinned];
}

/**
 * Classic checkpoints no reader needs: a table committed every second writes one every `delta.checkpointInterval`
 * commits, each as large as the table's state (a week of tombstones: ~25 MB), and the log keeps them 30 days —
 * terabytes for one table. Checkpoints are optional (a reader takes the newest one at or below its version and
 * replays the commits after it), so besides the newest few only the first of each hour of the last day and the
 * first of each day before are kept: time travel to any version still works, replaying at most a day of commits.
 */
export function surplusCheckpoints(files: readonly LogFile[], now: number): string[] {
  const classic = files
    .filter((f) => f.kind === 'checkpoint' && f.parts === 1 && f.uuid === undefined)
    .sort((a, b) => a.version - b.version);
  const recent = new Set(classic.slice(-RECENT_CHECKPOINTS_KEPT).map((f) => f.key));
  const periods = new Set<string>();
  const surplus: string[] = [];
  for (const f of classic) {
    const period =
      now - f.lastModified < DAY_MS
        ? `h${Math.floor(f.lastModified / HOUR_MS)}`
        : `d${Math.floor(f.lastModified / DAY_MS)}`;
    const first = !periods.has(period);
    periods.add(period);
    if (!first && !recent.has(f.key)) surplus.push(f.key);
  }
  return surplus;
}
