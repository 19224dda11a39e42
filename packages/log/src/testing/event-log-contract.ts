// The one contract suite of the EventLog port, run against every adapter (memory, local, later NATS): what
// the collector and loader rely on — ordering, consecutive offsets, durability across reopen, exclusivity, retention.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LogArgumentError,
  LogClosedError,
  LogRecordDamagedError,
  OffsetOutOfRangeError,
  PartitionLockedError,
} from '../errors.js';
import { MAX_DAMAGED_BYTES, type EventLog, type PackedRecords } from '../event-log.js';

/** What a contract run needs from an adapter: a fresh empty log, optionally a way to reopen its storage. */
export interface EventLogFixture {
  log: EventLog;
  /** Opens the same storage again (the caller closes `log` first); omit when the adapter cannot. */
  reopen?: () => Promise<EventLog>;
  /**
   * Damages the stored record at `offset` underneath the log, as a disk fault would (for the local adapter a
   * flipped byte: its checksum fails). Omit when the backend's storage cannot be damaged from a test; the damage
   * tests then pass without running.
   */
  damage?: (partition: number, offset: number) => Promise<void>;
  cleanup: () => Promise<void>;
}

const buf = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Buffer) => b.toString('utf8');

/**
 * Registers the EventLog contract tests for one adapter. `open` must return a fresh, empty log whose segments
 * roll at 4 KiB or less (records count as payload + about 24 bytes), so retention has segments to delete.
 *
 * @example
 * runEventLogContract('memory', async () => ({ log: createMemoryEventLog({ segmentBytes: 2048 }), cleanup: async () => {} }));
 */
