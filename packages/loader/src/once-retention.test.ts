// `lens loader --once` (run from cron, say) deletes the log segments it has loaded past, as the long-running
// loader does every minute: else the log grew until the disk was full and the collector answered 503.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createEventLog } from '@lens/log';
import { LoaderConfig } from '@lens/protocol';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord } from './testing/records.js';

it('a run with --once deletes the log segments every consumer has passed', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-loader-once-retention-'));
  const log = await createEventLog({
    backend: 'local',
    dir: join(dataDir, 'log'),
    minFreeDiskBytes: 0,
    segmentBytes: 4096,
  });
  try {
    const at = '2026-03-10T12:00:00.000Z';
    const writer = await log.openWriter();
    for (let i = 0; i < 40; i++)
      await writer.append([acceptedRecord({ messageId: `m${i}`, receivedAt: at, timestamp: at })]);
    await writer.close();
    const segments = async () =>
      (await readdir(join(dataDir, 'log', 'partitions', '0'))).filter((f) => f.endsWith('.seg'));
    const before = (await segments()).length;
    assert.ok(before > 2, `${before} segments written`);
    const stats = await runLoaderOnce({ config: LoaderConfig.parse({ port: 0 }), dataDir, log });
    assert.equal(stats.eventsLoaded, 40);
    assert.deepEqual((await log.read(0, 39)).length, 1, 'the last segment is kept');
    assert.equal((await segments()).length, 1, 'every segment before the active one is gone');
  } finally {
    await log.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
