// A per-partition commit lock (`<dir>/p<N>.commit.lock`, created O_EXCL, holding pid/host/time) around the
// fence check and the Delta commit, so "marker still at my start offset" and "commit" are one step for every
// loader on this host. The lake's txn check alone compares versions only, not the start of a batch.
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** A lock older than this is taken to be abandoned (a commit never takes this long; a host may be gone). */
const ABANDONED_MS = 120_000;

interface Holder {
  pid: number;
  host: string;
  at: number;
}

/**
 * An unreadable lock younger than this is a holder between its exclusive create and its write, not a crash: a
 * live holder writes within milliseconds, but on a loaded machine a waiter can read the empty file in between.
 */
const TORN_AFTER_MS = 10_000;

function abandoned(holder: Holder | undefined, now: number, lockTime: number): boolean {
  if (holder === undefined) return now - lockTime > TORN_AFTER_MS; // torn by a crash between create and write
  if (now - holder.at > ABANDONED_MS) return true;
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Runs `fn` holding the partition's commit lock; waits while a live process holds it. */
export async function withCommitLock<T>(dir: string, partition: number, fn: () => Promise<T>): Promise<T> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `p${partition}.commit.lock`);
  const me: Holder = { pid: process.pid, host: hostname(), at: Date.now() };
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    try {
      const file = await open(path, 'wx');
      try {
        await file.writeFile(JSON.stringify({ ...me, at: Date.now() }));
      } finally {
        await file.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: Holder | undefined;
    let lockTime = Date.now();
    try {
      lockTime = (await stat(path)).mtimeMs;
      holder = JSON.parse(await readFile(path, 'utf8')) as Holder;
    } catch {
      holder = undefined;
    }
    if (abandoned(holder, Date.now(), lockTime)) {
      // Rename first: of several breakers only one moves the file; the others retry the exclusive create.
      const aside = `${path}.${process.pid}.broken`;
      if (
        await rename(path, aside).then(
          () => true,
          () => false,
        )
      )
        await unlink(aside).catch(() => undefined);
      continue;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
