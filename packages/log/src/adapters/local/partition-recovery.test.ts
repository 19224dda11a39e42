// Recovery on open, by hand-made damage: garbage and half-written frames after the durable end are cut off;
// a damaged acknowledged record is reported and its offset skipped, never handed out again.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, readdir, readFile, rm, stat, truncate, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogCorruptionError, LogRecordDamagedError } from '../../errors.js';
import { MAX_DAMAGED_BYTES, type EventLog } from '../../event-log.js';
import type { Logger } from '../../logger.js';
import { damageLocalRecord } from '../../testing/damage-local-record.js';
import { createLocalEventLog } from './local-event-log.js';
import { HEADER_BYTES, writeHeader } from './record-format.js';
import { layout } from './segment-files.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A log dir with partition 0 holding records 'r0'..'r9', closed cleanly; returns its segment path and size. */
async function tenRecords(): Promise<{ dir: string; seg: string; size: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'lens-log-recovery-'));
  dirs.push(dir);
  const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
  const writer = await log.openWriter({ partition: 0 });
  await writer.append(Array.from({ length: 10 }, (_, i) => Buffer.from(`r${i}`)));
  await log.close();
  const seg = layout.segmentPath(dir, 0, 0);
  return { dir, seg, size: (await stat(seg)).size };
}

function capture(): Logger & { events: string[] } {
  const events: string[] = [];
  const log = (_obj: object, msg?: string) => void events.push(msg ?? '');
  return { events, info: log, warn: log, error: log, debug: log };
}

async function reopenAndAppend(dir: string, logger: Logger) {
  const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0, logger });
  const writer = await log.openWriter({ partition: 0 });
  const appended = await writer.append([Buffer.from('new')]);
  const { records, lost } = await readThrough(log);
  await log.close();
  return { appended, records, lost };
}

/** Every record of partition 0 as a consumer reads it, moving past damage: the records and the spans lost. */
async function readThrough(log: EventLog) {
  const records: Array<[number, string]> = [];
  const lost: Array<[number, number, string]> = [];
  for (let from = 0; ;) {
    let batch;
    try {
      batch = await log.read(0, from);
    } catch (error) {
      if (!(error instanceof LogRecordDamagedError)) throw error;
      lost.push([error.damagedFrom, error.resumeAt, error.reason]);
      from = error.resumeAt;
      continue;
    }
    if (batch.length === 0) return { records, lost };
    for (const r of batch) records.push([r.offset, r.value.toString()]);
    from = batch.at(-1)!.offset + 1;
  }
}

const expected = (extra: Array<[number, string]>) => [...Array.from({ length: 10 }, (_, i) => [i, `r${i}`]), ...extra];

