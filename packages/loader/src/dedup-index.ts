// The exact duplicate index: (source_id, message_id) → where it was first seen, in SQLite (WAL) so it is
// bounded by the window, survives restarts and is shared by every loader instance on this data directory.
import { mkdirSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { LogPosition } from './record-mapper.js';

/** `replay`: this very record was seen before (a batch redone after a crash) — load it, it is not a duplicate. */
export type DedupVerdict = 'new' | 'replay' | 'duplicate';

/** The duplicate index. Methods are synchronous (better-sqlite3): call `batch` around a read's worth of checks. */
export interface DedupIndex {
  /** Classifies a record and remembers first sightings. */
  check(sourceId: string, messageId: string, at: LogPosition, receivedMs: number): DedupVerdict;
  /** Runs `fn` inside the open write transaction (entries become durable at the next `sync()`). */
  batch<T>(fn: () => T): T;
  /** Commits the open transaction and makes it durable (fsync of the WAL); call before committing what relies on it. */
  sync(): Promise<void>;
  /** Deletes at most `limit` entries seen before `beforeMs`; returns how many. */
  expire(beforeMs: number, limit?: number): number;
  close(): void;
}

const shared = new Map<string, { index: DedupIndex; refs: number }>();

/**
 * Opens (creating) the index at `path`; `windowMs` is the duplicate window. Loaders in one process share one
 * connection per file: a second connection would wait synchronously for the first one's open transaction.
 */
export function openDedupIndex(path: string, windowMs: number): DedupIndex {
  const key = resolve(path);
  let entry = shared.get(key);
  if (entry === undefined) {
    entry = { index: openConnection(key, windowMs), refs: 0 };
    shared.set(key, entry);
  }
  entry.refs++;
  const { index } = entry;
  let closed = false;
  return {
    check: (...args) => index.check(...args),
    batch: (fn) => index.batch(fn),
    sync: () => index.sync(),
    expire: (beforeMs, limit) => index.expire(beforeMs, limit),
    close() {
      if (closed) return;
      closed = true;
      if (--entry.refs === 0) {
        shared.delete(key);
        index.close();
      }
    },
  };
}

function openConnection(path: string, windowMs: number): DedupIndex {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL: transactions are not fsynced one by one (they survive a process crash, not a power loss);
  // `sync()` makes them durable once per batch, before the Delta commit that relies on them.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  // Message ids are random, so inserts touch pages all over the key index: keep them cached (128 MiB at most).
  db.pragma('cache_size = -131072');
  db.pragma('wal_autocheckpoint = 20000');
  db.exec(`CREATE TABLE IF NOT EXISTS seen (
    source_id TEXT NOT NULL, message_id TEXT NOT NULL, first_partition INTEGER NOT NULL, first_offset INTEGER NOT NULL,
    seen_at INTEGER NOT NULL, PRIMARY KEY (source_id, message_id)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS seen_by_time ON seen (seen_at);`);
  const insert = db.prepare('INSERT INTO seen VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const get = db.prepare<[string, string], { first_partition: number; first_offset: number; seen_at: number }>(
    'SELECT first_partition, first_offset, seen_at FROM seen WHERE source_id = ? AND message_id = ?',
  );
  const replace = db.prepare(
    'UPDATE seen SET first_partition = ?, first_offset = ?, seen_at = ? WHERE source_id = ? AND message_id = ?',
  );
  const expire = db.prepare(
    'DELETE FROM seen WHERE (source_id, message_id) IN (SELECT source_id, message_id FROM seen WHERE seen_at < ? LIMIT ?)',
  );
  // Random message ids dirty pages all over the key index, so small transactions rewrite most of it each time
  // (1M inserts: 15 s in 10k-row transactions, 6 s in 50k-row ones). One transaction stays open across reads
  // and is committed by sync() before each Delta commit, or when it grows large or old (the write lock is
  // shared with other loader instances on this data directory).
  let open = false;
  let inserts = 0;
  let openedAt = 0;
  const begin = (): void => {
    if (open) return;
    db.exec('BEGIN IMMEDIATE');
    open = true;
    inserts = 0;
    openedAt = Date.now();
  };
  const commit = (): void => {
    if (!open) return;
    db.exec('COMMIT');
    open = false;
  };
  return {
    check(sourceId, messageId, at, receivedMs) {
      begin();
      if (++inserts >= 100_000 || Date.now() - openedAt > 1000) {
        commit();
        begin();
      }
      if (insert.run(sourceId, messageId, at.partition, at.offset, receivedMs).changes === 1) return 'new';
      const first = get.get(sourceId, messageId);
      if (first === undefined) return 'new'; // cannot happen inside one transaction
      if (first.first_partition === at.partition && first.first_offset === at.offset) return 'replay';
      // Times are the events' own receivedAt, so a replay days later reaches the same verdict.
      if (Math.abs(receivedMs - first.seen_at) <= windowMs) return 'duplicate';
      if (receivedMs > first.seen_at) replace.run(at.partition, at.offset, receivedMs, sourceId, messageId);
      return 'new';
    },
    batch: (fn) => {
      begin();
      return fn();
    },
    async sync() {
      commit();
      const wal = await openFile(`${path}-wal`, 'r').catch(() => undefined);
      if (wal === undefined) return; // no WAL yet (or checkpointed away): nothing pending
      try {
        await wal.datasync();
      } finally {
        await wal.close();
      }
    },
    expire: (beforeMs, limit = 10_000) => {
      commit();
      return expire.run(beforeMs, limit).changes;
    },
    close: () => {
      commit();
      db.close();
    },
  };
}
