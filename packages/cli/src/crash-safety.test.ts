// Crash safety of the collector and the local log: a collector process killed with SIGKILL in the middle of a
// steady load, restarted on the same data; every acknowledged event is in the log exactly once.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createEventLog } from '@lens/log';
import { acceptedEvents, decodeLogRecord } from '@lens/protocol';
import { TEST_WRITE_KEY, killHard, startLensCollector, tempLensHome } from './testing/lens-process.js';

const AUTH = `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}`;

/** Senders that post batches of uniquely identified events until stopped; they record what was acknowledged. */
async function loadUntil(
  port: number,
  stopAt: Promise<void>,
  tag: string,
  acked: Set<string>,
  sent: Set<string>,
): Promise<void> {
  let stopped = false;
  void stopAt.then(() => {
    stopped = true;
  });
  let n = 0;
  const sender = async (id: number): Promise<void> => {
    while (!stopped) {
      const ids = Array.from({ length: 10 }, (_, i) => `${tag}-${id}-${n}-${i}`);
      n++;
      for (const messageId of ids) sent.add(messageId);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
          method: 'POST',
          headers: { authorization: AUTH, 'content-type': 'application/json' },
          body: JSON.stringify({
            batch: ids.map((messageId) => ({
              type: 'track',
              event: 'Load',
              userId: `u${id}`,
              messageId,
              properties: { pad: 'x'.repeat(200) },
            })),
          }),
        });
        if (res.status === 200) for (const messageId of ids) acked.add(messageId);
        await res.arrayBuffer();
      } catch {
        return; // the collector is gone
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, i) => sender(i)));
}

describe('collector crash safety', () => {
  it('after SIGKILL mid-load and restart, every acknowledged event is in the log exactly once', async () => {
    const home = tempLensHome();
    const acked = new Set<string>();
    const sent = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const collector = await startLensCollector(home);
      const killAfter = 300 + Math.floor(Math.random() * 700);
      const kill = new Promise<void>((resolve) => setTimeout(resolve, killAfter)).then(() => killHard(collector.child));
      await Promise.all([loadUntil(collector.port, kill, `r${round}`, acked, sent), kill]);
    }
    // One more start proves the log recovers and keeps accepting after the last kill.
    const last = await startLensCollector(home);
    const res = await fetch(`http://127.0.0.1:${last.port}/v1/track`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u', event: 'After', messageId: 'after-restart' }),
    });
    assert.equal(res.status, 200);
    last.child.kill('SIGTERM');
    await new Promise((resolve) => last.child.once('exit', resolve));

    const log = await createEventLog({ backend: 'local', dir: join(home.data, 'log') });
    const seen = new Map<string, number>();
    for (const partition of await log.partitions()) {
      let offset = (await log.bounds(partition)).start;
      for (;;) {
        const records = await log.read(partition, offset, { maxRecords: 5000 });
        if (records.length === 0) break;
        for (const record of records) {
          const payload = decodeLogRecord(record.value);
          assert.notEqual(payload.kind, 'rejected', 'no load event should have been quarantined');
          for (const { event } of acceptedEvents(payload))
            seen.set(event.messageId, (seen.get(event.messageId) ?? 0) + 1);
        }
        offset = records[records.length - 1]!.offset + 1;
      }
    }
    await log.close();

    assert.ok(acked.size > 100, `the load acknowledged only ${acked.size} events`);
    const missing = [...acked].filter((id) => !seen.has(id));
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged events are missing`);
    const duplicated = [...seen].filter(([, count]) => count > 1);
    assert.deepEqual(duplicated.slice(0, 5), [], 'events stored more than once');
    const unknown = [...seen.keys()].filter((id) => !sent.has(id) && id !== 'after-restart');
    assert.deepEqual(unknown, []);
    assert.equal(seen.get('after-restart'), 1);
  });
});
