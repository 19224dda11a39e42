// Metadata clean-up (PROTOCOL.md "Metadata Cleanup"): deletes commits and checkpoints older than
// `delta.logRetentionDuration` (30 days by default) that precede the newest checkpoint old enough to replace them.
import type { MetadataAction } from '../log/actions.js';
import { LOG_DIR, parseLogFile } from '../log/log-files.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseInterval } from './interval.js';

/** Default `delta.logRetentionDuration`. */
const DEFAULT_LOG_RETENTION = 'interval 30 days';

/** Removes expired log files; returns the keys deleted. Never touches anything at or after the boundary checkpoint. */
export async function cleanupExpiredLogs(
  store: ObjectStore,
  metadata: MetadataAction,
  now = Date.now(),
): Promise<string[]> {
  const retention = parseInterval(metadata.configuration['delta.logRetentionDuration'] ?? DEFAULT_LOG_RETENTION);
  const cutoff = now - retention;
  const metas = await store.list(`${LOG_DIR}/`);
  const files = metas.flatMap((m) => {
    const f = parseLogFile(m.key, m.lastModified);
    return f ? [{ ...f, lastModified: m.lastModified }] : [];
  });
  // The boundary is the newest checkpoint that is itself expired: everything before it is unreachable.
  const boundary = files
    .filter((f) => f.kind === 'checkpoint' && f.lastModified <= cutoff)
    .map((f) => f.version)
    .sort((a, b) => a - b)
    .at(-1);
  if (boundary === undefined) return [];
  const doomed = files.filter((f) => f.version < boundary && f.lastModified <= cutoff).map((f) => f.key);
  for (const key of doomed) await store.delete(key);
  return doomed;
}
