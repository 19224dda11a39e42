// The exact duplicate index: (source_id, message_id) → where it was first seen. Durable in SQLite (WAL) so it
// survives restarts and is shared by every loader instance on this data directory; looked up in memory.
//
// Rows are appended in id order (`sightings`, INTEGER PRIMARY KEY, no secondary index), so an insert only
// touches the B-tree's last page — random TEXT keys dirtied pages all over a key index (~7-10 µs per insert plus
// commits rewriting most of the index). The lookup is an in-memory open-addressing table of a 53-bit hash of the
// key → row id, filled from the table at open and from other instances' rows whenever this one takes the write
// lock. A hash match is only a candidate: the row is read and its source and message ids compared exactly, so
// a hash collision can never drop a distinct event. Expiry deletes from the oldest id on.
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
  /**
   * Deletes at most `limit` of the oldest entries (by insertion) seen before `beforeMs`, stopping at the first
   * one that is not; returns how many.
   */
  expire(beforeMs: number, limit?: number): number;
  close(): void;
}

/** A 53-bit hash of (source id, message id): 21 high bits from one 32-bit lane, the 32 low bits from another. */
export function keyHash(sourceId: string, messageId: string): number {
  let a = 0x811c9dc5 | 0;
  let b = 0x9e3779b9 | 0;
  for (let i = 0; i < sourceId.length; i++) {
    const c = sourceId.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // The separator keeps ('ab', 'c') and ('a', 'bc') apart (ids are strings of UTF-16 units; 0x10000 is none).
  a = Math.imul(a ^ 0x10000, 0x01000193);
  b = Math.imul(b ^ 0x10000, 0x5bd1e995);
  for (let i = 0; i < messageId.length; i++) {
    const c = messageId.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (fmix32(a) >>> 11) * 0x1_0000_0000 + (fmix32(b ^ messageId.length) >>> 0);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Key hash → row id, linear probing. A slot whose id is below `minLive` points at a deleted row: skipped by
 * lookups (which still probe past it) and reused by inserts. 16 bytes a slot, at most half full.
 */
class KeyTable {
  hashes: Float64Array;
  ids: Float64Array;
  /** Occupied slots, dead ones included. */
  used = 0;
  minLive = 0;

  constructor(capacity = 1 << 16) {
    this.hashes = new Float64Array(capacity);
    this.ids = new Float64Array(capacity);
  }

  /** Calls `visit(slot, id)` for every live slot holding `hash`, until it returns true. */
  probe(hash: number, visit: (slot: number, id: number) => boolean): void {
    const mask = this.ids.length - 1;
    for (let i = hash & mask; this.ids[i] !== 0; i = (i + 1) & mask) {
      if (this.hashes[i] === hash && this.ids[i]! >= this.minLive && visit(i, this.ids[i]!)) return;
    }
  }

  add(hash: number, id: number): void {
    if ((this.used + 1) * 2 > this.ids.length) this.rebuild(this.ids.length * 2);
    const mask = this.ids.length - 1;
    let i = hash & mask;
    while (this.ids[i] !== 0 && this.ids[i]! >= this.minLive) i = (i + 1) & mask;
    if (this.ids[i] === 0) this.used++;
    this.hashes[i] = hash;
    this.ids[i] = id;
  }

  /** Rehashes the live slots into a table of `capacity` slots (a power of two). */
  rebuild(capacity: number): void {
    const { hashes, ids, minLive } = this;
    let live = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0 && ids[i]! >= minLive) live++;
    while (live * 4 > capacity) capacity *= 2;
    this.hashes = new Float64Array(capacity);
    this.ids = new Float64Array(capacity);
    this.used = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0 && ids[i]! >= minLive) this.add(hashes[i]!, ids[i]!);
  }
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
    entry = { index: openDedupConnection(key, windowMs), refs: 0 };
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

interface Sighting {
  source_id: string;
  message_id: string;
  first_partition: number;
  first_offset: number;
  seen_at: number;
}

/** Rows per multi-row INSERT. */
const INSERT_ROWS = 64;
const COLUMNS = '(id, key_hash, source_id, message_id, first_partition, first_offset, seen_at)';

/** Entries kept in memory (a table of at most 8M slots, 128 MiB); past that the oldest are looked up on disk. */
const MEMORY_ENTRIES = 4_000_000;

/** Test seams. */
export interface DedupConnectionOptions {
  /** Replaces the key hash (tests force collisions). */
  hash?: typeof keyHash;
  /** Entries kept in memory (default 4M). */
  memoryEntries?: number;
}

/** A connection of its own (what another process gets): `openDedupIndex` shares one per file instead. */
export function openDedupConnection(path: string, windowMs: number, options: DedupConnectionOptions = {}): DedupIndex {
  const keyHashOf = options.hash ?? keyHash;
  const cap = options.memoryEntries ?? MEMORY_ENTRIES;
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL: transactions are not fsynced one by one (they survive a process crash, not a power loss);
  // `sync()` makes them durable once per batch, before the Delta commit that relies on them.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('wal_autocheckpoint = 20000');
  // AUTOINCREMENT: ids are never reused, so "rows past the last id I know" is how other instances' rows are found.
  db.exec(`CREATE TABLE IF NOT EXISTS sightings (id INTEGER PRIMARY KEY AUTOINCREMENT, key_hash INTEGER NOT NULL,
    source_id TEXT NOT NULL, message_id TEXT NOT NULL, first_partition INTEGER NOT NULL, first_offset INTEGER NOT NULL,
    seen_at INTEGER NOT NULL)`);
  migrateTextKeyedTable(db, keyHashOf);
  const insertOne = db.prepare(`INSERT INTO sightings ${COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const insertMany = db.prepare(
    `INSERT INTO sightings ${COLUMNS} VALUES ${Array(INSERT_ROWS).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
  );
  const byId = db.prepare<[number], Sighting>(
    'SELECT source_id, message_id, first_partition, first_offset, seen_at FROM sightings WHERE id = ?',
  );
  const since = db
    .prepare<[number], [number, number]>('SELECT id, key_hash FROM sightings WHERE id > ? ORDER BY id')
    .raw();
  const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'sightings'");
  const oldest = db.prepare<[number], [number, number]>('SELECT id, seen_at FROM sightings ORDER BY id LIMIT ?').raw();
  const deleteBelow = db.prepare('DELETE FROM sightings WHERE id < ?');
  const deleteId = db.prepare('DELETE FROM sightings WHERE id = ?');
  const firstId = db.prepare<[], { id: number | null }>('SELECT min(id) AS id FROM sightings');
  const maxId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM sightings');
  const onDisk = db.prepare<[number, number], Sighting & { id: number }>(
    'SELECT id, source_id, message_id, first_partition, first_offset, seen_at FROM sightings WHERE key_hash = ? AND id < ? ORDER BY id DESC',
  );

  const table = new KeyTable();
  /** Rows below `firstLive` are deleted (expired); rows below `memMin` are not in `table` but on disk (by hash). */
  let firstLive = firstId.get()?.id ?? 0;
  let memMin = 0;
  /** Highest row id in `table`; ids above it are other instances' rows not seen yet. */
  let lastId = 0;
  const floor = (): void => {
    table.minLive = Math.max(firstLive, memMin);
  };
  /**
   * Bounded memory: past `cap` entries the oldest half leaves the table and is found through an index on the
   * hash (created the first time; inserts then cost more, as with any random-key index).
   */
  const evictBelow = (id: number): void => {
    db.exec('CREATE INDEX IF NOT EXISTS sightings_by_hash ON sightings (key_hash)');
    memMin = id;
    floor();
  };
  const evict = (): void => {
    if (lastId - Math.max(firstLive, memMin) <= cap) return;
    evictBelow(lastId - Math.floor(cap / 2));
    table.rebuild(1 << 16);
  };
  {
    // At open, only the newest entries are read into memory (the first check reads them).
    const newest = maxId.get()?.id ?? 0;
    if (newest - firstLive > cap) {
      evictBelow(newest - Math.floor(cap / 2));
      lastId = memMin - 1;
    }
  }
  let nextId = 1;
  /** Rows inserted in `table` but not yet in SQLite (flushed INSERT_ROWS at a time). */
  const pending: (string | number)[] = [];
  /** Rows deleted since the table was last rebuilt (their slots are dead). */
  let dead = 0;

  const flush = (): void => {
    const cols = 7;
    let at = 0;
    for (; pending.length - at >= INSERT_ROWS * cols; at += INSERT_ROWS * cols)
      insertMany.run(pending.slice(at, at + INSERT_ROWS * cols));
    for (; at < pending.length; at += cols) insertOne.run(pending.slice(at, at + cols));
    pending.length = 0;
  };
  const append = (hash: number, sourceId: string, messageId: string, at: LogPosition, seenAt: number): number => {
    const id = nextId++;
    lastId = id;
    pending.push(id, hash, sourceId, messageId, at.partition, at.offset, seenAt);
    if (pending.length === INSERT_ROWS * 7) {
      insertMany.run(pending);
      pending.length = 0;
    }
    return id;
  };

  // Random message ids used to dirty pages all over a key index, which made one long transaction pay off; rows
  // now append, but the transaction still stays open across reads (no per-read commit) and is committed by
  // sync() before each Delta commit, or when it grows large or old (the write lock is shared with other loader
  // instances on this data directory).
  let open = false;
  let inserts = 0;
  let openedAt = 0;
  const begin = (): void => {
    if (open) return;
    db.exec('BEGIN IMMEDIATE');
    open = true;
    inserts = 0;
    openedAt = Date.now();
    // Holding the write lock: take in what other instances (or an earlier run) appended since.
    for (const [id, hash] of since.iterate(lastId)) {
      lastId = id;
      evict();
      table.add(hash, id);
    }
    nextId = Math.max(sequence.get()?.seq ?? 0, lastId) + 1;
  };
  const commit = (): void => {
    if (!open) return;
    try {
      flush();
      db.exec('COMMIT');
    } finally {
      pending.length = 0;
      if (db.inTransaction) db.exec('ROLLBACK');
      open = false;
    }
  };
  /** The exact entry for the key (the newest when a key was sighted again): its row, id and slot (-1: on disk only). */
  const find = (
    hash: number,
    sourceId: string,
    messageId: string,
  ): { slot: number; id: number; row: Sighting } | undefined => {
    let found: { slot: number; id: number; row: Sighting } | undefined;
    table.probe(hash, (slot, id) => {
      if (found !== undefined && id < found.id) return false;
      if (pending.length > 0) flush();
      const row = byId.get(id);
      if (row !== undefined && row.source_id === sourceId && row.message_id === messageId) found = { slot, id, row };
      return false;
    });
    if (found !== undefined || memMin <= firstLive) return found;
    for (const row of onDisk.iterate(hash, memMin)) {
      if (row.source_id === sourceId && row.message_id === messageId) return { slot: -1, id: row.id, row };
    }
    return undefined;
  };

  return {
    check(sourceId, messageId, at, receivedMs) {
      begin();
      if (++inserts >= 100_000 || Date.now() - openedAt > 1000) {
        commit();
        begin();
      }
      const hash = keyHashOf(sourceId, messageId);
      const hit = find(hash, sourceId, messageId);
      if (hit === undefined) {
        const id = append(hash, sourceId, messageId, at, receivedMs);
        evict(); // before adding: the table never grows past twice its bound
        table.add(hash, id);
        return 'new';
      }
      const first = hit.row;
      if (first.first_partition === at.partition && first.first_offset === at.offset) return 'replay';
      // Times are the events' own receivedAt, so a replay days later reaches the same verdict.
      if (Math.abs(receivedMs - first.seen_at) <= windowMs) return 'duplicate';
      if (receivedMs > first.seen_at) {
        // The newer sighting replaces the old one: a new row (ids stay in insertion order), the old one deleted.
        deleteId.run(hit.id);
        const id = append(hash, sourceId, messageId, at, receivedMs);
        if (hit.slot >= 0) {
          table.ids[hit.slot] = id;
          dead++;
        } else {
          evict();
          table.add(hash, id);
        }
      }
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
      const rows = oldest.all(limit);
      let cut = rows.length === 0 ? 0 : rows[rows.length - 1]![0] + 1;
      for (const [id, seenAt] of rows) {
        if (seenAt >= beforeMs) {
          cut = id;
          break;
        }
      }
      const n = cut === 0 ? 0 : deleteBelow.run(cut).changes;
      // Other instances expire too: whatever is below the oldest row left is gone.
      firstLive = Math.max(firstLive, firstId.get()?.id ?? nextId);
      floor();
      dead += n;
      if (dead * 4 > table.used) {
        table.rebuild(1 << 16);
        dead = 0;
      }
      return n;
    },
    close: () => {
      commit();
      db.close();
    },
  };
}

/** Moves entries of the index's earlier layout (`seen`, keyed by TEXT) into `sightings`, oldest first. */
function migrateTextKeyedTable(db: Database.Database, hash: typeof keyHash): void {
  const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seen'").get();
  if (old === undefined) return;
  db.function('lens_key_hash', { deterministic: true }, (s, m) => hash(String(s), String(m)));
  db.transaction(() => {
    db.exec(`INSERT INTO sightings (key_hash, source_id, message_id, first_partition, first_offset, seen_at)
      SELECT lens_key_hash(source_id, message_id), source_id, message_id, first_partition, first_offset, seen_at
      FROM seen ORDER BY seen_at; DROP TABLE seen`);
  })();
}
