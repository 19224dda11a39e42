// Duplicates: the index's verdicts (new, replay of the same record, duplicate, outside the window) and,
// end to end, resends loaded once within the window — across restarts — and again outside it; hash collisions,
// other processes' entries, expiry and the earlier layout's entries.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LoaderConfig } from '@lens/protocol';
import Database from 'better-sqlite3';
import { keyHash, openDedupConnection, openDedupIndex } from './dedup-index.js';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable, tempDataDir } from './testing/records.js';

const HOUR = 3_600_000;

describe('duplicates', () => {
  let env: Awaited<ReturnType<typeof tempDataDir>>;
  before(async () => {
    env = await tempDataDir();
  });
  after(async () => env.cleanup());

  it('tells a crash replay of the same record from a duplicate, and honours the window', () => {
    const path = join(env.dataDir, 'unit', 'dedup.sqlite');
    let index = openDedupIndex(path, 24 * HOUR);
    const t0 = Date.UTC(2026, 0, 1);
    const at = (offset: number, partition = 0): { partition: number; offset: number } => ({ partition, offset });
    assert.equal(
      index.batch(() => index.check('web', 'm1', at(10), t0)),
      'new',
    );
    assert.equal(index.check('web', 'm1', at(10), t0), 'replay', 'the same (partition, offset) again is a replay');
    assert.equal(index.check('web', 'm1', at(11), t0 + HOUR), 'duplicate');
    assert.equal(index.check('web', 'm1', at(3, 1), t0 + HOUR), 'duplicate', 'across partitions');
    assert.equal(index.check('app', 'm1', at(12), t0), 'new', 'another source is another event');
    index.close();
    index = openDedupIndex(path, 24 * HOUR); // survives a restart
    assert.equal(index.check('web', 'm1', at(13), t0 + 2 * HOUR), 'duplicate');
    assert.equal(index.check('web', 'm1', at(14), t0 + 25 * HOUR), 'new', 'outside the window');
    assert.equal(index.check('web', 'm1', at(14), t0 + 25 * HOUR), 'replay', 'the newer sighting replaced the old one');
    assert.equal(index.check('web', 'm1', at(15), t0 + 26 * HOUR), 'duplicate');
    assert.equal(index.expire(t0 + 24 * HOUR), 1, 'app/m1 expired');
    assert.equal(index.check('app', 'm1', at(16), t0 + 30 * HOUR), 'new');
    index.close();
  });

  it('loads an event resent within the window once, across restarts, and again outside the window', async () => {
    const writer = await env.log.openWriter();
    const config = LoaderConfig.parse({ port: 0 });
    const now = Date.now();
    const at = (ms: number): Partial<{ receivedAt: string; timestamp: string }> => ({
      receivedAt: new Date(ms).toISOString(),
      timestamp: new Date(ms).toISOString(),
    });
    // One batch holding an event and its resend: the in-batch duplicate is dropped.
    await writer.append([
      acceptedRecord({ messageId: 'dup', properties: { copy: 1 }, ...at(now) }),
      acceptedRecord({ messageId: 'dup', properties: { copy: 2 }, ...at(now + 1000) }),
      acceptedRecord({ messageId: 'other', ...at(now) }),
    ]);
    let stats = await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    assert.equal(stats.duplicates, 1);
    // A restart (new loader, same data dir), then a resend 23 h later and another one 2 days later.
    await writer.append([acceptedRecord({ messageId: 'dup', properties: { copy: 3 }, ...at(now + 23 * HOUR) })]);
    stats = await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    assert.equal(stats.duplicates, 1);
    await writer.append([
      acceptedRecord({ messageId: 'dup', properties: { copy: 4 }, ...at(now + 48 * HOUR) }),
      acceptedRecord({ messageId: 'dup', source: 'x', ...at(now + 48 * HOUR) }, 'app'),
    ]);
    await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    const rows = await readTable(env.dataDir, 'bronze.events', 'message_id, source_id, properties');
    assert.deepEqual(
      rows.map((r) => [r['message_id'], r['source_id'], r['properties']]),
      [
        ['dup', 'web', '{"copy":1}'],
        ['other', 'web', '{"button":"buy"}'],
        ['dup', 'web', '{"copy":4}'],
        ['dup', 'app', '{"button":"buy"}'],
      ],
    );
    await writer.close();
  });

  it('a corrected re-send of an event the checks quarantined is loaded (the quarantined one was no sighting)', async () => {
    const writer = await env.log.openWriter();
    const config = LoaderConfig.parse({ port: 0, quality: { maxJsonColumnBytes: 1000 } });
    await writer.append([acceptedRecord({ messageId: 'fixed-later', properties: { blob: 'x'.repeat(2000) } })]);
    await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    await writer.append([acceptedRecord({ messageId: 'fixed-later', properties: { blob: 'small' } })]);
    const stats = await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    assert.equal(stats.duplicates, 0);
    const events = await readTable(env.dataDir, 'bronze.events', 'message_id, properties');
    assert.deepEqual(
      events.filter((r) => r['message_id'] === 'fixed-later').map((r) => r['properties']),
      ['{"blob":"small"}'],
    );
    const quarantined = await readTable(env.dataDir, 'bronze.quarantine', 'message_id, reason');
    assert.equal(quarantined.filter((r) => r['message_id'] === 'fixed-later').length, 1);
    await writer.close();
  });
});

