// VACUUM: deletes data files no snapshot within the retention window can reference — files not live in
// the latest snapshot and older than the retention (default 7 days, `delta.deletedFileRetentionDuration`).
// Hidden paths (`_`/`.` prefixed, e.g. `_delta_log`) are never touched.
import { InvalidInputError } from '../errors.js';
import { canonicalPath } from '../log/log-replay.js';
import { deletionVectorKey } from '../dv/deletion-vector.js';
import type { Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
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

/** Deletes (or with dryRun lists) unreferenced files older than the retention; returns their keys. */
export async function vacuum(store: ObjectStore, snapshot: Snapshot, options: VacuumOptions = {}): Promise<string[]> {
  const tableRetention = parseInterval(
    snapshot.metadata.configuration['delta.deletedFileRetentionDuration'] ?? 'interval 7 days',
  );
  const retention = options.retentionHours === undefined ? tableRetention : options.retentionHours * 3_600_000;
  if (retention < tableRetention && !options.force) {
    throw new InvalidInputError(
      `retention ${options.retentionHours}h is shorter than the table's ${tableRetention / 3_600_000}h; pass force to proceed`,
    );
  }
  const cutoff = (options.now ?? Date.now()) - retention;
  const live = new Set<string>();
  for (const f of snapshot.files) {
    live.add(canonicalPath(f.path));
    if (f.deletionVector?.storageType === 'u') live.add(deletionVectorKey(f.deletionVector));
  }
  const doomed: string[] = [];
  for (const meta of await store.list('')) {
    if (meta.key.split('/').some((seg) => seg.startsWith('_') || seg.startsWith('.'))) continue;
    if (live.has(meta.key) || meta.lastModified > cutoff) continue;
    doomed.push(meta.key);
  }
  if (!options.dryRun) for (const key of doomed) await store.delete(key);
  return doomed;
}
