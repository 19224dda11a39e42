// Exclusive ownership of a partition across processes: a lock file created with O_EXCL holding the owner's
// pid. A lock whose pid is dead (or is our own pid but not held by us: a restarted container's pid 1) is stale.
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { PartitionLockedError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/** Lock paths this process holds, shared by every EventLog instance in it. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // callers check heldHere first; our pid not held here is a past life
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the live process `pid` can be the one that wrote the lock at `path`. Where /proc tells (Linux), a
 * zombie cannot, nor can a process started after the lock was written: the pid was reused (a reboot or a new
 * container with the data directory kept), and that unrelated process must not hold the partition forever.
 */
async function canHoldLock(pid: number, path: string): Promise<boolean> {
  try {
    const [statLine, procStat, lock] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile('/proc/stat', 'utf8'),
      stat(path),
    ]);
    const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    if (fields[0] === 'Z') return false;
    const bootSeconds = Number(/^btime (\d+)$/m.exec(procStat)?.[1]);
    const startTicks = Number(fields[19]); // field 22 of the whole line: start time in clock ticks after boot
    if (!Number.isFinite(bootSeconds) || !Number.isFinite(startTicks)) return true;
    const startedMs = (bootSeconds + startTicks / CLOCK_TICKS_PER_SECOND) * 1000;
    return startedMs <= lock.mtimeMs + PROCESS_START_SLACK_MS;
  } catch {
    return true; // no /proc (not Linux) or the process just ended: trust kill(pid, 0)
  }
}

/** USER_HZ, 100 on every Linux that Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
/**
 * How much later than the lock's time a process may have started and still count as its writer. Generous on
 * purpose: /proc/stat's boot time is derived from the wall clock as it is now, so a clock stepped forward since the
 * lock was written (NTP, a resumed VM) makes a live writer look started after its own lock — and taking a live
 * writer's partition would let two processes append to it. A reused pid is a process started long after (a reboot,
 * a new container); a writer that died moments ago and whose pid is still a zombie is caught by the zombie check.
 */
const PROCESS_START_SLACK_MS = 10 * 60_000;

async function readPid(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A held partition lock; `release` deletes the file. */
export interface PartitionLock {
  release(): Promise<void>;
}

/** Takes the lock at `path` for `partition` or throws PartitionLockedError when a live writer holds it. */
export async function acquirePartitionLock(path: string, partition: number, logger: Logger): Promise<PartitionLock> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (heldHere.has(path)) throw new PartitionLockedError(partition, { holderPid: process.pid, path });
    try {
      const fh = await open(path, 'wx');
      heldHere.add(path);
      try {
        await fh.writeFile(String(process.pid));
        await fh.sync();
      } finally {
        await fh.close();
      }
      return {
        release: async () => {
          heldHere.delete(path);
          await unlink(path).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (heldHere.has(path)) throw new PartitionLockedError(partition, { holderPid: process.pid, path });
    const pid = await readPid(path);
    if (pid !== undefined && isAlive(pid) && (await canHoldLock(pid, path))) {
      throw new PartitionLockedError(partition, { holderPid: pid, path });
    }
    if (pid === undefined && attempt === 0) {
      // Just created by a peer that has not written its pid yet; give it a moment before calling it stale.
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    await takeOverStale(path, pid, logger, partition);
  }
  throw new PartitionLockedError(partition, { path, reason: 'lock kept changing hands' });
}

/** Moves a stale lock aside; if a peer replaced it meanwhile (its pid differs), puts the peer's lock back. */
async function takeOverStale(path: string, stalePid: number | undefined, logger: Logger, partition: number) {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readPid(aside);
  if (moved !== stalePid) await link(aside, path).catch(() => {});
  else logger.warn({ partition, stalePid, path }, 'log_stale_writer_lock_taken_over');
  await unlink(aside).catch(() => {});
}