describe('local partition recovery', () => {
  it('cuts garbage after the last record and continues at the next offset', async () => {
    const { dir, seg, size } = await tenRecords();
    await appendFile(seg, Buffer.from('\x00\x00\x00\x05garbage that is not a frame at all'));
    const logger = capture();
    const { appended, records } = await reopenAndAppend(dir, logger);
    assert.deepEqual(appended, { partition: 0, firstOffset: 10, lastOffset: 10 });
    assert.deepEqual(records, expected([[10, 'new']]));
    assert.ok(logger.events.includes('log_torn_tail_truncated'));
    assert.equal((await stat(seg)).size, size + HEADER_BYTES + 3, 'garbage gone, one new frame written');
  });

  it('cuts a half-written frame (a crash between write and fsync) without reusing a durable offset', async () => {
    const { dir, seg } = await tenRecords();
    const payload = Buffer.from('a record that never became durable');
    const header = Buffer.alloc(HEADER_BYTES);
    writeHeader(header, payload, 10, Date.now());
    await appendFile(seg, Buffer.concat([header, payload.subarray(0, 10)]));
    const { appended, records } = await reopenAndAppend(dir, capture());
    assert.equal(appended.firstOffset, 10);
    assert.deepEqual(records, expected([[10, 'new']]));
  });

  it('a complete but un-acknowledged frame past the marker is kept (it is intact and no reader saw its offset)', async () => {
    const { dir, seg } = await tenRecords();
    const payload = Buffer.from('written, not yet acknowledged');
    const header = Buffer.alloc(HEADER_BYTES);
    writeHeader(header, payload, 10, Date.now());
    await appendFile(seg, Buffer.concat([header, payload]));
    const { appended, records } = await reopenAndAppend(dir, capture());
    assert.equal(appended.firstOffset, 11);
    assert.deepEqual(
      records,
      expected([
        [10, payload.toString()],
        [11, 'new'],
      ]),
    );
  });

  it('a flipped payload byte fails the checksum and is cut', async () => {
    const { dir, seg, size } = await tenRecords();
    const payload = Buffer.from('soon corrupted');
    const header = Buffer.alloc(HEADER_BYTES);
    writeHeader(header, payload, 10, Date.now());
    payload[3] = payload[3]! ^ 0xff;
    await appendFile(seg, Buffer.concat([header, payload]));
    const { appended } = await reopenAndAppend(dir, capture());
    assert.equal(appended.firstOffset, 10);
    assert.equal((await stat(seg)).size, size + HEADER_BYTES + 3);
  });

  it('a damaged acknowledged record is reported and its offset skipped, never reused', async () => {
    const { dir, seg, size } = await tenRecords();
    await truncate(seg, size - 1); // r9 was acknowledged: the durable marker says 10
    const logger = capture();
    const { appended, records, lost } = await reopenAndAppend(dir, logger);
    assert.ok(logger.events.includes('log_acknowledged_records_lost'));
    assert.deepEqual(appended, { partition: 0, firstOffset: 10, lastOffset: 10 });
    assert.deepEqual(records, [...expected([]).slice(0, 9), [10, 'new']]);
    assert.deepEqual(lost, [[9, 10, 'missing_records']], 'a consumer is told the lost offset, then moves on');
  });
  it('a damaged acknowledged record mid-segment loses that record only: the intact ones after it are kept', async () => {
    const { dir, seg } = await tenRecords();
    const frameBytes = HEADER_BYTES + 2; // 'r0'..'r9'
    const fh = await open(seg, 'r+');
    await fh.write(Buffer.from('X'), 0, 1, 4 * frameBytes + HEADER_BYTES); // r4's payload: its checksum fails
    await fh.close();
    const logger = capture();
    const { appended, records, lost } = await reopenAndAppend(dir, logger);
    assert.ok(logger.events.includes('log_damaged_records_skipped'));
    assert.ok(!logger.events.includes('log_acknowledged_records_lost'));
    assert.deepEqual(appended, { partition: 0, firstOffset: 10, lastOffset: 10 });
    assert.deepEqual(records, [...expected([]).filter(([o]) => o !== 4), [10, 'new']]);
    assert.deepEqual(lost, [[4, 5, 'missing_records']]);
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
    assert.deepEqual(
      (await log.read(0, 0)).map((r) => r.offset),
      [0, 1, 2, 3],
      'a read stops before the gap recovery left',
    );
    await assert.rejects(
      log.read(0, 4),
      (e: LogRecordDamagedError) => e.damagedFrom === 4 && e.resumeAt === 5 && e.reason === 'missing_records',
      'a consumer at the lost offset is told, and where to go on',
    );
    assert.deepEqual(
      (await log.read(0, 5)).map((r) => r.offset),
      [5, 6, 7, 8, 9, 10],
    );
    await log.close();
    assert.deepEqual(await readdir(layout.partitionDir(dir, 0)).then((n) => n.filter((f) => f.endsWith('.seg'))), [
      '00000000000000000000.seg',
      '00000000000000000005.seg',
    ]);
  });
});

describe('local partition recovery without its durable marker', () => {
  it('says so, keeps every intact record and continues after them', async () => {
    const { dir } = await tenRecords();
    await unlink(layout.markerPath(dir, 0));
    const logger = capture();
    const { appended, records } = await reopenAndAppend(dir, logger);
    assert.ok(logger.events.includes('log_durable_marker_missing'), logger.events.join());
    assert.deepEqual(appended, { partition: 0, firstOffset: 10, lastOffset: 10 });
    assert.deepEqual(records, expected([[10, 'new']]));
  });
});

