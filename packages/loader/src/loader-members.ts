// Membership heartbeats (`<dir>/<owner>.json`), so instances can split partitions fairly: each takes at most
// ceil(partitions / live members). Same file form and staleness rule as the partition leases.
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isStale, type LeaseFile } from './partition-leases.js';

/** Writes this instance's heartbeat and counts live members (itself included). */
export async function heartbeat(dir: string, owner: string, ttlMs: number): Promise<number> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${owner.replace(/:/g, '_')}.json`);
  const lease: LeaseFile = { owner, pid: process.pid, host: hostname(), expiresAt: Date.now() + ttlMs };
  await writeFile(`${file}.tmp`, JSON.stringify(lease));
  await rename(`${file}.tmp`, file);
  let live = 0;
  const now = Date.now();
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const other = JSON.parse(await readFile(join(dir, name), 'utf8')) as LeaseFile;
      if (!isStale(other, now)) live++;
      else if (other.expiresAt < now - 10 * ttlMs) await unlink(join(dir, name)).catch(() => undefined);
    } catch {
      // removed or being replaced right now
    }
  }
  return Math.max(live, 1);
}

/** Removes this instance's heartbeat on a clean stop. */
export async function leave(dir: string, owner: string): Promise<void> {
  await unlink(join(dir, `${owner.replace(/:/g, '_')}.json`)).catch(() => undefined);
}
