// The latest version of a Delta table from a directory listing of its _delta_log (no snapshot load), cheap
// enough to check on every request: the cache key of a result includes the versions it read.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Highest committed version, or -1 when the table does not exist. */
export async function latestVersion(tableDir: string): Promise<number> {
  const names = await readdir(join(tableDir, '_delta_log')).catch(() => [] as string[]);
  let max = -1;
  for (const name of names) {
    const m = /^(\d{20})\.(json|checkpoint\.parquet)$/.exec(name) ?? /^(\d{20})\.checkpoint\./.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}
