// Several loader instances on one log: two child loaders split two partitions without loading anything
// twice, and when one is SIGKILLed the other takes its partition over and carries on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PartitionLeases } from './partition-leases.js';
import { acceptedRecord, readTable, tempDataDir } from './testing/records.js';
import { WorkerProcess } from './testing/worker-process.js';

const CONFIG = { port: 0, flushIntervalMs: 50, leaseTtlMs: 1200 };

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('partition leases', () => {
  let env: Awaited<ReturnType<typeof tempDataDir>>;
  before(async () => {
    env = await tempDataDir();
  });
  after(async () => {
    await WorkerProcess.killAll();
    await env.cleanup();
  });

  it('a lease is exclusive, renewable by its owner only, and taken over once expired', async () => {
    const dir = `${env.dataDir}/unit-leases`;
    const a = new PartitionLeases(dir, 300);
    const b = new PartitionLeases(dir, 300);
    assert.equal(await a.acquire(7), true);
    assert.equal(await b.acquire(7), false);
    assert.equal(await a.renew(7), true);
    assert.equal(a.holds(7), true);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(a.holds(7), false);
    assert.equal(await b.acquire(7), true, 'expired lease taken over');
    assert.equal(await a.renew(7), false, 'the old owner learns it lost the lease');
    assert.deepEqual([a.held(), b.held()], [[], [7]]);
  });

  it('two instances share two partitions, and one takes over when the other dies', async () => {
    const writers = [await env.log.openWriter(), await env.log.openWriter()];
    const ids: string[] = [];
    const feed = async (tag: string, n: number): Promise<void> => {
      for (const [p, w] of writers.entries()) {
        const batch = Array.from({ length: n }, (_, i) => `${tag}-p${p}-${i}`);
        ids.push(...batch);
        await w.append(batch.map((id) => acceptedRecord({ messageId: id })));
      }
    };
    await feed('before', 500);
    const a = await WorkerProcess.start(env.dataDir, CONFIG);
    const b = await WorkerProcess.start(env.dataDir, CONFIG);
    const split = await until('an even split', async () => {
      const [sa, sb] = [await a.stats(), await b.stats()];
      return sa.owned.length === 1 && sb.owned.length === 1 ? [sa.owned[0]!, sb.owned[0]!] : undefined;
    });
    assert.notEqual(split[0], split[1]);
    await feed('shared', 500);
    await a.kill();
    await until('B owning both partitions', async () => ((await b.stats()).owned.length === 2 ? true : undefined));
    await feed('after', 500);
    // B alone must load what was appended after A died, including A's former partition.
    await until('everything loaded', async () =>
      (await readTable(env.dataDir, 'bronze.events', 'count(*) AS n', ''))[0]?.['n'] === ids.length ? true : undefined,
    );
    await b.stop();
    const rows = await readTable(env.dataDir, 'bronze.events', 'message_id, log_partition, log_offset');
    assert.equal(rows.length, ids.length);
    assert.equal(
      new Set(rows.map((r) => `${r['log_partition']}:${r['log_offset']}`)).size,
      ids.length,
      'no log record loaded twice',
    );
    assert.deepEqual(new Set(rows.map((r) => r['message_id'])), new Set(ids));
    await Promise.all(writers.map((w) => w.close()));
  });
});
