// The Delta served-lists log writes from a worker thread: flush means committed, close loses nothing,
// a lake that cannot be written is reported and bounded (entries beyond 10 × maxBuffered are dropped, counted),
// and what a killed server had spooled is written by the next log on its data directory, once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DeltaTable, STREAMING_TABLE_PROPERTIES } from '@lens/lake';
import { createEventLog } from '@lens/log';
import { damageLocalRecord } from '@lens/log/testing';
import { lakeTablePath } from '@lens/loader';
import type { RecommendationResponse } from './recommendation-service.js';
import {
  createDeltaServedListLog,
  SERVED_TABLE,
  servedLine,
  servedRow,
  servedRowRest,
  servedRowTail,
  type ServedListEntry,
} from './served-list-log.js';
import { COMPACT_EVERY_COMMITS, SERVED_COLUMNS, servedSpoolDir } from './served-list-schema.js';

const entry = (i: number): ServedListEntry => {
  const response: RecommendationResponse = {
    listId: `list-${i}`,
    source: i % 2 ? 'person' : 'trending',
    modelVersion: 'v1',
    ...(i % 2 ? { personId: `u${i}` } : {}),
    items: [
      { articleId: `a${i}`, score: 1, reason: 'co_read', position: 1 },
      { articleId: 'b', score: 0.5, reason: 'trending', position: 2 },
    ],
  };
  return {
    listId: response.listId,
    servedAt: Date.parse('2025-03-01T12:00:00Z') + i,
    request: { userId: `u${i}`, k: 2, context: 'ctx' },
    response,
  };
};

const rowsOf = async (dataDir: string): Promise<Record<string, unknown>[]> =>
  (await (await DeltaTable.open(lakeTablePath(dataDir, SERVED_TABLE))).query()).sort((a, b) =>
    String(a['list_id']).localeCompare(String(b['list_id']), 'en', { numeric: true }),
  );

