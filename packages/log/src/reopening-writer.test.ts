// The collector's writer comes back after a failed write: a full disk for a moment must not leave the collector
// answering 503 to every request until someone restarts it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEventLog } from './create-event-log.js';
import { LogClosedError } from './errors.js';
import type { AppendResult, EventLog, LogWriter } from './event-log.js';
import { REOPEN_MIN_INTERVAL_MS, ReopeningWriter } from './reopening-writer.js';

const quiet = { info: () => {}, error: () => {} };

/** A writer whose appends fail the way a local writer's do after ENOSPC: LogClosedError until reopened. */
function failedWriter(partition: number): LogWriter & { closed: boolean } {
  return {
    partition,
    closed: false,
    append: () => Promise.reject(new LogClosedError('append to partition 0 failed: ENOSPC: no space left on device')),
    async close() {
      this.closed = true;
    },
  };
}

test('after a failed write the next append goes to a reopened writer of the same partition', async () => {
  const failed = failedWriter(3);
  const opened: Array<number | undefined> = [];
  const healthy: LogWriter = {
    partition: 3,
    append: async (values): Promise<AppendResult> => ({ partition: 3, firstOffset: 10, lastOffset: 9 + values.length }),
    close: async () => {},
  };
  const log = {
    openWriter: async (options: { partition?: number } = {}) => {
      opened.push(options.partition);
      return healthy;
    },
  } as unknown as EventLog;
  const writer = new ReopeningWriter(log, failed, quiet);
  await assert.rejects(writer.append([Buffer.from('a')]), LogClosedError); // not stored: the client gets 503
  assert.deepEqual(await writer.append([Buffer.from('b')]), { partition: 3, firstOffset: 10, lastOffset: 10 });
  assert.equal(failed.closed, true);
  assert.deepEqual(opened, [3]);
});

test('a reopen that fails is retried by a later append, at most once a second', async () => {
  let attempts = 0;
  const log = {
    openWriter: async () => {
      attempts++;
      if (attempts === 1) throw new Error('EIO: i/o error, open');
      return {
        partition: 0,
        append: async () => ({ partition: 0, firstOffset: 0, lastOffset: 0 }),
        close: async () => {},
      };
    },
  } as unknown as EventLog;
  const writer = new ReopeningWriter(log, failedWriter(0), quiet);
  await assert.rejects(writer.append([Buffer.from('a')]));
  await assert.rejects(writer.append([Buffer.from('b')])); // first reopen failed; too soon for another
  assert.equal(attempts, 1);
  await new Promise((resolve) => setTimeout(resolve, REOPEN_MIN_INTERVAL_MS + 50));
  await assert.rejects(writer.append([Buffer.from('c')]));
  assert.deepEqual(await writer.append([Buffer.from('d')]), { partition: 0, firstOffset: 0, lastOffset: 0 });
  assert.equal(attempts, 2);
});

test('with the local log, appends continue at the next offset of the same partition after the writer failed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-reopen-'));
  const log = await createEventLog({ backend: 'local', dir, minFreeDiskBytes: 0 });
  try {
    const inner = await log.openWriter();
    const writer = new ReopeningWriter(log, inner, quiet);
    assert.equal((await writer.append([Buffer.from('one')])).firstOffset, 0);
    await inner.close(); // stands for a writer that failed: it refuses every append with LogClosedError
    await assert.rejects(writer.append([Buffer.from('lost')]), LogClosedError);
    const next = await writer.append([Buffer.from('two')]);
    assert.deepEqual(next, { partition: inner.partition, firstOffset: 1, lastOffset: 1 });
    const values = (await log.read(inner.partition, 0)).map((r) => r.value.toString());
    assert.deepEqual(values, ['one', 'two']);
    await writer.close();
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
});
