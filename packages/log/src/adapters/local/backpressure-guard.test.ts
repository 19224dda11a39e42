// Backpressure on the local adapter: appends are refused with a retriable LogBackpressureError when free
// disk is below minFreeDiskBytes or a consumer lags too far, and admitted again once the consumer catches up.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable } from '@lens/protocol';
import { LogBackpressureError } from '../../errors.js';
import { createLocalEventLog } from './local-event-log.js';
import { layout } from './segment-files.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lens-log-bp-'));
  dirs.push(dir);
  return dir;
}

describe('local backpressure', () => {
  it('refuses appends while free disk is below minFreeDiskBytes, with retryAfterMs', async () => {
    const dir = await tempDir();
    const log = await createLocalEventLog({ dir, minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
    const writer = await log.openWriter();
    await assert.rejects(writer.append([Buffer.from('x')]), (error: unknown) => {
      assert.ok(error instanceof LogBackpressureError);
      assert.ok(isRetriable(error));
      assert.ok(error.retryAfterMs > 0);
      assert.equal(error.context['reason'], 'disk_full');
      return true;
    });
    assert.deepEqual(await log.bounds(writer.partition), { start: 0, end: 0 }, 'nothing was written');
    await log.close();
    const relaxed = await createLocalEventLog({ dir, minFreeDiskBytes: 1024 });
    assert.equal((await (await relaxed.openWriter()).append([Buffer.from('x')])).firstOffset, 0);
    await relaxed.close();
  });

  it('refuses appends while a consumer lags more than maxConsumerLagBytes, admits them after it commits', async () => {
    const dir = await tempDir();
    const log = await createLocalEventLog({
      dir,
      minFreeDiskBytes: 0,
      maxConsumerLagBytes: 5000,
      segmentBytes: 2048,
      backpressureCheckIntervalMs: 0,
    });
    const writer = await log.openWriter({ partition: 0 });
    const value = Buffer.alloc(500, 1);
    for (let i = 0; i < 12; i++) await writer.append([value]); // no consumer yet: no limit applies
    await log.commit('loader', 0, 0);
    await assert.rejects(
      writer.append([value]),
      (error: unknown) =>
        error instanceof LogBackpressureError &&
        error.context['reason'] === 'consumer_lag' &&
        (error.context['lagBytes'] as number) > 5000,
    );
    await log.commit('loader', 0, 8);
    assert.equal((await writer.append([value])).firstOffset, 12);
    await log.close();
  });

  it('names the consumer that lags, so an operator knows which one holds the log', async () => {
    const dir = await tempDir();
    const log = await createLocalEventLog({
      dir,
      minFreeDiskBytes: 0,
      maxConsumerLagBytes: 5000,
      segmentBytes: 2048,
      backpressureCheckIntervalMs: 0,
    });
    const writer = await log.openWriter({ partition: 0 });
    const value = Buffer.alloc(500, 1);
    for (let i = 0; i < 12; i++) await writer.append([value]);
    await log.commit('loader', 0, 12);
    await log.commit('forgotten-export', 0, 1);
    await assert.rejects(writer.append([value]), (error: unknown) => {
      assert.ok(error instanceof LogBackpressureError);
      assert.match(error.message, /consumer 'forgotten-export' \(at offset 1\) of partition 0 lags/);
      assert.equal(error.context['consumer'], 'forgotten-export');
      return true;
    });
    await log.close();
  });

  it("counts the active segment's data, not the zeros its writer keeps ahead of it", async () => {
    const dir = await tempDir();
    const log = await createLocalEventLog({
      dir,
      minFreeDiskBytes: 0,
      maxConsumerLagBytes: 100_000,
      backpressureCheckIntervalMs: 0,
    });
    const writer = await log.openWriter({ partition: 0 });
    const value = Buffer.alloc(500, 1);
    for (let i = 0; i < 100; i++) await writer.append([value]); // small commits: zero-filled ahead
    const segment = layout.segmentPath(dir, 0, 0);
    for (let i = 0; i < 200 && (await stat(segment)).size < 1024 * 1024; i++) await sleep(10);
    assert.ok((await stat(segment)).size >= 1024 * 1024, 'the active segment is zero-filled past 1 MiB');
    await log.commit('loader', 0, 50); // ~26 KB behind; the file's size in proportion would say ~500 KB
    assert.equal((await writer.append([value])).firstOffset, 100);
    await log.close();
  });
});
