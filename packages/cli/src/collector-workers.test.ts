// `lens collector --workers 2`: two processes share the port, each appending to its own log partition, and /metrics
// answers for all of them; SIGTERM stops them all cleanly (the primary exits 0, nothing acknowledged is lost).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { createEventLog } from '@lens/log';
import { acceptedEvents, decodeLogRecord } from '@lens/protocol';
import { TEST_WRITE_KEY, startLensCollector, tempLensHome } from './testing/lens-process.js';

const AUTH = `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}`;

it('several collector processes share the port and stop on SIGTERM with every acknowledged event in the log', async () => {
  const home = tempLensHome();
  const collector = await startLensCollector(home, ['--workers', '2']);
  const deadline = Date.now() + 20_000;
  while ((collector.output().match(/"msg":"collector_listening"/g) ?? []).length < 2) {
    assert.ok(Date.now() < deadline, `the second worker did not start:\n${collector.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const acked: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async (_, sender) => {
      for (let i = 0; i < 25; i++) {
        const messageId = `w-${sender}-${i}`;
        // A new connection per request, so the primary spreads them over both workers.
        const res = await fetch(`http://127.0.0.1:${collector.port}/v1/track`, {
          method: 'POST',
          headers: { authorization: AUTH, 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ userId: `u${sender}`, event: 'Shared Port', messageId }),
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        acked.push(messageId);
      }
    }),
  );

  // /metrics reaches one worker per scrape; each answers with the whole cluster's counters.
  try {
    await scrapeAll(collector.port, acked.length);
  } catch (error) {
    collector.child.kill('SIGKILL'); // else the collector outlives the failed test and the run never ends
    throw error;
  }

  const exited = new Promise<number | null>((resolve) => collector.child.once('exit', (code) => resolve(code)));
  collector.child.kill('SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000)),
  ]);
  if (code === 'timeout') collector.child.kill('SIGKILL');
  assert.equal(code, 0, 'the collector exits on SIGTERM');

  const log = await createEventLog({ backend: 'local', dir: join(home.data, 'log') });
  const byPartition = new Map<number, number>();
  const seen = new Set<string>();
  for (const partition of await log.partitions()) {
    const records = await log.read(partition, (await log.bounds(partition)).start, { maxRecords: 10_000 });
    byPartition.set(partition, records.length);
    for (const record of records) {
      for (const { event } of acceptedEvents(decodeLogRecord(record.value))) seen.add(event.messageId);
    }
  }
  await log.close();
  assert.deepEqual(
    acked.filter((id) => !seen.has(id)),
    [],
    'every acknowledged event is in the log',
  );
  assert.equal(byPartition.size, 2, 'one partition per worker');
  assert.ok(
    [...byPartition.values()].every((n) => n > 0),
    `both workers served requests: ${JSON.stringify([...byPartition])}`,
  );
});

/** Scrapes /metrics on new connections (so they spread over the workers); each must count every event. */
async function scrapeAll(port: number, sent: number): Promise<void> {
  for (let scrape = 0; scrape < 4; scrape++) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { connection: 'close' } })).text();
    const accepted = [...text.matchAll(/^lens_collector_events_accepted_total\{[^}]*\} (\d+)/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    assert.equal(accepted, sent, `scrape ${scrape}: ${accepted} events accepted, ${sent} sent`);
  }
}
