// The latest version of a Delta table, cheap enough to check on every request (the cache key of a result
// includes the versions it read). The first call lists _delta_log; later calls probe for the next commit
// files from the version last seen — Delta versions are contiguous, so a missing `v+1.json` means v is still
// the latest — which costs a stat or two instead of a listing of hundreds of files. Also when a version was
// committed (how far behind the lake a warm copy is: warm-events.ts).
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const lastSeen = new Map<string, number>();

const commitFile = (log: string, v: number): string => join(log, `${String(v).padStart(20, '0')}.json`);

/** Highest committed version, or -1 when the table does not exist. */
export async function latestVersion(tableDir: string): Promise<number> {
  const log = join(tableDir, '_delta_log');
  let v = lastSeen.get(log);
  // The version last seen must still be there (a table dropped and rebuilt starts over with a listing).
  if (v === undefined || !existsSync(commitFile(log, v))) v = await listLatest(log);
  if (v < 0) {
    lastSeen.delete(log);
    return -1;
  }
  while (existsSync(commitFile(log, v + 1))) v++;
  lastSeen.set(log, v);
  return v;
}

async function listLatest(log: string): Promise<number> {
  const names = await readdir(log).catch(() => [] as string[]);
  let max = -1;
  for (const name of names) {
    const m = /^(\d{20})\.(json|checkpoint\.parquet)$/.exec(name) ?? /^(\d{20})\.checkpoint\./.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/**
 * When `version` was committed (ms since the epoch): its commit file's modification time, the Delta commit time of a
 * table without in-commit timestamps (Lens's writers do not enable them). Undefined when the file is gone.
 */
export async function commitTime(tableDir: string, version: number): Promise<number | undefined> {
  const info = await stat(commitFile(join(tableDir, '_delta_log'), version)).catch(() => undefined);
  return info?.mtimeMs;
}