describe('duplicate index internals', () => {
  let env: Awaited<ReturnType<typeof tempDataDir>>;
  before(async () => {
    env = await tempDataDir();
  });
  after(async () => env.cleanup());
  const t0 = Date.UTC(2026, 0, 1);
  const at = (offset: number, partition = 0): { partition: number; offset: number } => ({ partition, offset });

  it('never takes a hash collision for a duplicate: every key hashing the same stays distinct', () => {
    const index = openDedupConnection(join(env.dataDir, 'collide', 'dedup.sqlite'), 24 * HOUR, { hash: () => 42 });
    for (let i = 0; i < 50; i++) assert.equal(index.check('web', `m${i}`, at(i), t0), 'new', `m${i}`);
    assert.equal(index.check('app', 'm0', at(50), t0), 'new', 'same message id, other source');
    for (let i = 0; i < 50; i++) assert.equal(index.check('web', `m${i}`, at(100 + i), t0 + HOUR), 'duplicate');
    assert.equal(index.check('web', 'm7', at(7), t0), 'replay');
    assert.equal(index.check('web', 'm7', at(200), t0 + 30 * HOUR), 'new', 'outside the window');
    assert.equal(index.check('web', 'm7', at(201), t0 + 31 * HOUR), 'duplicate', 'of the newer sighting');
    index.close();
  });

  it('sees what another connection (another loader process) recorded, and what it expired', () => {
    const path = join(env.dataDir, 'shared', 'dedup.sqlite');
    const a = openDedupConnection(path, 24 * HOUR);
    const b = openDedupConnection(path, 24 * HOUR);
    assert.equal(a.check('web', 'x', at(1), t0), 'new');
    assert.equal(a.check('web', 'old', at(2), t0 - 30 * HOUR), 'new');
    void a.sync(); // commits synchronously (the fsync is what is awaited)
    assert.equal(b.check('web', 'x', at(1, 1), t0 + HOUR), 'duplicate', 'a row appended by the other connection');
    assert.equal(b.check('web', 'y', at(2, 1), t0 + HOUR), 'new');
    void b.sync();
    assert.equal(a.check('web', 'y', at(3), t0 + HOUR), 'duplicate');
    void a.sync();
    assert.equal(b.expire(t0 - 24 * HOUR), 0, 'expiry stops at the oldest row that is not expired');
    assert.equal(b.expire(t0 + 10 * HOUR), 3);
    assert.equal(a.check('web', 'x', at(9), t0 + 2 * HOUR), 'new', 'expired by the other connection');
    a.close();
    b.close();
  });

  it('expires the oldest entries, which then load again, and keeps the rest', () => {
    const index = openDedupConnection(join(env.dataDir, 'expire', 'dedup.sqlite'), HOUR);
    // 200k entries make the in-memory table grow several times; the first half is 2 h older.
    for (let i = 0; i < 200_000; i++) index.check('web', `k${i}`, at(i), i < 100_000 ? t0 : t0 + 2 * HOUR);
    let n = 0;
    for (let d = index.expire(t0 + HOUR, 30_000); d > 0; d = index.expire(t0 + HOUR, 30_000)) n += d;
    assert.equal(n, 100_000);
    assert.equal(index.check('web', 'k5', at(300_000), t0 + 2 * HOUR), 'new', 'expired');
    assert.equal(index.check('web', 'k150000', at(300_001), t0 + 2 * HOUR), 'duplicate', 'kept');
    assert.equal(index.check('web', 'k199999', at(199_999), t0 + 2 * HOUR), 'replay', 'kept');
    index.close();
  });

  it('keeps a bounded number of entries in memory and finds the older ones on disk, also after a restart', () => {
    const path = join(env.dataDir, 'bounded', 'dedup.sqlite');
    const memoryEntries = 1000;
    let index = openDedupConnection(path, 24 * HOUR, { memoryEntries });
    for (let i = 0; i < 5000; i++) assert.equal(index.check('web', `k${i}`, at(i), t0), 'new');
    const onDisk = (): number => {
      const db = new Database(path, { readonly: true });
      const { n } = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sightings_by_hash'").get() as {
        n: number;
      };
      db.close();
      return n;
    };
    void index.sync();
    assert.equal(onDisk(), 1, 'the hash index was created once memory was full');
    assert.equal(index.check('web', 'k3', at(9000), t0 + HOUR), 'duplicate', 'an entry only on disk');
    assert.equal(index.check('web', 'k4', at(4), t0), 'replay');
    assert.equal(index.check('web', 'k4999', at(9001), t0 + HOUR), 'duplicate', 'an entry in memory');
    assert.equal(index.check('web', 'k5', at(9002), t0 + 30 * HOUR), 'new', 'outside the window');
    assert.equal(index.check('web', 'k5', at(9003), t0 + 31 * HOUR), 'duplicate', 'of the newer sighting');
    assert.equal(index.check('app', 'k6', at(9004), t0), 'new');
    index.close();
    index = openDedupConnection(path, 24 * HOUR, { memoryEntries });
    assert.equal(index.check('web', 'k7', at(9005), t0 + HOUR), 'duplicate', 'on disk after a restart');
    assert.equal(index.check('web', 'k4998', at(9006), t0 + HOUR), 'duplicate', 'in memory after a restart');
    assert.equal(index.check('web', 'k5', at(9002), t0 + 30 * HOUR), 'replay');
    assert.equal(index.check('web', 'k5000', at(9007), t0), 'new');
    index.close();
  });

  it('takes over the entries of the earlier text-keyed layout', () => {
    const path = join(env.dataDir, 'migrate', 'dedup.sqlite');
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.exec(`CREATE TABLE seen (source_id TEXT NOT NULL, message_id TEXT NOT NULL, first_partition INTEGER NOT NULL,
      first_offset INTEGER NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (source_id, message_id)) WITHOUT ROWID;
      INSERT INTO seen VALUES ('web', 'm1', 0, 10, ${t0}), ('web', 'm2', 1, 4, ${t0});`);
    db.close();
    const index = openDedupConnection(path, 24 * HOUR);
    assert.equal(index.check('web', 'm1', at(11), t0 + HOUR), 'duplicate');
    assert.equal(index.check('web', 'm2', at(4, 1), t0), 'replay');
    assert.equal(index.check('web', 'm3', at(12), t0), 'new');
    index.close();
  });

  it('hashes both ids, apart', () => {
    assert.notEqual(keyHash('ab', 'c'), keyHash('a', 'bc'));
    assert.notEqual(keyHash('web', 'm1'), keyHash('web', 'm2'));
    assert.ok(Number.isSafeInteger(keyHash('web', 'm1')) && keyHash('web', 'm1') >= 0);
  });
});
