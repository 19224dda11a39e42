// Recovery on open, by hand-made damage: garbage and half-written frames after the durable end are cut off;
// a damaged acknowledged record is reported and its offset skipped, never handed out again.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, readdir, rm, stat, truncate, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogCorruptionError } from '../../errors.js';
import type { Logger } from '../../logger.js';
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
  const records = await log.read(0, 0);
  await log.close();
  return { appended, records: records.map((r) => [r.offset, r.value.toString()]) };
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
    const { appended, records } = await reopenAndAppend(dir, logger);
    assert.ok(logger.events.includes('log_acknowledged_records_lost'));
    assert.deepEqual(appended, { partition: 0, firstOffset: 10, lastOffset: 10 });
    assert.deepEqual(records, [...expected([]).slice(0, 9), [10, 'new']]);
  });
  it('a damaged acknowledged record mid-segment loses that record only: the intact ones after it are kept', async () => {
    const { dir, seg } = await tenRecords();
    const frameBytes = HEADER_BYTES + 2; // 'r0'..'r9'
    const fh = await open(seg, 'r+');
    await fh.write(Buffer.from('X'), 0, 1, 4 * frameBytes + HEADER_BYTES); // r4's payload: its checksum fails
    await fh.close();
    const logger = capture();
    const { appended, records } = await reopenAndAppend(dir, logger);
    assert.ok(logger.events.includes('log_damaged_records_skipped'));
    assert.ok(!logger.events.includes('log_acknowledged_records_lost'));
    assert.deepEqual(appended, { partition: 0, firstOffset: 10, lastOffset: 10 });
    assert.deepEqual(records, [...expected([]).filter(([o]) => o !== 4), [10, 'new']]);
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
    assert.deepEqual(
      (await log.read(0, 4)).map((r) => r.offset),
      [5, 6, 7, 8, 9, 10],
      'a consumer at the damaged offset moves on',
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

describe('local partition reads', () => {
  it('a damaged record in a sealed segment: reads return the intact records before it, then throw at it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lens-log-rot-'));
    dirs.push(dir);
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0, segmentBytes: 10 * (HEADER_BYTES + 2) });
    const writer = await log.openWriter({ partition: 0 });
    await writer.append(Array.from({ length: 15 }, (_, i) => Buffer.from(`r${i % 10}`)));
    await log.close();
    const fh = await open(layout.segmentPath(dir, 0, 0), 'r+');
    await fh.write(Buffer.from('X'), 0, 1, 5 * (HEADER_BYTES + 2) + HEADER_BYTES); // r5 (bit rot)
    await fh.close();
    const reader = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
    try {
      assert.deepEqual(
        (await reader.read(0, 0)).map((r) => r.offset),
        [0, 1, 2, 3, 4],
      );
      await assert.rejects(reader.read(0, 5), LogCorruptionError);
    } finally {
      await reader.close();
    }
  });
});
