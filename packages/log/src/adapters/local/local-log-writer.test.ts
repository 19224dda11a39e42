// Group commit of the local writer, observed through record timestamps (one group = one write + fsync = one
// timestamp): a burst shares one flush, and groupCommitMaxWaitMs gathers appends that arrive across ticks.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalEventLog } from './local-event-log.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function openLog(groupCommitMaxWaitMs: number) {
  const dir = await mkdtemp(join(tmpdir(), 'lens-log-group-'));
  dirs.push(dir);
  return createLocalEventLog({ dir, groupCommitMaxWaitMs, minFreeDiskBytes: 0 });
}

it('a burst of 50 appends shares one write + fsync', async () => {
  const log = await openLog(0);
  const writer = await log.openWriter();
  await writer.append([Buffer.from('warm-up')]);
  await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append([Buffer.from(`b${i}`)])));
  const records = await log.read(writer.partition, 1);
  assert.equal(records.length, 50);
  assert.equal(new Set(records.map((r) => r.timestamp)).size, 1, 'one group, one timestamp');
  await log.close();
});

it('groupCommitMaxWaitMs holds the first append so later ones join its fsync', async () => {
  const log = await openLog(60);
  const writer = await log.openWriter();
  const started = performance.now();
  const pending = [];
  for (let i = 0; i < 5; i++) {
    pending.push(writer.append([Buffer.from(`t${i}`)]));
    await sleep(5); // separate ticks, well apart in time
  }
  const results = await Promise.all(pending);
  assert.ok(performance.now() - started >= 55, 'the first append waited for company');
  assert.deepEqual(
    results.map((r) => r.firstOffset),
    [0, 1, 2, 3, 4],
  );
  const records = await log.read(writer.partition, 0);
  assert.equal(new Set(records.map((r) => r.timestamp)).size, 1, 'all five shared one group');
  await log.close();
});