export function runEventLogContract(name: string, open: () => Promise<EventLogFixture>): void {
  /** Runs `body` on a fresh fixture and always cleans up, so one failing test does not leak into the next. */
  const withLog = (body: (f: EventLogFixture) => Promise<void>) => async () => {
    const fixture = await open();
    try {
      await body(fixture);
    } finally {
      await fixture.log.close().catch(() => {});
      await fixture.cleanup();
    }
  };

  describe(`EventLog contract: ${name}`, () => {
    it(
      'appends and reads back values in order with consecutive offsets from 0',
      withLog(async ({ log }) => {
        const writer = await log.openWriter();
        const before = Date.now();
        assert.deepEqual(await writer.append([buf('a'), buf('b')]), {
          partition: writer.partition,
          firstOffset: 0,
          lastOffset: 1,
        });
        assert.deepEqual(await writer.append([buf('c')]), {
          partition: writer.partition,
          firstOffset: 2,
          lastOffset: 2,
        });
        const records = await log.read(writer.partition, 0);
        assert.deepEqual(
          records.map((r) => [r.partition, r.offset, text(r.value)]),
          [
            [writer.partition, 0, 'a'],
            [writer.partition, 1, 'b'],
            [writer.partition, 2, 'c'],
          ],
        );
        for (const r of records)
          assert.ok(r.timestamp >= before - 1 && r.timestamp <= Date.now() + 1, `timestamp ${r.timestamp}`);
        assert.deepEqual(await log.read(writer.partition, 3), [], 'caught up reads are empty');
        assert.deepEqual(await log.partitions(), [writer.partition]);
      }),
    );

    it(
      "a partition's identity exists once it does, is the same for every reader and stays across reopening",
      withLog(async (fixture) => {
        const { log } = fixture;
        assert.equal(await log.identity(0), undefined, 'no partition, no identity');
        const first = await log.openWriter();
        const second = await log.openWriter();
        await first.append([buf('a')]);
        const id = await log.identity(first.partition);
        assert.match(id ?? '', /\S{8,}/);
        assert.equal(await log.identity(first.partition), id, 'stable');
        assert.notEqual(await log.identity(second.partition), id, 'each partition its own');
        assert.equal(await log.identity(7), undefined);
        await assert.rejects(log.identity(-1), LogArgumentError);
        if (fixture.reopen === undefined) return;
        await log.close();
        const again = await fixture.reopen();
        try {
          assert.equal(await again.identity(first.partition), id, 'the same storage, the same identity');
        } finally {
          await again.close();
        }
      }),
    );

    it(
      'stores a copy: changing the appended Buffer afterwards changes nothing',
      withLog(async ({ log }) => {
        const writer = await log.openWriter();
        const value = buf('original');
        await writer.append([value, Buffer.alloc(0)]);
        value.write('mutated!');
        const records = await log.read(writer.partition, 0);
        assert.deepEqual(
          records.map((r) => text(r.value)),
          ['original', ''],
        );
      }),
    );

    it(
      '50 concurrent appends all resolve with disjoint, consecutive ranges holding their own values',
      withLog(async ({ log }) => {
        const writer = await log.openWriter();
        const batches = Array.from({ length: 50 }, (_, i) =>
          Array.from({ length: 1 + (i % 3) }, (_, j) => buf(`${i}:${j}`)),
        );
        const results = await Promise.all(batches.map((values) => writer.append(values)));
        const sorted = [...results].sort((a, b) => a.firstOffset - b.firstOffset);
        let expected = 0;
        for (const r of sorted) {
          assert.equal(r.firstOffset, expected, 'ranges are contiguous without gaps or overlaps');
          expected = r.lastOffset + 1;
        }
        const records = await log.read(writer.partition, 0, { maxRecords: 1000 });
        assert.equal(records.length, expected);
        records.forEach((r, i) => assert.equal(r.offset, i));
        results.forEach((r, i) => {
          const got = records.slice(r.firstOffset, r.lastOffset + 1).map((x) => text(x.value));
          assert.deepEqual(got, batches[i]!.map(text));
        });
      }),
    );

    it(
      'reads from the middle and honours maxRecords and maxBytes (always at least one record)',
      withLog(async ({ log }) => {
        const writer = await log.openWriter();
        await writer.append(Array.from({ length: 20 }, (_, i) => buf(`v${String(i).padStart(2, '0')}`))); // 3 bytes each
        assert.deepEqual(
          (await log.read(writer.partition, 7, { maxRecords: 3 })).map((r) => r.offset),
          [7, 8, 9],
        );
        assert.deepEqual(
          (await log.read(writer.partition, 10, { maxBytes: 9 })).map((r) => r.offset),
          [10, 11, 12],
        );
        assert.deepEqual(
          (await log.read(writer.partition, 10, { maxBytes: 10 })).map((r) => r.offset),
          [10, 11, 12],
        );
        assert.deepEqual(
          (await log.read(writer.partition, 5, { maxBytes: 1 })).map((r) => r.offset),
          [5],
        );
        assert.deepEqual(
          (await log.read(writer.partition, 15)).map((r) => text(r.value)),
          ['v15', 'v16', 'v17', 'v18', 'v19'],
        );
        assert.deepEqual(await log.read(writer.partition, 25), []);
        assert.deepEqual(await log.read(99, 0), [], 'a partition that does not exist reads empty');
      }),
    );

    it(
      'readPacked returns what read returns, in one buffer (across segment rolls, limits, empty reads)',
      withLog(async ({ log }) => {
        const writer = await log.openWriter();
        // Segments roll at 4 KiB or less: 300 records of 1–200 bytes span several.
        const values = Array.from({ length: 300 }, (_, i) => buf(`${i}:`.padEnd(1 + ((i * 37) % 200), 'x')));
        for (let i = 0; i < values.length; i += 30) await writer.append(values.slice(i, i + 30));
        const unpack = (p: PackedRecords) => {
          const bytes = new Uint8Array(p.buffer);
          return Array.from({ length: p.count }, (_, i) => ({
            partition: writer.partition,
            offset: p.offsets[i]!,
            timestamp: p.timestamps[i]!,
            value: Buffer.from(bytes.subarray(i === 0 ? 0 : p.ends[i - 1]!, p.ends[i]!)),
          }));
        };
        for (const [from, options] of [
          [0, {}],
          [0, { maxRecords: 1000, maxBytes: 1 << 20 }],
          [17, { maxRecords: 5 }],
          [100, { maxBytes: 500 }],
          [250, { maxBytes: 1 }],
          [299, {}],
          [300, {}],
        ] as const) {
          const packed = await log.readPacked(writer.partition, from, options);
          const records = await log.read(writer.partition, from, options);
          assert.deepEqual(unpack(packed), records, `from ${from} ${JSON.stringify(options)}`);
          assert.equal(
            packed.bytes,
            records.reduce((n, r) => n + r.value.length, 0),
          );
          // A recycled buffer (old bytes in it) or one too small to pack into gives the same records.
          for (const size of [1 << 20, 8]) {
            const into = new Uint8Array(size).fill(0x7e).buffer;
            const again = await log.readPacked(writer.partition, from, { ...options, into });
            assert.deepEqual(unpack(again), records, `from ${from} ${JSON.stringify(options)} into ${size} bytes`);
          }
        }
        const into = new ArrayBuffer(1 << 20);
        const packed = await log.readPacked(writer.partition, 0, { maxBytes: 1 << 20, into });
        assert.equal(packed.buffer, into, 'a buffer large enough for the read limit is packed into');
        // A caught-up consumer polls with reads that find nothing: they must not allocate a read's buffers each time.
        const { end } = await log.bounds(writer.partition);
        const caughtUp = await log.readPacked(writer.partition, end, { into });
        assert.equal(caughtUp.count, 0);
        assert.equal(caughtUp.buffer, into, 'a read that finds nothing hands the buffer back');
        assert.equal((await log.readPacked(writer.partition, end)).buffer.byteLength, 0, 'nor allocates one');
        assert.equal((await log.readPacked(99, 0)).count, 0, 'a partition that does not exist reads empty');
      }),
    );

    it(
      'bounds follow appends; a new partition is {0, 0}',
      withLog(async ({ log }) => {
        assert.deepEqual(await log.bounds(7), { start: 0, end: 0 });
        const writer = await log.openWriter({ partition: 7 });
        assert.deepEqual(await log.bounds(7), { start: 0, end: 0 });
        await writer.append([buf('x'), buf('y'), buf('z')]);
        assert.deepEqual(await log.bounds(7), { start: 0, end: 3 });
        assert.deepEqual(await log.partitions(), [7]);
      }),
    );

    it(
      'rejects bad input with LogArgumentError',
      withLog(async ({ log }) => {
        const writer = await log.openWriter();
        await assert.rejects(writer.append([]), LogArgumentError);
        await assert.rejects(writer.append(['str' as unknown as Buffer]), LogArgumentError);
        await assert.rejects(log.read(writer.partition, -1), LogArgumentError);
        await assert.rejects(log.commit('../etc', 0, 1), LogArgumentError);
        await assert.rejects(log.commit('loader', 0, 1.5), LogArgumentError);
        await assert.rejects(log.openWriter({ partition: -2 }), LogArgumentError);
      }),
    );

    it(
      'one live writer per partition; openWriter() without a partition takes a free one',
      withLog(async ({ log }) => {
        const first = await log.openWriter({ partition: 0 });
        await assert.rejects(log.openWriter({ partition: 0 }), (error: unknown) => {
          assert.ok(error instanceof PartitionLockedError, String(error));
          assert.match(error.message, /partition 0/);
          return true;
        });
        const second = await log.openWriter();
        assert.notEqual(second.partition, 0);
        const third = await log.openWriter();
        assert.ok(![0, second.partition].includes(third.partition));
        await first.close();
        await assert.rejects(first.append([buf('late')]), LogClosedError);
        const again = await log.openWriter();
        assert.equal(again.partition, 0, 'a released partition is reused before a new one is created');
        await again.append([buf('ok')]);
        assert.deepEqual(
          (await log.partitions()).sort((a, b) => a - b),
          [0, second.partition, third.partition].sort((a, b) => a - b),
        );
      }),
    );

    it(
      'concurrent openWriter calls: one wins an explicit partition, implicit ones get distinct partitions',
      withLog(async ({ log }) => {
        const explicit = await Promise.allSettled([0, 1, 2].map(() => log.openWriter({ partition: 5 })));
        assert.equal(explicit.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of explicit)
          if (r.status === 'rejected') assert.ok(r.reason instanceof PartitionLockedError, String(r.reason));
        const implicit = await Promise.all([0, 1, 2, 3].map(() => log.openWriter()));
        const taken = implicit.map((w) => w.partition);
        assert.equal(new Set([...taken, 5]).size, 5, `partitions ${taken} must differ from each other and from 5`);
      }),
    );

    it(
      'closing the log closes its writers',
      withLog(async ({ log }) => {
        const writer = await log.openWriter();
        await writer.append([buf('before')]);
        await log.close();
        await assert.rejects(writer.append([buf('after')]), LogClosedError);
        await assert.rejects(log.read(writer.partition, 0), LogClosedError);
      }),
    );

    it(
      'commit/committed: undefined until committed, last write wins, per consumer and partition',
      withLog(async ({ log }) => {
        assert.equal(await log.committed('loader', 0), undefined);
        await log.commit('loader', 0, 5);
        await log.commit('loader', 0, 9);
        await log.commit('loader', 1, 2);
        await log.commit('audit', 0, 1);
        assert.equal(await log.committed('loader', 0), 9);
        assert.equal(await log.committed('loader', 1), 2);
        assert.equal(await log.committed('audit', 0), 1);
        assert.equal(await log.committed('audit', 1), undefined);
      }),
    );

    it(
      'records, positions and offsets survive close and reopen',
      withLog(async (fixture) => {
        if (fixture.reopen === undefined) return;
        const writer = await fixture.log.openWriter({ partition: 2 });
        await writer.append([buf('one'), buf('two')]);
        await fixture.log.commit('loader', 2, 1);
        await fixture.log.close();
        const log = await fixture.reopen();
        try {
          assert.deepEqual(
            (await log.read(2, 0)).map((r) => text(r.value)),
            ['one', 'two'],
          );
          assert.equal(await log.committed('loader', 2), 1);
          const again = await log.openWriter({ partition: 2 });
          assert.deepEqual(await again.append([buf('three')]), { partition: 2, firstOffset: 2, lastOffset: 2 });
          assert.deepEqual(await log.bounds(2), { start: 0, end: 3 });
        } finally {
          await log.close();
        }
      }),
    );

    it(
      'a record damaged in storage: reads stop before it, report the span and its bytes, and resume after it',
      withLog(async (fixture) => {
        if (fixture.damage === undefined) return;
        const writer = await fixture.log.openWriter({ partition: 0 });
        const payload = (i: number) => buf(`${String(i).padStart(4, '0')}${'.'.repeat(96)}`); // 100 bytes
        for (let i = 0; i < 60; i += 10) await writer.append(Array.from({ length: 10 }, (_, j) => payload(i + j)));
        await fixture.damage(0, 5); // in the first segment, sealed long ago (segments roll at 4 KiB or less)
        await fixture.damage(0, 40); // two in a row further on: one span
        await fixture.damage(0, 41);
        const offsets = async (log: EventLog, from: number) => (await log.read(0, from)).map((r) => r.offset);
        const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
        const damaged = (from: number, resumeAt: number) => (error: unknown) => {
          assert.ok(error instanceof LogRecordDamagedError, String(error));
          assert.equal(error.partition, 0);
          assert.equal(error.damagedFrom, from);
          assert.equal(error.resumeAt, resumeAt);
          assert.equal(error.retriable, false);
          assert.ok(error.damagedBytes >= error.bytes.length, `${error.damagedBytes} >= ${error.bytes.length}`);
          assert.ok(error.bytes.length > 0 && error.bytes.length <= MAX_DAMAGED_BYTES, `${error.bytes.length} bytes`);
          assert.match(error.message, new RegExp(`partition 0: records? ${from}`));
          return true;
        };
        const check = async (log: EventLog, end: number) => {
          assert.deepEqual(await offsets(log, 0), range(0, 5), 'a read stops before the damage');
          await assert.rejects(log.read(0, 5), damaged(5, 6));
          await assert.rejects(log.readPacked(0, 5), damaged(5, 6));
          assert.deepEqual(await offsets(log, 6), range(6, 40), 'records after the damage are readable');
          assert.deepEqual(await offsets(log, 20), range(20, 40));
          await assert.rejects(log.read(0, 40), damaged(40, 42));
          await assert.rejects(log.read(0, 41), damaged(41, 42));
          assert.deepEqual(await offsets(log, 42), range(42, end));
          assert.deepEqual(await log.bounds(0), { start: 0, end }, 'damage moves no bound');
        };
        await check(fixture.log, 60);
        assert.deepEqual(await writer.append([payload(60)]), { partition: 0, firstOffset: 60, lastOffset: 60 });
        assert.deepEqual(await offsets(fixture.log, 42), range(42, 61));
        if (fixture.reopen === undefined) return;
        await fixture.log.close();
        const log = await fixture.reopen();
        try {
          assert.deepEqual(await offsets(log, 30), range(30, 40), 'a fresh reader from past the damage');
          await check(log, 61);
        } finally {
          await log.close();
        }
      }),
    );

    it(
      'retention keeps everything without consumers and deletes only segments every consumer passed',
      withLog(async ({ log }) => {
        const writer = await log.openWriter({ partition: 0 });
        const payload = (i: number) => buf(`${String(i).padStart(4, '0')}${'.'.repeat(196)}`); // 200 bytes
        for (let i = 0; i < 100; i += 10) await writer.append(Array.from({ length: 10 }, (_, j) => payload(i + j)));
        assert.deepEqual(await log.enforceRetention(), { deletedSegments: 0, deletedBytes: 0 });
        assert.deepEqual(await log.bounds(0), { start: 0, end: 100 });

        await log.commit('fast', 0, 90);
        await log.commit('slow', 0, 40);
        const first = await log.enforceRetention();
        assert.ok(first.deletedSegments > 0 && first.deletedBytes > 0, `deleted ${JSON.stringify(first)}`);
        const afterSlow = await log.bounds(0);
        assert.ok(afterSlow.start > 0 && afterSlow.start <= 40, `start ${afterSlow.start} must be in (0, 40]`);
        assert.equal(afterSlow.end, 100);
        assert.equal(text((await log.read(0, 40, { maxRecords: 1 }))[0]!.value).slice(0, 4), '0040');
        await assert.rejects(log.read(0, afterSlow.start - 1), OffsetOutOfRangeError);

        await log.commit('slow', 0, 100);
        await log.enforceRetention();
        const end = await log.bounds(0);
        assert.ok(
          end.start > afterSlow.start && end.start <= 90,
          `start ${end.start} must be in (${afterSlow.start}, 90]`,
        );
        assert.equal(text((await log.read(0, 90, { maxRecords: 1 }))[0]!.value).slice(0, 4), '0090');
        assert.deepEqual(await writer.append([payload(100)]), { partition: 0, firstOffset: 100, lastOffset: 100 });
      }),
    );
  });
}
