// Local adapter against real child processes: a writer SIGKILLed mid-load loses no acknowledged record,
// two processes write two partitions at once, locks hold across processes, readers see another process's appends.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PartitionLockedError } from '../../errors.js';
import type { EventLog, LogRecord } from '../../event-log.js';
import { startAppendWorker, workerValue } from '../../testing/worker-harness.js';
import { createLocalEventLog } from './local-event-log.js';
import { listSegments } from './segment-files.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lens-log-mp-'));
  dirs.push(dir);
  return dir;
}

async function readAll(log: EventLog, partition: number): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (;;) {
    const batch = await log.read(partition, out.length, { maxRecords: 333 });
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

describe('local EventLog across processes', () => {
  it('after SIGKILL mid-load every acknowledged record is readable, intact, exactly once; appends continue', async () => {
    const dir = await tempDir();
    const worker = startAppendWorker({ dir, partition: 0, concurrency: 8, segmentBytes: 16 * 1024 });
    await worker.waitForAcks(600);
    worker.child.kill('SIGKILL');
    assert.equal((await worker.exited).signal, 'SIGKILL');
    const acks = [...worker.acks];

    const log = await createLocalEventLog({ dir, segmentBytes: 16 * 1024, minFreeDiskBytes: 0 });
    try {
      const writer = await log.openWriter({ partition: 0 }); // the dead worker's lock is stale and taken over
      const records = await readAll(log, 0);
      records.forEach((r, i) => assert.equal(r.offset, i));
      assert.equal((await log.bounds(0)).end, records.length);
      for (const ack of acks) {
        for (let o = ack.first; o <= ack.last; o++) {
          assert.ok(records[o], `acknowledged offset ${o} missing (have ${records.length})`);
          assert.deepEqual(records[o]!.value, workerValue(worker.pid, ack.seq + o - ack.first), `offset ${o}`);
        }
      }
      const seqs = records.map((r) => r.value.toString().split(':')[1]);
      assert.equal(new Set(seqs).size, seqs.length, 'no value stored twice');
      assert.ok((await listSegments(dir, 0)).length > 2, 'the load rolled segments');
      const next = await writer.append([Buffer.from('after-crash')]);
      assert.equal(next.firstOffset, records.length);
      assert.equal((await log.read(0, records.length))[0]!.value.toString(), 'after-crash');
    } finally {
      await log.close();
    }
  });

  it("two processes append to two partitions at once; each partition holds its own writer's acknowledged records", async () => {
    const dir = await tempDir();
    const workers = [0, 1].map(() => startAppendWorker({ dir, concurrency: 4 }));
    // Both run until both have appended a lot, so they certainly held their partitions at the same time.
    await Promise.all(workers.map((w) => w.waitForAcks(150)));
    const partitions = await Promise.all(workers.map((w) => w.partition));
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    assert.deepEqual([...partitions].sort(), [0, 1]);
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
    try {
      for (const [i, worker] of workers.entries()) {
        const records = await readAll(log, partitions[i]!);
        const pids = new Set(records.map((r) => r.value.toString().split(':')[0]));
        assert.deepEqual([...pids], [String(worker.pid)], "a partition holds one writer's records only");
        for (const ack of worker.acks) {
          assert.deepEqual(records[ack.last]?.value, workerValue(worker.pid, ack.seq + ack.last - ack.first));
        }
      }
    } finally {
      await log.close();
    }
  });

  it('a live writer in another process holds its partition; a reader here sees its appends as they land', async () => {
    const dir = await tempDir();
    const worker = startAppendWorker({ dir, partition: 0, concurrency: 2 });
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: 0 });
    try {
      await worker.waitForAcks(20);
      await assert.rejects(
        log.openWriter({ partition: 0 }),
        (e: unknown) => e instanceof PartitionLockedError && e.context['holderPid'] === worker.pid,
      );
      const other = await log.openWriter();
      assert.equal(other.partition, 1);
      let seen = 0;
      for (const target of [50, 150, 300]) {
        await worker.waitForAcks(target);
        const acked = Math.max(...worker.acks.map((a) => a.last)) + 1; // printed only after the marker moved
        const records = await log.read(0, seen, { maxRecords: 100_000 });
        records.forEach((r, i) => assert.equal(r.offset, seen + i));
        seen += records.length;
        assert.ok(seen >= acked, `reader saw ${seen} records, ${acked} were acknowledged`);
      }
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
      await log.close();
    }
  });
});
