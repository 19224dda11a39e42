// Exactly once under crashes: a loader child is SIGKILLed at random moments while the log is fed steadily
// (two partitions, resends, rejections, request records), restarted each time; at the end every event is in bronze
// once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LoaderConfig } from '@lens/protocol';
import { lakeTablePath } from './lake-table-path.js';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable, rejectedRecord, requestRecord, tempDataDir } from './testing/records.js';
import { WorkerProcess } from './testing/worker-process.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until a Delta table has at least one commit after its creation (version ≥ 1). */
async function untilCommitted(table: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const commits = await readdir(join(table, '_delta_log')).catch(() => [] as string[]);
    if (commits.filter((f) => f.endsWith('.json')).length >= 2) return;
    await sleep(50);
  }
  throw new Error(`no commit to ${table} within ${timeoutMs} ms`);
}
/** Small batches and frequent compaction: many commits, so kills land in every phase of one. */
const CONFIG = { port: 0, flushIntervalMs: 50, maxBatchEvents: 400, leaseTtlMs: 1500, compactEveryCommits: 15 };

describe('exactly once across SIGKILLs', () => {
  let env: Awaited<ReturnType<typeof tempDataDir>>;
  before(async () => {
    env = await tempDataDir();
  });
  after(async () => {
    await WorkerProcess.killAll();
    await env.cleanup();
  });

  it('loads every accepted event and every rejection exactly once, duplicates once', async () => {
    const writers = [await env.log.openWriter(), await env.log.openWriter()];
    const accepted = new Set<string>();
    const rejected = new Set<string>();
    let feeding = true;
    let appended = 0;
    const feed = (async () => {
      for (let round = 0; feeding; round++) {
        const values: Buffer[] = [];
        for (let i = 0; i < 60; i++) {
          const n = round * 60 + i;
          if (n % 13 === 0) {
            const id = `rej-${n}`;
            rejected.add(id);
            values.push(rejectedRecord({ messageId: id }));
          } else if (n % 5 === 0) {
            // A request record: three events of one request share its log position.
            const ids = ['a', 'b', 'c'].map((k) => `req-${n}-${k}`);
            for (const id of ids) accepted.add(id);
            values.push(requestRecord(ids.map((id) => ({ type: 'track', event: 'E', userId: 'u', messageId: id }))));
          } else if (n % 7 === 0 && accepted.size > 0) {
            values.push(acceptedRecord({ messageId: [...accepted][n % accepted.size]! })); // a resend, maybe across partitions
          } else {
            const id = `ev-${n}-${randomUUID().slice(0, 4)}`;
            accepted.add(id);
            values.push(acceptedRecord({ messageId: id, properties: { n } }));
          }
        }
        await writers[round % 2]!.append(values);
        appended += values.length;
        await sleep(8);
      }
    })();

    for (let life = 0; life < 6; life++) {
      const worker = await WorkerProcess.start(env.dataDir, CONFIG);
      // The first life must load something before it dies, however slow the machine (the check below relies
      // on it); later lives are killed at random moments, loaded or not.
      if (life === 0) await untilCommitted(lakeTablePath(env.dataDir, 'bronze.events'), 30_000);
      await sleep(250 + Math.floor(Math.random() * 900));
      await worker.kill();
    }
    feeding = false;
    await feed;
    const stats = await runLoaderOnce({ config: LoaderConfig.parse(CONFIG), dataDir: env.dataDir, log: env.log });
    assert.ok(appended > 2000, `fed ${appended} records`);
    assert.ok(stats.eventsLoaded < accepted.size, 'the killed loaders had loaded part of the log');

    const events = await readTable(env.dataDir, 'bronze.events', 'message_id, log_partition, log_offset');
    const counts = new Map<string, number>();
    for (const e of events) counts.set(String(e['message_id']), (counts.get(String(e['message_id'])) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(repeated, [], 'no message id twice');
    assert.equal(counts.size, accepted.size);
    for (const id of accepted) assert.ok(counts.has(id), `missing ${id}`);

    const quarantine = await readTable(env.dataDir, 'bronze.quarantine', 'message_id');
    assert.equal(quarantine.length, rejected.size);
    assert.deepEqual(new Set(quarantine.map((q) => String(q['message_id']))), rejected);
    await Promise.all(writers.map((w) => w.close()));
  });

  it('repairs a crash between the events commit and the quarantine commit from the lower marker', async () => {
    const fresh = await tempDataDir();
    try {
      const writer = await fresh.log.openWriter();
      await writer.append([
        acceptedRecord({ messageId: 'a' }),
        rejectedRecord({ messageId: 'r1' }),
        acceptedRecord({ messageId: 'b' }),
        rejectedRecord({ messageId: 'r2' }),
      ]);
      const config = LoaderConfig.parse({ port: 0 });
      await runLoaderOnce({ config, dataDir: fresh.dataDir, log: fresh.log });
      // Undo the quarantine table's batch commit: the state a kill right after the events commit leaves.
      const logDir = join(lakeTablePath(fresh.dataDir, 'bronze.quarantine'), '_delta_log');
      assert.deepEqual((await readdir(logDir)).filter((f) => f.endsWith('.json')).sort(), [
        '00000000000000000000.json',
        '00000000000000000001.json',
      ]);
      await rm(join(logDir, '00000000000000000001.json'));
      assert.equal((await readTable(fresh.dataDir, 'bronze.quarantine')).length, 0);
      await writer.append([acceptedRecord({ messageId: 'c' })]);
      await runLoaderOnce({ config, dataDir: fresh.dataDir, log: fresh.log });
      assert.deepEqual(
        (await readTable(fresh.dataDir, 'bronze.events', 'message_id')).map((r) => r['message_id']),
        ['a', 'b', 'c'],
      );
      assert.deepEqual(
        (await readTable(fresh.dataDir, 'bronze.quarantine', 'message_id')).map((r) => r['message_id']),
        ['r1', 'r2'],
      );
      await writer.close();
    } finally {
      await fresh.cleanup();
    }
  });
});
