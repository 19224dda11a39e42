// The embedded KeyValueStore: one SQLite table (better-sqlite3, WAL) keyed by the key, so readers in other
// processes see a writer's committed batch whole, and a crash loses at most the batch in flight.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KeyValueStoreError } from '../../../errors.js';
import { checkEntry, checkKey, type KeyValueStore } from '../../key-value-store.js';
import { SqliteKvOptions } from './sqlite-options.js';

/** The first string after every string that starts with `prefix` (SQLite compares TEXT bytewise). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1);
}

/**
 * A KeyValueStore in a SQLite file. Each `putMany` / `deleteMany` is one transaction.
 * @example const store = createSqliteKeyValueStore({ backend: 'sqlite', path: './lens-data/recs/kv.sqlite' });
 */
export function createSqliteKeyValueStore(options: SqliteKvOptions): KeyValueStore {
  const o = SqliteKvOptions.parse(options);
  let db: Database.Database;
  try {
    if (o.path !== ':memory:') mkdirSync(dirname(o.path), { recursive: true });
    db = new Database(o.path, { timeout: o.busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    if (o.path !== ':memory:') db.pragma(`mmap_size = ${o.mmapBytes}`);
    db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  } catch (cause) {
    throw new KeyValueStoreError(`cannot open the SQLite store ${o.path}`, { cause, context: { path: o.path } });
  }
  const getStmt = db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?');
  const putStmt = db.prepare<[string, string]>(
    'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const delStmt = db.prepare<[string]>('DELETE FROM kv WHERE key = ?');
  const allKeys = db.prepare<[], { key: string }>('SELECT key FROM kv ORDER BY key');
  const rangeKeys = db.prepare<[string, string], { key: string }>(
    'SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key',
  );
  const putAll = db.transaction((entries: readonly { key: string; value: string }[]) => {
    for (const e of entries) putStmt.run(e.key, e.value);
  });
  const deleteAll = db.transaction((keys: readonly string[]) => {
    for (const k of keys) delStmt.run(k);
  });
  // better-sqlite3 is synchronous; wrapping keeps the port async like the networked adapters.
  const guard = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (cause) {
      if (cause instanceof Error && cause.name === 'InvalidKeyValueError') throw cause;
      const busy = (cause as { code?: string }).code === 'SQLITE_BUSY';
      throw new KeyValueStoreError(`SQLite ${what} failed`, { cause, retriable: busy, context: { path: o.path } });
    }
  };
  return {
    async get(key) {
      checkKey(key);
      return guard('get', () => getStmt.get(key)?.value);
    },
    async getMany(keys) {
      keys.forEach(checkKey);
      return guard('getMany', () => keys.map((k) => getStmt.get(k)?.value));
    },
    async putMany(entries) {
      entries.forEach(checkEntry);
      guard('putMany', () => putAll(entries));
    },
    async deleteMany(keys) {
      keys.forEach(checkKey);
      guard('deleteMany', () => deleteAll(keys));
    },
    async keys(prefix) {
      return guard('keys', () =>
        (prefix === '' ? allKeys.all() : rangeKeys.all(prefix, prefixEnd(prefix))).map((r) => r.key),
      );
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
