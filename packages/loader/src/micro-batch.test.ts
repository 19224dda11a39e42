// A micro-batch writes its rows to its files as they come (it keeps no line buffer), refuses lines whose buffer
// was recycled under it, rewrites its events file when the lake engine refused a line, and leaves no file behind.
// The map pool hands its buffers back for reuse.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packLogRecords } from '@lens/log';
import { LoaderConfig } from '@lens/protocol';
import { BatchRowsLostError } from './errors.js';
import { eventLine } from './events-ndjson.js';
import { MapPool } from './map-pool.js';
import { MicroBatch } from './micro-batch.js';
import { acceptedRecord } from './testing/records.js';

const bytes = (text: string): Uint8Array => Buffer.from(text);
const meta = (offset: number) => ({
  partition: 0,
  offset,
  messageId: `m-${offset}`,
  type: 'track',
  receivedAt: '2026-03-04T05:06:07.890Z',
  timestamp: '2026-03-04T05:06:07.000Z',
  correctedFrom: null,
  correction: null,
  isBot: false,
  extra: null,
});

describe('MicroBatch', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lens-micro-batch-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes rows to a file per table as they are added; finish gives the file, or none without rows', () => {
    const batch = new MicroBatch(10, join(dir, 'a'));
    const source = bytes('{"x":1}\n{"x":2}\n{"x":3}\n');
    batch.add('events', source.subarray(0, 16), 2);
    source.fill(0x20); // the batch kept no view of the caller's bytes: they are on disk already
    batch.add('events', bytes('{"x":3}\n'), 1);
    assert.equal(batch.rows('events'), 3);
    const file = batch.finish('events');
    assert.ok(file !== undefined);
    assert.equal(readFileSync(file, 'utf8'), '{"x":1}\n{"x":2}\n{"x":3}\n');
    assert.equal(batch.finish('events'), file, 'finish is idempotent');
    assert.equal(batch.finish('quarantine'), undefined, 'no rows, no file');
    batch.dispose();
    assert.equal(existsSync(file), false, 'dispose deletes the files');
    batch.dispose();
  });

  it('refuses lines that come out empty (a buffer recycled while in use) instead of counting rows it lost', () => {
    const batch = new MicroBatch(20, join(dir, 'b'));
    const buffer = new ArrayBuffer(64);
    const lines = new Uint8Array(buffer, 0, 8);
    structuredClone(buffer, { transfer: [buffer] }); // what a move to a worker does to this thread's views
    assert.throws(
      () => batch.add('events', lines, 1),
      (e: unknown) => e instanceof BatchRowsLostError && /events batch \[20, 20\)/.test(e.message),
    );
    assert.equal(batch.rows('events'), 0);
    batch.dispose();
  });

  it('moves lines the lake engine cannot parse to the quarantine and rewrites the events file without them', async () => {
    const batch = new MicroBatch(0, join(dir, 'c'));
    const good = (o: number) => eventLine(meta(o), `{"sourceId":"web","event":{"type":"track","messageId":"m-${o}"}}`);
    const broken = eventLine(meta(1), '{"sourceId":"web","event":{"type":"track",'); // cut short
    batch.add('events', bytes(`${good(0)}\n${broken}\n${good(2)}\n`), 3);
    batch.add('quarantine', bytes('{"reason":"earlier"}\n'), 1);
    const { moved, offsets } = await batch.quarantineMalformedEvents();
    assert.equal(moved, 1);
    assert.deepEqual(offsets, [1]);
    assert.equal(batch.rows('events'), 2);
    assert.equal(readFileSync(batch.finish('events')!, 'utf8'), `${good(0)}\n${good(2)}\n`);
    assert.equal(batch.rows('quarantine'), 2);
    const quarantine = readFileSync(batch.finish('quarantine')!, 'utf8').trimEnd().split('\n');
    assert.equal(quarantine[0], '{"reason":"earlier"}', 'rows already there are kept');
    const row = JSON.parse(quarantine[1]!) as Record<string, unknown>;
    assert.equal(row['reason'], 'log record: event is not valid JSON');
    assert.equal(row['log_offset'], 1);
    assert.equal(row['message_id'], 'm-1');
    batch.dispose();
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('MapPool buffers', () => {
  it('hands each read buffer back and maps the next request into a line buffer the main thread recycled', async () => {
    const pool = new MapPool(1, LoaderConfig.parse({}).quality);
    try {
      const values = Array.from({ length: 50 }, (_, i) => acceptedRecord({ messageId: `m-${i}` }));
      const records = values.map((value, offset) => ({ partition: 0, offset, timestamp: Date.now(), value }));
      const first = await pool.map(0, packLogRecords(records));
      const input = pool.readBuffer();
      assert.ok(input !== undefined && input.byteLength > 0, 'the read buffer comes back');
      assert.equal(pool.readBuffer(), undefined);
      const lines = Buffer.from(first.lineBytes).toString('utf8');
      const spare = first.lineBytes.buffer as ArrayBuffer;
      const capacity = spare.byteLength;
      pool.recycleLines(spare);
      const second = await pool.map(0, packLogRecords(records, input));
      assert.equal(spare.byteLength, 0, 'the recycled buffer moved to the worker');
      assert.equal(second.lineBytes.buffer.byteLength, capacity, 'and came back holding the next lines');
      assert.equal(Buffer.from(second.lineBytes).toString('utf8'), lines);
    } finally {
      await pool.close();
    }
  });
});