test('flush resolves once the recorded lists are committed; close writes the rest (nothing lost)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-served-'));
  const errors: unknown[] = [];
  try {
    const log = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000, onError: (e) => errors.push(e) });
    for (let i = 0; i < 3; i++) log.record(entry(i));
    await log.flush();
    const first = await rowsOf(dataDir);
    assert.deepEqual(
      first.map((r) => r['list_id']),
      ['list-0', 'list-1', 'list-2'],
    );
    assert.deepEqual(
      { ...first[1], served_at: String(first[1]!['served_at']), served_date: String(first[1]!['served_date']) },
      {
        list_id: 'list-1',
        served_at: String(first[1]!['served_at']),
        served_date: String(first[1]!['served_date']),
        user_id: 'u1',
        anonymous_id: null,
        person_id: 'u1',
        context_article_id: 'ctx',
        site: null,
        source: 'person',
        model_version: 'v1',
        article_ids: 'a1,b',
        reasons: 'co_read,trending',
        k: 2,
      },
    );
    for (let i = 3; i < 700; i++) log.record(entry(i)); // more than one hand-over to the writer thread
    await log.close();
    const all = await rowsOf(dataDir);
    assert.equal(all.length, 700);
    assert.equal(new Set(all.map((r) => r['list_id'])).size, 700);
    assert.equal(log.dropped(), 0);
    assert.deepEqual(errors, []);
    log.record(entry(700));
    assert.equal(log.dropped(), 1, 'after close, entries are refused and counted');
    // A clean close leaves no writer lock on the spool (a killed server's is taken over; a stopped one has none).
    const partitions = join(servedSpoolDir(dataDir), 'partitions');
    for (const p of await readdir(partitions))
      assert.ok(!(await readdir(join(partitions, p))).includes('writer.lock'), `spool partition ${p} still locked`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a lake that cannot be written: the error is reported, unwritten entries are bounded and counted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-served-bad-'));
  const notADir = join(dir, 'file');
  await writeFile(notADir, 'x');
  const errors: unknown[] = [];
  try {
    const log = createDeltaServedListLog({
      dataDir: notADir,
      flushEveryMs: 60_000,
      maxBuffered: 2,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 25; i++) log.record(entry(i));
    assert.equal(log.dropped(), 5, 'beyond 10 × maxBuffered unwritten entries, new ones are dropped');
    await log.flush();
    assert.ok(errors.length >= 1);
    assert.match(String(errors[0]), /served lists not written/);
    await log.close();
    assert.equal(log.dropped(), 25, 'what could not be written by close is counted as lost');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('servedLine is JSON.stringify(servedRow(e)), awkward strings and absent fields included', () => {
  const odd: ServedListEntry = {
    ...entry(1),
    servedAt: Date.parse('2025-12-31T23:59:59.999Z'),
    request: { anonymousId: 'd "1" \\ é 😀 \u0001', site: 's', exclude: ['x'] },
  };
  for (const e of [entry(0), entry(1), entry(2), odd, { ...odd, response: { ...odd.response, items: [] } }]) {
    assert.equal(servedLine(e), JSON.stringify(servedRow(e)));
    const tail = servedRowTail(e.request, e.response);
    assert.equal(servedLine({ ...e, rowTail: tail }), servedLine(e), 'with the tail given');
    assert.ok(servedLine(e).endsWith(tail));
    const rest = Buffer.from(servedRowRest(e.request, tail));
    assert.equal(servedLine({ ...e, rowRest: rest }), servedLine(e), 'with the rest of the row given as bytes');
  }
});

test('rows reach the table as written: non-ASCII ids, long rows, hand-overs of more than one buffer', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-served-utf8-'));
  const errors: unknown[] = [];
  try {
    const log = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000, onError: (e) => errors.push(e) });
    const odd = (i: number): ServedListEntry => {
      const e = entry(i);
      // ~100 KB of 3-byte characters: a few such rows fill a hand-over buffer (256 KB) before its 256 rows
      const id = i % 50 === 0 ? `é😀 “${i}” ` + '€'.repeat(30_000) : `é😀 “${i}”`;
      const request = { ...e.request, anonymousId: id };
      const response = { ...e.response, personId: `p-${id}` };
      // every other row as a server answering again hands it over: the rest of the row as UTF-8 bytes
      const rowRest = i % 2 ? Buffer.from(servedRowRest(request, servedRowTail(request, response))) : undefined;
      return { ...e, request, response, ...(rowRest ? { rowRest } : {}) };
    };
    for (let i = 0; i < 600; i++) log.record(odd(i));
    await log.close();
    const rows = await rowsOf(dataDir);
    assert.equal(rows.length, 600);
    assert.deepEqual(errors, []);
    for (const i of [0, 1, 50, 51, 299, 550, 599]) {
      const want = servedRow(odd(i));
      const got = rows.find((r) => r['list_id'] === `list-${i}`)!;
      assert.equal(got['anonymous_id'], want['anonymous_id'], `row ${i}`);
      assert.equal(got['person_id'], want['person_id'], `row ${i}`);
      assert.equal(got['article_ids'], want['article_ids'], `row ${i}`);
      assert.equal(got['user_id'], want['user_id'], `row ${i}`);
      assert.equal(got['k'], want['k'], `row ${i}`);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the writer compacts the small files its appends make (every COMPACT_EVERY_COMMITS appends), rows intact', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-served-compact-'));
  const errors: unknown[] = [];
  try {
    const log = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000, onError: (e) => errors.push(e) });
    const appends = COMPACT_EVERY_COMMITS + 5;
    for (let i = 0; i < appends; i++) {
      log.record(entry(i));
      await log.flush(); // one append (one file) per flush
    }
    await log.close();
    const table = await DeltaTable.open(lakeTablePath(dataDir, SERVED_TABLE));
    const operations = (await table.history()).map((h) => h.operation);
    assert.equal(operations.filter((o) => o === 'OPTIMIZE').length, 1, `history: ${operations.join(', ')}`);
    assert.ok((await table.snapshot()).files.length <= 6, 'the first 50 files were bin-packed into one');
    assert.equal((await rowsOf(dataDir)).length, appends);
    assert.deepEqual(errors, []);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test(
  'a server killed before it wrote: the next log on the data directory writes its spooled lists, once',
  { timeout: 120_000 },
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lens-served-crash-'));
    try {
      // The child serves 500 lists, writes the first 200 (flush), then is killed once the rest are spooled.
      // A script file, not --input-type=module -e: the writer thread would inherit that flag and refuse to start.
      const script = join(dataDir, 'child.mjs');
      await writeFile(
        script,
        `const { createDeltaServedListLog } = await import(${JSON.stringify(new URL('./served-list-log.js', import.meta.url).href)});
       const log = createDeltaServedListLog({ dataDir: ${JSON.stringify(dataDir)}, flushEveryMs: 600000 });
       const entry = (i) => ({ listId: 'list-' + i, servedAt: Date.parse('2025-03-01T12:00:00Z') + i,
         request: { userId: 'u' + i }, response: { listId: 'list-' + i, source: 'trending', modelVersion: 'v1',
         items: [{ articleId: 'a' + i, score: 1, reason: 'trending', position: 1 }] } });
       for (let i = 0; i < 200; i++) log.record(entry(i));
       await log.flush();
       for (let i = 200; i < 500; i++) log.record(entry(i));
       const wait = setInterval(() => { if (log.spooled() === 500) { clearInterval(wait); console.log('spooled'); } }, 5);
       setInterval(() => {}, 1000);`,
      );
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => (String(d).includes('spooled') ? resolve() : undefined));
        child.on('exit', (code) => reject(new Error(`child exited ${code} before spooling`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      assert.equal((await rowsOf(dataDir)).length, 200, 'only the flushed lists reached the table before the kill');

      const errors: unknown[] = [];
      const next = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000, onError: (e) => errors.push(e) });
      next.record(entry(1000));
      await next.close();
      assert.equal(next.recovered(), 300);
      const rows = await rowsOf(dataDir);
      assert.equal(rows.length, 501);
      assert.equal(new Set(rows.map((r) => r['list_id'])).size, 501, 'each list once');
      assert.deepEqual(errors, []);

      const third = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000 });
      await third.close();
      assert.equal(third.recovered(), 0, 'nothing is written twice');
      assert.equal((await rowsOf(dataDir)).length, 501);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);

