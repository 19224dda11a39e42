// `lens loader --once` right after a loader was killed: the dead loader's leases are no longer renewed and lapse
// within one lease period; the pass waits for them instead of skipping the partitions and loading nothing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { LoaderConfig } from '@lens/protocol';
import { PartitionLeases } from './partition-leases.js';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, tempDataDir } from './testing/records.js';

it('waits for the leases of a loader killed moments ago to lapse, then loads their partitions', async () => {
  const env = await tempDataDir();
  try {
    const at = '2026-03-10T12:00:00.000Z';
    const writer = await env.log.openWriter();
    await writer.append([1, 2, 3].map((i) => acceptedRecord({ messageId: `m${i}`, receivedAt: at, timestamp: at })));
    await writer.close();
    const config = LoaderConfig.parse({ port: 0, leaseTtlMs: 800 });
    // A loader that took the partition and died: its lease stays until it lapses.
    const dead = new PartitionLeases(join(env.dataDir, 'loader', 'leases'), config.leaseTtlMs);
    assert.equal(await dead.acquire(writer.partition), true);
    const stats = await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    assert.deepEqual(stats.owned, [writer.partition]);
    assert.equal(stats.eventsLoaded, 3);
  } finally {
    await env.cleanup();
  }
});
