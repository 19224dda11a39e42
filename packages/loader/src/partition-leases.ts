// Partition leases shared through the data directory: `<dir>/p<N>.json` = {owner, pid, host, expiresAt}.
// Created exclusively (link of a complete temp file), renewed by rename, taken over when expired or when its
// process is gone. A lease only narrows races; the Delta txn marker is what makes a lost race harmless.
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The content of a lease (or membership) file. */
export interface LeaseFile {
  owner: string;
  pid: number;
  host: string;
  expiresAt: number;
}

/** True when the lease can be taken: expired, or held by a dead process on this host. */
export function isStale(lease: LeaseFile, now: number): boolean {
  if (lease.expiresAt < now) return true;
  if (lease.host !== hostname() || lease.pid === process.pid) return false;
  try {
    process.kill(lease.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function readLease(path: string): Promise<LeaseFile | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LeaseFile;
  } catch {
    return undefined; // absent (or a torn file from a crash: treated as absent after the takeover rename)
  }
}

/** Leases of one loader instance. */
export class PartitionLeases {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #dir: string;
  readonly #ttlMs: number;
  /** Expiry we wrote, per held partition. */
  readonly #held = new Map<number, number>();

  constructor(dir: string, ttlMs: number) {
    this.#dir = dir;
    this.#ttlMs = ttlMs;
  }

  #path(partition: number): string {
    return join(this.#dir, `p${partition}.json`);
  }

  async #write(target: string, exclusive: boolean): Promise<number> {
    await mkdir(this.#dir, { recursive: true });
    const expiresAt = Date.now() + this.#ttlMs;
    const tmp = `${target}.${this.owner.replace(/:/g, '_')}.tmp`;
    await writeFile(
      tmp,
      JSON.stringify({ owner: this.owner, pid: process.pid, host: hostname(), expiresAt } satisfies LeaseFile),
    );
    try {
      if (exclusive)
        await link(tmp, target); // fails with EEXIST when someone holds it
      else await rename(tmp, target);
    } finally {
      if (exclusive) await unlink(tmp).catch(() => undefined);
    }
    return expiresAt;
  }

  /** Takes the partition if free or stale; true if this instance now holds it. */
  async acquire(partition: number): Promise<boolean> {
    if (this.#held.has(partition)) return this.renew(partition);
    const path = this.#path(partition);
    const current = await readLease(path);
    if (current !== undefined) {
      if (current.owner === this.owner) return this.renew(partition);
      if (!isStale(current, Date.now())) return false;
      // Compare-and-rename: only one taker moves the stale file away; re-read it to be sure it was the stale one.
      const aside = `${path}.${this.owner.replace(/:/g, '_')}.stale`;
      try {
        await rename(path, aside);
      } catch {
        return false;
      }
      const moved = await readLease(aside);
      if (moved !== undefined && moved.owner !== current.owner && !isStale(moved, Date.now())) {
        await link(aside, path).catch(() => undefined); // a fresh lease got caught: put it back
        await unlink(aside).catch(() => undefined);
        return false;
      }
      await unlink(aside).catch(() => undefined);
    }
    try {
      this.#held.set(partition, await this.#write(path, true));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  /** Extends a held lease; false (and forgotten) when it expired or another owner took it. */
  async renew(partition: number): Promise<boolean> {
    const path = this.#path(partition);
    const mine = this.#held.get(partition);
    const current = await readLease(path);
    // Never resurrect an expired lease: another instance may already be loading the partition.
    if (mine === undefined || mine <= Date.now() || current?.owner !== this.owner) {
      this.#held.delete(partition);
      return false;
    }
    this.#held.set(partition, await this.#write(path, false));
    return true;
  }

  /** True while the lease is held with at least a third of its time left (checked before each commit). */
  holds(partition: number): boolean {
    const expiresAt = this.#held.get(partition);
    return expiresAt !== undefined && expiresAt - Date.now() > this.#ttlMs / 3;
  }

  /** Gives a partition up (only if still ours). */
  async release(partition: number): Promise<void> {
    this.#held.delete(partition);
    const path = this.#path(partition);
    if ((await readLease(path))?.owner === this.owner) await unlink(path).catch(() => undefined);
  }

  /** Partitions held now. */
  held(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }
}