test(
  'a spooled record damaged on disk: the next log reports the lost lists and writes the others, once',
  { timeout: 120_000 },
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lens-served-damage-'));
    try {
      // What a killed server leaves: spooled lists the table does not have (its marker is before them).
      const spool = await createEventLog({ backend: 'local', dir: servedSpoolDir(dataDir), minFreeDiskBytes: 0 });
      const writer = await spool.openWriter();
      for (let i = 0; i < 5; i++) await writer.append([Buffer.from(`${servedLine(entry(i))}\n`)]);
      await writer.close();
      await spool.close();
      await damageLocalRecord(servedSpoolDir(dataDir), writer.partition, 2);

      const errors: unknown[] = [];
      const next = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000, onError: (e) => errors.push(e) });
      await next.close();
      assert.equal(next.recovered(), 4);
      assert.deepEqual((await rowsOf(dataDir)).map((r) => r['list_id']).sort(), [
        'list-0',
        'list-1',
        'list-3',
        'list-4',
      ]);
      assert.equal(errors.length, 1, String(errors));
      assert.match(
        String(errors[0]),
        /spool partition \d+: record 2 .*cannot be read.*not in lens\.served_recommendations/,
      );

      const third = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000, onError: (e) => errors.push(e) });
      await third.close();
      assert.equal(third.recovered(), 0, 'nothing is written twice, the damage is not reported again');
      assert.equal(errors.length, 1);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);

test('a served-lists table created before the streaming properties gets them at the next write, rows kept', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-served-'));
  try {
    const old = await DeltaTable.open(lakeTablePath(dataDir, SERVED_TABLE));
    await old.create({ columns: SERVED_COLUMNS, partitionColumns: ['served_date'], name: SERVED_TABLE });
    assert.equal((await old.snapshot()).metadata.configuration['delta.checkpointInterval'], undefined);
    const log = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000 });
    log.record(entry(1));
    await log.close();
    const table = await DeltaTable.open(lakeTablePath(dataDir, SERVED_TABLE));
    const conf = (await table.snapshot()).metadata.configuration;
    for (const [k, v] of Object.entries(STREAMING_TABLE_PROPERTIES)) assert.equal(conf[k], v, k);
    assert.deepEqual(
      (await rowsOf(dataDir)).map((r) => r['list_id']),
      ['list-1'],
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
