// Segment roll-over: files stay under segmentBytes and are named by their first offset, a group spanning
// several segments lands whole, and reads cross segment boundaries from any offset, also after a reopen.
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createLocalEventLog } from './local-event-log.js';
import { HEADER_BYTES, readHeader } from './record-format.js';
import { layout, listSegments } from './segment-files.js';

let dir = '';
after(() => rm(dir, { recursive: true, force: true }));

const value = (i: number) => Buffer.from(`${String(i).padStart(5, '0')}${'-'.repeat(i % 150)}`);

it('rolls segments at segmentBytes and reads across them', async () => {
  dir = await mkdtemp(join(tmpdir(), 'lens-log-roll-'));
  const segmentBytes = 1024;
  const log = await createLocalEventLog({ dir, segmentBytes, minFreeDiskBytes: 0 });
  const writer = await log.openWriter({ partition: 0 });
  let n = 0;
  for (const size of [1, 50, 3, 1, 100, 7]) {
    const r = await writer.append(Array.from({ length: size }, () => value(n++)));
    assert.equal(r.lastOffset, n - 1);
  }
  const big = await writer.append([Buffer.alloc(3000, 7)]); // larger than a segment: alone in its own
  n++;

  const segments = await listSegments(dir, 0);
  assert.ok(segments.length > 10, `${segments.length} segments`);
  for (const [i, base] of segments.entries()) {
    const path = layout.segmentPath(dir, 0, base);
    const size = (await stat(path)).size;
    if (base !== big.firstOffset) assert.ok(size <= segmentBytes, `segment ${base} is ${size} bytes`);
    const fh = await open(path, 'r');
    const head = Buffer.alloc(HEADER_BYTES);
    await fh.read(head, 0, HEADER_BYTES, 0);
    await fh.close();
    if (i < segments.length - 1 || size > 0) assert.equal(readHeader(head, 0)!.offset, base, 'named by first offset');
  }

  const all = [];
  for (let o = 0; o < n;) {
    const batch = await log.read(0, o, { maxRecords: 7 });
    assert.ok(batch.length > 0);
    all.push(...batch);
    o += batch.length;
  }
  assert.deepEqual(
    all.map((r) => r.offset),
    Array.from({ length: n }, (_, i) => i),
  );
  for (let i = 0; i < n - 1; i++) assert.deepEqual(all[i]!.value, value(i));
  assert.equal(all[n - 1]!.value.length, 3000);

  const from = segments[4]! + 1; // inside a segment, then on past its end
  assert.deepEqual(
    (await log.read(0, from, { maxRecords: 40 })).map((r) => r.offset),
    Array.from({ length: 40 }, (_, i) => from + i),
  );
  await log.close();

  const again = await createLocalEventLog({ dir, segmentBytes, minFreeDiskBytes: 0 });
  assert.deepEqual(
    (await again.read(0, 100, { maxRecords: 3 })).map((r) => r.value),
    [value(100), value(101), value(102)],
  );
  assert.deepEqual(await (await again.openWriter({ partition: 0 })).append([value(0)]), {
    partition: 0,
    firstOffset: n,
    lastOffset: n,
  });
  await again.close();
});

it('concurrent reads and bounds of one partition leave no file handle open after close', async (t) => {
  if (process.platform !== 'linux') return t.skip('counts /proc/self/fd');
  const root = await mkdtemp(join(tmpdir(), 'lens-log-handles-'));
  try {
    const writing = await createLocalEventLog({ dir: root, minFreeDiskBytes: 0 });
    const writer = await writing.openWriter({ partition: 0 });
    await writer.append([value(1), value(2), value(3)]);
    await writer.close();
    await writing.close();
    const { readdir } = await import('node:fs/promises');
    const fds = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
    const before = await fds();
    const log = await createLocalEventLog({ dir: root, minFreeDiskBytes: 0 });
    // Lag, resume and retention ask for bounds at once; reads overlap too: each used to open its own handle
    // when none was cached yet, and all but the last leaked (closed by the garbage collector, DEP0137).
    await Promise.all([
      ...Array.from({ length: 5 }, () => log.bounds(0)),
      ...Array.from({ length: 5 }, () => log.read(0, 0)),
    ]);
    await log.close();
    assert.equal(await fds(), before);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
