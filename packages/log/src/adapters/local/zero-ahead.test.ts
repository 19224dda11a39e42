// The writer keeps its active segment zero-filled ahead of the data while group commits are small: readers see
// only records, a sealed or closed segment ends at its last frame, and after a crash recovery trims the zeros
// quietly and appends go on at the next offset.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logger.js';
import { createLocalEventLog } from './local-event-log.js';
import { HEADER_BYTES } from './record-format.js';
import { layout, listSegments } from './segment-files.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lens-log-zeros-'));
  dirs.push(dir);
  return dir;
}

const record = (i: number): Buffer => Buffer.from(`record-${String(i).padStart(4, '0')}`);
const frameBytes = HEADER_BYTES + record(0).length;

/** The segment's size once a zero-fill has made it larger than `dataBytes` (waits up to 2 s for the fill). */
async function sizeOnceZeroFilled(path: string, dataBytes: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const { size } = await stat(path);
    if (size > dataBytes) return size;
    await sleep(10);
  }
  assert.fail(`the active segment was never zero-filled past its ${dataBytes} bytes of data`);
}

/** Appends records one by one (small group commits) from `from`, returning the next index. */
async function appendEach(writer: { append(values: Buffer[]): Promise<unknown> }, from: number, count: number) {
  for (let i = from; i < from + count; i++) await writer.append([record(i)]);
  return from + count;
}

it('small commits: the active segment is zero-filled ahead, readers get only records, close cuts it back', async () => {
  const dir = await tempDir();
  const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
  const writer = await log.openWriter({ partition: 0 });
  const segment = layout.segmentPath(dir, 0, 0);
  let n = await appendEach(writer, 0, 20);
  const filled = await sizeOnceZeroFilled(segment, n * frameBytes);
  assert.ok(filled >= n * frameBytes + 64 * 1024, `${filled} bytes: zeros well ahead of the data`);
  n = await appendEach(writer, n, 30); // overwriting zeros now
  const read = await log.read(0, 0, { maxRecords: 1000 });
  assert.deepEqual(
    read.map((r) => r.value.toString()),
    Array.from({ length: n }, (_, i) => record(i).toString()),
  );
  await log.close();
  assert.equal((await stat(segment)).size, n * frameBytes, 'closed: the segment ends at its last frame');
});

it('a crash with the zeros in place: recovery trims them without a warning and appends at the next offset', async () => {
  const dir = await tempDir();
  const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
  const writer = await log.openWriter({ partition: 0 });
  const n = await appendEach(writer, 0, 25);
  await sizeOnceZeroFilled(layout.segmentPath(dir, 0, 0), n * frameBytes);
  const crashed = await tempDir();
  await cp(dir, crashed, { recursive: true }); // the files as a crash would leave them: the writer never closed
  await log.close();

  const events: { msg: string; obj: object }[] = [];
  const capture = (obj: object, msg?: string) => void events.push({ msg: msg ?? '', obj });
  const logger: Logger = { debug: capture, info: capture, warn: capture, error: capture };
  const recovered = await createLocalEventLog({ dir: crashed, minFreeDiskBytes: 0, logger });
  try {
    const again = await recovered.openWriter({ partition: 0 });
    assert.deepEqual(await again.append([record(n)]), { partition: 0, firstOffset: n, lastOffset: n });
    const read = await recovered.read(0, 0, { maxRecords: 1000 });
    assert.deepEqual(
      read.map((r) => r.value.toString()),
      Array.from({ length: n + 1 }, (_, i) => record(i).toString()),
    );
    const said = events.map((e) => e.msg);
    assert.ok(said.includes('log_zero_tail_trimmed'), said.join());
    assert.ok(!said.includes('log_torn_tail_truncated'), 'zeros the writer put there are not a torn tail');
  } finally {
    await recovered.close();
  }
});

it('rolls: every sealed segment ends at its last frame while the writer appends on', async () => {
  const dir = await tempDir();
  const segmentBytes = 40 * frameBytes + Math.floor(frameBytes / 2); // room left at the end of each: zero-filled
  const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0, segmentBytes });
  const writer = await log.openWriter({ partition: 0 });
  const n = await appendEach(writer, 0, 150);
  const segments = await listSegments(dir, 0);
  assert.ok(segments.length >= 4, `${segments.length} segments`);
  for (const base of segments.slice(0, -1)) {
    const bytes = await readFile(layout.segmentPath(dir, 0, base));
    assert.equal(bytes.length % frameBytes, 0, `segment ${base}: whole frames only`);
    assert.notEqual(bytes.at(-1), 0, `segment ${base} ends with a record's last byte, not zeros`);
  }
  const read = await log.read(0, 0, { maxRecords: 1000 });
  assert.deepEqual(
    read.map((r) => r.offset),
    Array.from({ length: n }, (_, i) => i),
  );
  await log.close();
});

it('large commits (100-event batches) are written as appends, without zeros ahead', async () => {
  const dir = await tempDir();
  const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
  const writer = await log.openWriter({ partition: 0 });
  const big = Buffer.alloc(200 * 1024, 0x61);
  for (let i = 0; i < 12; i++) await writer.append([big]);
  await sleep(100); // time for a zero-fill, had one started
  assert.equal((await stat(layout.segmentPath(dir, 0, 0))).size, 12 * (HEADER_BYTES + big.length));
  await log.close();
});
