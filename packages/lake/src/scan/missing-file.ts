// Finds a data file the log references but the store no longer has (deleted by VACUUM once past the retention,
// or outside Delta), so readers can name it instead of passing DuckDB's "No files found" on.
import { canonicalPath } from '../log/log-replay.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Files asked about at once (an object store answers each HEAD in a round trip). */
const HEAD_BATCH = 32;

/**
 * One of `files` (relative paths, under the table) the store no longer has, or undefined; absolute paths are not
 * checked.
 */
export async function firstMissingFile(
  store: ObjectStore,
  files: readonly { path: string }[],
): Promise<string | undefined> {
  const keys = files.map((f) => canonicalPath(f.path)).filter((key) => !/^[a-z][a-z0-9+.-]*:/i.test(key));
  for (let i = 0; i < keys.length; i += HEAD_BATCH) {
    const batch = keys.slice(i, i + HEAD_BATCH);
    const metas = await Promise.all(batch.map((key) => store.head(key)));
    const at = metas.indexOf(undefined);
    if (at !== -1) return batch[at];
  }
  return undefined;
}
