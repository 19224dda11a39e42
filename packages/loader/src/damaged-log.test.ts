// Records damaged in the log's storage (bit rot in a sealed segment): the loader loads every intact record once,
// writes one quarantine row per damaged span in the commit that moves past it, keeps flowing, and a replay after a
// crash writes that row once.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createEventLog, type EventLog, type LogRecordDamagedError } from '@lens/log';
import { damageLocalRecord } from '@lens/log/testing';
import { LoaderConfig, type Logger } from '@lens/protocol';
import { lakeTablePath } from './lake-table-path.js';
import { startLoader } from './loader.js';
import { DAMAGED_RAW_BYTES, mapDamagedLogRecords } from './record-mapper.js';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable } from './testing/records.js';

const AT = '2026-03-10T12:00:00.000Z';
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A data directory whose log rolls segments every few records, so early records sit in sealed segments. */
async function smallSegmentLog(): Promise<{ dataDir: string; logDir: string; open(): Promise<EventLog> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-loader-damage-'));
  dirs.push(dataDir);
  const logDir = join(dataDir, 'log');
  return {
    dataDir,
    logDir,
    open: () => createEventLog({ backend: 'local', dir: logDir, segmentBytes: 8192, minFreeDiskBytes: 0 }),
  };
}

function errorLogger(): Logger & { errors: { obj: Record<string, unknown>; msg: string }[] } {
  const errors: { obj: Record<string, unknown>; msg: string }[] = [];
  return {
    errors,
    info() {},
    warn() {},
    debug() {},
    error: (obj, msg) => void errors.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' }),
  };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
const offsetsOf = (rows: Record<string, unknown>[]) => rows.map((r) => r['log_offset']);
const allBut = (n: number, lost: number[]) => Array.from({ length: n }, (_, i) => i).filter((o) => !lost.includes(o));

/** Deletes a Delta table's newest commit: the table as it was had the loader died just before that commit. */
async function dropLastCommit(table: string): Promise<void> {
  const logDir = join(table, '_delta_log');
  const commits = (await readdir(logDir)).filter((f) => /^\d{20}\.json$/.test(f)).sort();
  assert.ok(!(await readdir(logDir)).some((f) => f.includes('checkpoint')), 'no checkpoint to undo');
  await rm(join(logDir, commits.at(-1)!));
}

describe('records damaged in the log', () => {
  const config = LoaderConfig.parse({ port: 0 });

  it("records the collector's recovery lost (damage in its active segment) reach the quarantine too", async () => {
    const { dataDir, logDir } = await smallSegmentLog();
    const open = () => createEventLog({ backend: 'local', dir: logDir, minFreeDiskBytes: 0 });
    let log = await open();
    const first = await log.openWriter({ partition: 0 });
    await first.append(ids(10).map((m) => acceptedRecord({ messageId: m, receivedAt: AT, timestamp: AT })));
    await first.close();
    await log.close();
    await damageLocalRecord(logDir, 0, 4); // the active segment: the next writer's recovery drops it
    log = await open();
    try {
      const writer = await log.openWriter({ partition: 0 });
      await writer.append([acceptedRecord({ messageId: 'after', receivedAt: AT, timestamp: AT })]);
      await writer.close();
      const stats = await runLoaderOnce({ config, dataDir, log });
      assert.equal(stats.eventsLoaded, 10);
      assert.equal(stats.quarantined, 1);
      const events = await readTable(dataDir, 'bronze.events', 'message_id, log_offset');
      assert.deepEqual(offsetsOf(events), allBut(11, [4]));
      const [row] = await readTable(dataDir, 'bronze.quarantine');
      assert.match(
        String(row!['reason']),
        /^log partition 0: offset 4 \(1 record\) unreadable: records missing; loading resumed at offset 5$/,
      );
    } finally {
      await log.close();
    }
  });

  it('every intact record loads once, one quarantine row per damaged span, and a rerun adds nothing', async () => {
    const { dataDir, logDir, open } = await smallSegmentLog();
    const log = await open();
    try {
      const writer = await log.openWriter({ partition: 0 });
      await writer.append(ids(100).map((m) => acceptedRecord({ messageId: m, receivedAt: AT, timestamp: AT })));
      await writer.close();
      assert.ok((await readdir(join(logDir, 'partitions', '0'))).length > 6, 'several segments');
      await damageLocalRecord(logDir, 0, 20); // a sealed segment
      await damageLocalRecord(logDir, 0, 50); // two in a row: one span
      await damageLocalRecord(logDir, 0, 51);
      const damaged = await log.read(0, 20).then(
        () => assert.fail('offset 20 reads'),
        (e: unknown) => e as LogRecordDamagedError,
      );

      const logger = errorLogger();
      const stats = await runLoaderOnce({ config, dataDir, log, logger });
      assert.equal(stats.eventsLoaded, 97);
      assert.equal(stats.quarantined, 2);
      const events = await readTable(dataDir, 'bronze.events', 'message_id, log_offset');
      assert.deepEqual(offsetsOf(events), allBut(100, [20, 50, 51]));
      assert.deepEqual(
        events.map((r) => r['message_id']),
        ids(100).filter((_, i) => ![20, 50, 51].includes(i)),
      );
      const quarantine = await readTable(dataDir, 'bronze.quarantine');
      assert.equal(quarantine.length, 2);
      const [first, second] = quarantine as [Record<string, unknown>, Record<string, unknown>];
      assert.match(
        String(first['reason']),
        /^log partition 0: offset 20 \(1 record\) unreadable: checksum mismatch in \d+ bytes; loading resumed at offset 21$/,
      );
      assert.match(
        String(second['reason']),
        /^log partition 0: offsets 50\.\.51 \(2 records\) unreadable: checksum mismatch in \d+ bytes; loading resumed at offset 52$/,
      );
      assert.deepEqual(
        { ...first, reason: undefined, received_at: undefined, quarantine_date: undefined },
        {
          reason: undefined,
          received_at: undefined,
          quarantine_date: undefined,
          source_id: null,
          route: null,
          stage: 'loader',
          message_id: null,
          batch_index: null,
          raw: damaged.bytes.toString('base64'),
          raw_encoding: 'base64',
          truncated: false,
          log_partition: 0,
          log_offset: 20,
        },
      );
      assert.ok(Buffer.from(String(first['raw']), 'base64').includes('"m20"'), 'the damaged record, as stored');
      assert.ok(Buffer.from(String(second['raw']), 'base64').includes('"m51"'), 'the whole span');
      const reported = logger.errors.filter((e) => e.msg === 'loader_damaged_log_records_quarantined');
      assert.deepEqual(
        reported.map((e) => [e.obj['partition'], e.obj['damagedFrom'], e.obj['resumeAt'], e.obj['reason']]),
        [
          [0, 20, 21, 'checksum_mismatch'],
          [0, 50, 52, 'checksum_mismatch'],
        ],
      );
      assert.equal(await log.committed('lens-loader', 0), 100, 'the log position moved past the damage');

      const again = await runLoaderOnce({ config, dataDir, log, logger: errorLogger() });
      assert.deepEqual([again.eventsLoaded, again.quarantined], [0, 0]);
      assert.equal((await readTable(dataDir, 'bronze.events')).length, 97);
      assert.equal((await readTable(dataDir, 'bronze.quarantine')).length, 2);
    } finally {
      await log.close();
    }
  });

  it('a replay after a crash before the commits writes the quarantine row once', async () => {
    const { dataDir, logDir, open } = await smallSegmentLog();
    const log = await open();
    try {
      const writer = await log.openWriter({ partition: 0 });
      await writer.append(ids(60).map((m) => acceptedRecord({ messageId: m, receivedAt: AT, timestamp: AT })));
      await writer.close();
      await damageLocalRecord(logDir, 0, 30);
      // A crash comes before the log position is committed: nothing passed may be deleted by retention meanwhile.
      const pass = () => runLoaderOnce({ config, dataDir, log, logRetentionAfterPass: false });
      assert.equal((await pass()).eventsLoaded, 59);

      // Died between the two tables' commits (events first): the quarantine row and its marker never landed.
      await dropLastCommit(lakeTablePath(dataDir, 'bronze.quarantine'));
      assert.equal((await readTable(dataDir, 'bronze.quarantine')).length, 0);
      const replay = await pass();
      assert.deepEqual([replay.eventsLoaded, replay.quarantined], [0, 1]);
      assert.deepEqual(offsetsOf(await readTable(dataDir, 'bronze.quarantine')), [30]);

      // Died before either commit: the whole batch again, the row once, every event once.
      await dropLastCommit(lakeTablePath(dataDir, 'bronze.quarantine'));
      await dropLastCommit(lakeTablePath(dataDir, 'bronze.events'));
      const full = await pass();
      assert.deepEqual([full.eventsLoaded, full.quarantined], [59, 1]);
      assert.deepEqual(offsetsOf(await readTable(dataDir, 'bronze.events')), allBut(60, [30]));
      assert.deepEqual(offsetsOf(await readTable(dataDir, 'bronze.quarantine')), [30]);
    } finally {
      await log.close();
    }
  });

  it('the running loader moves on past damage (it retried the same read forever) and counts it', async () => {
    const { dataDir, logDir, open } = await smallSegmentLog();
    const log = await open();
    const writer = await log.openWriter({ partition: 0 });
    try {
      await writer.append(ids(40).map((m) => acceptedRecord({ messageId: m, receivedAt: AT, timestamp: AT })));
      await damageLocalRecord(logDir, 0, 3);
      const port = 46_000 + Math.floor(Math.random() * 1000);
      const loader = await startLoader({
        config: LoaderConfig.parse({ port, host: '127.0.0.1', flushIntervalMs: 50 }),
        dataDir,
        log,
      });
      try {
        // Appends keep arriving after the damage: they load too.
        await writer.append(['late-1', 'late-2'].map((m) => acceptedRecord({ messageId: m, receivedAt: AT })));
        const loaded = async (): Promise<boolean> =>
          (await readTable(dataDir, 'bronze.events').catch(() => [])).length === 41 &&
          (await readTable(dataDir, 'bronze.quarantine').catch(() => [])).length === 1;
        for (let i = 0; i < 200 && !(await loaded()); i++) await new Promise((r) => setTimeout(r, 50));
        assert.ok(await loaded(), 'every intact record and the damage row arrive');
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        assert.match(metrics, /^lens_loader_quarantined_total\{reason="damaged_log_record"\} 1$/m);
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
        assert.equal(health.status, 'ok');
      } finally {
        await loader.stop();
      }
      assert.deepEqual(offsetsOf(await readTable(dataDir, 'bronze.events')), allBut(42, [3]));
      assert.deepEqual(offsetsOf(await readTable(dataDir, 'bronze.quarantine')), [3]);
    } finally {
      await writer.close();
      await log.close();
    }
  });
});

describe('the quarantine row of a damaged span', () => {
  const row = (damage: Parameters<typeof mapDamagedLogRecords>[0]) => {
    const mapped = mapDamagedLogRecords(damage, Date.parse(AT));
    assert.equal(mapped.table, 'quarantine');
    assert.equal(mapped.table === 'quarantine' && mapped.code, 'damaged_log_record');
    return JSON.parse(mapped.table === 'quarantine' ? mapped.line : '') as Record<string, unknown>;
  };

  it('keeps at most DAMAGED_RAW_BYTES of the bytes and says they were cut', () => {
    const bytes = Buffer.alloc(DAMAGED_RAW_BYTES + 10, 7);
    const r = row({
      partition: 2,
      damagedFrom: 9,
      resumeAt: 12,
      reason: 'unreadable_frame',
      bytes,
      damagedBytes: 900_000,
    });
    assert.equal(Buffer.from(String(r['raw']), 'base64').length, DAMAGED_RAW_BYTES);
    assert.equal(r['truncated'], true);
    assert.equal(
      r['reason'],
      'log partition 2: offsets 9..11 (3 records) unreadable: unreadable frame in 900000 bytes; loading resumed at offset 12',
    );
    assert.deepEqual([r['received_at'], r['quarantine_date'], r['log_offset']], [AT, AT.slice(0, 10), 9]);
  });

  it('records missing outright: no bytes to keep', () => {
    const r = row({
      partition: 0,
      damagedFrom: 4,
      resumeAt: 5,
      reason: 'missing_records',
      bytes: Buffer.alloc(0),
      damagedBytes: 0,
    });
    assert.deepEqual([r['raw'], r['raw_encoding'], r['truncated']], [null, 'base64', false]);
    assert.equal(
      r['reason'],
      'log partition 0: offset 4 (1 record) unreadable: records missing; loading resumed at offset 5',
    );
  });
});