describe('local partition reads past damage in the durable range', () => {
  const frame = HEADER_BYTES + 2; // 'r0'..'r9'
  /** 15 records 'r0'..'r4' over a sealed segment (0..9) and the active one (10..14), damaged by `damage`. */
  async function sealedAndActive(damage: (seg0: string, seg10: string) => Promise<void>) {
    const dir = await mkdtemp(join(tmpdir(), 'lens-log-rot-'));
    dirs.push(dir);
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0, segmentBytes: 10 * frame });
    const writer = await log.openWriter({ partition: 0 });
    await writer.append(Array.from({ length: 15 }, (_, i) => Buffer.from(`r${i % 10}`)));
    await log.close();
    await damage(layout.segmentPath(dir, 0, 0), layout.segmentPath(dir, 0, 10));
    return createLocalEventLog({ dir, minFreeDiskBytes: 0 });
  }
  const writeAt = async (path: string, pos: number, bytes: Buffer) => {
    const fh = await open(path, 'r+');
    await fh.write(bytes, 0, bytes.length, pos);
    await fh.close();
  };
  const offsets = async (log: EventLog, from: number) => (await log.read(0, from)).map((r) => r.offset);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const damage = async (read: Promise<unknown>): Promise<LogRecordDamagedError> => {
    const error = await read.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof LogRecordDamagedError, `expected LogRecordDamagedError, got ${String(error)}`);
    return error;
  };

  it('a flipped payload byte in a sealed segment: records before it, then the span with its bytes, then the rest', async () => {
    let stored!: Buffer;
    const log = await sealedAndActive(async (seg0) => {
      await writeAt(seg0, 5 * frame + HEADER_BYTES, Buffer.from('X')); // r5 (bit rot)
      stored = (await readFile(seg0)).subarray(5 * frame, 6 * frame);
    });
    try {
      assert.deepEqual(await offsets(log, 0), range(0, 5));
      const error = await damage(log.read(0, 5));
      assert.ok(error instanceof LogCorruptionError, 'still a LogCorruptionError for callers that know only that');
      assert.deepEqual(
        { from: error.damagedFrom, resumeAt: error.resumeAt, reason: error.reason, damagedBytes: error.damagedBytes },
        { from: 5, resumeAt: 6, reason: 'checksum_mismatch', damagedBytes: frame },
      );
      assert.deepEqual(error.bytes, stored, 'the damaged frame as stored, header included');
      assert.deepEqual(error.context, {
        partition: 0,
        damagedFrom: 5,
        resumeAt: 6,
        reason: 'checksum_mismatch',
        damagedBytes: frame,
        bytesKept: frame,
        end: 15,
        segment: 0,
        pos: 5 * frame,
        stop: 'corrupt',
      });
      assert.deepEqual(await offsets(log, 6), range(6, 15), 'the records after it, across the roll');
      assert.equal((await log.readPacked(0, 6)).count, 9);
      await assert.rejects(log.readPacked(0, 5), LogRecordDamagedError);
    } finally {
      await log.close();
    }
  });

  it('an impossible length field: an unreadable frame, intact records found after it by their checksums', async () => {
    const log = await sealedAndActive((seg0) => writeAt(seg0, 3 * frame + 4, Buffer.from([0xff, 0xff, 0xff, 0xff])));
    try {
      assert.deepEqual(await offsets(log, 0), range(0, 3));
      const error = await damage(log.read(0, 3));
      assert.deepEqual([error.damagedFrom, error.resumeAt, error.reason], [3, 4, 'unreadable_frame']);
      assert.deepEqual(await offsets(log, 4), range(4, 15));
    } finally {
      await log.close();
    }
  });

  it('the last record of a sealed segment: reading resumes at the next segment', async () => {
    const log = await sealedAndActive((seg0) => writeAt(seg0, 9 * frame + HEADER_BYTES, Buffer.from('X')));
    try {
      assert.deepEqual(await offsets(log, 0), range(0, 9));
      const error = await damage(log.read(0, 9));
      assert.deepEqual([error.damagedFrom, error.resumeAt, error.damagedBytes], [9, 10, frame]);
      assert.deepEqual(await offsets(log, 10), range(10, 15));
    } finally {
      await log.close();
    }
  });

  it('a sealed segment cut short mid-frame: the records it lost, resuming at the next segment', async () => {
    const log = await sealedAndActive((seg0) => truncate(seg0, 6 * frame + 7));
    try {
      const error = await damage(log.read(0, 6));
      assert.deepEqual([error.damagedFrom, error.resumeAt, error.reason], [6, 10, 'unreadable_frame']);
      assert.equal(error.bytes.length, 7);
      assert.deepEqual(await offsets(log, 10), range(10, 15));
    } finally {
      await log.close();
    }
  });

  it('a read from past the damage by a fresh reader walks over it without a word', async () => {
    const log = await sealedAndActive((seg0) => writeAt(seg0, 2 * frame + HEADER_BYTES, Buffer.from('X')));
    try {
      assert.deepEqual(await offsets(log, 7), range(7, 15));
      assert.deepEqual(await offsets(log, 3), range(3, 15));
      await assert.rejects(log.read(0, 2), LogRecordDamagedError);
    } finally {
      await log.close();
    }
  });

  it('damaged bytes beyond MAX_DAMAGED_BYTES are counted, not kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lens-log-rot-'));
    dirs.push(dir);
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0, segmentBytes: 1 << 20 });
    const writer = await log.openWriter({ partition: 0 });
    const big = Buffer.alloc(100_000, 0x61);
    await writer.append([Buffer.from('a'), big, Buffer.from('c')]);
    await damageLocalRecord(dir, 0, 1);
    try {
      const error = await damage(log.read(0, 1));
      assert.deepEqual([error.damagedFrom, error.resumeAt], [1, 2]);
      assert.equal(error.damagedBytes, HEADER_BYTES + big.length);
      assert.equal(error.bytes.length, MAX_DAMAGED_BYTES);
      assert.deepEqual(
        (await log.read(0, 2)).map((r) => r.value.toString()),
        ['c'],
      );
    } finally {
      await log.close();
    }
  });

  it('the last acknowledged records of the active segment, while its writer appends on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lens-log-rot-'));
    dirs.push(dir);
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
    const writer = await log.openWriter({ partition: 0 });
    await writer.append(Array.from({ length: 10 }, (_, i) => Buffer.from(`r${i}`)));
    await damageLocalRecord(dir, 0, 8);
    await damageLocalRecord(dir, 0, 9);
    try {
      assert.deepEqual(await offsets(log, 0), range(0, 8));
      const error = await damage(log.read(0, 8));
      assert.deepEqual([error.damagedFrom, error.resumeAt, error.damagedBytes], [8, 10, 2 * frame]);
      assert.deepEqual(await offsets(log, 10), [], 'nothing more yet');
      await writer.append([Buffer.from('r10'), Buffer.from('r11')]);
      assert.deepEqual(await offsets(log, 10), [10, 11]);
      assert.equal((await damage(log.read(0, 8))).resumeAt, 10, 'the span ends where intact records resume');
    } finally {
      await log.close();
    }
  });

  it('records missing from the active segment (cut at a frame boundary): the span resumes at the durable end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lens-log-rot-'));
    dirs.push(dir);
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
    const writer = await log.openWriter({ partition: 0 });
    await writer.append(Array.from({ length: 10 }, (_, i) => Buffer.from(`r${i}`)));
    await truncate(layout.segmentPath(dir, 0, 0), 7 * frame);
    try {
      const error = await damage(log.read(0, 7));
      assert.deepEqual(
        [error.damagedFrom, error.resumeAt, error.reason, error.bytes.length],
        [7, 10, 'missing_records', 0],
      );
    } finally {
      await writer.close();
      await log.close();
    }
  });
});
