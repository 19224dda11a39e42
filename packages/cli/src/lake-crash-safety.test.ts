// Crash safety from the SDK to bronze: `lens collector` and `lens loader` as child processes, SIGKILLed at random
// moments (one, the other or both) during a steady load and restarted; senders retry what was not acknowledged
// with the same messageIds, as SDKs do. At the end bronze.events holds every acknowledged event exactly once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  LENS_BIN,
  TEST_WRITE_KEY,
  killHard,
  startLensCollector,
  startLensLoader,
  tempLensHome,
} from './testing/lens-process.js';

const AUTH = `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('collector and loader SIGKILLed mid-load and restarted: every acknowledged event in bronze.events once', async () => {
  const home = tempLensHome(
    'loader:\n  port: 0\n  flushIntervalMs: 100\n  maxBatchEvents: 300\n  leaseTtlMs: 2000\n  compactEveryCommits: 10\n',
  );
  let collector = await startLensCollector(home);
  let loader = (await startLensLoader(home)).child;
  const acked = new Set<string>();
  const sent = new Set<string>();
  let sending = true;
  let batches = 0;

  /** Posts one batch until it is acknowledged, to whichever collector is up (its port changes at each start). */
  const deliver = async (ids: string[]): Promise<void> => {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${collector.port}/v1/batch`, {
          method: 'POST',
          headers: { authorization: AUTH, 'content-type': 'application/json' },
          body: JSON.stringify({
            batch: ids.map((messageId) => ({ type: 'track', event: 'Load', userId: 'u', messageId })),
          }),
          signal: AbortSignal.timeout(5000),
        });
        if (res.status === 200) {
          const body = (await res.json()) as { accepted: number };
          assert.equal(body.accepted, ids.length);
          for (const id of ids) acked.add(id);
          return;
        }
      } catch {
        // The collector died under the request: send the same events again.
      }
      await sleep(100);
    }
  };
  const sender = async (n: number): Promise<void> => {
    while (sending) {
      const ids = Array.from({ length: 10 }, (_, i) => `s${n}-${batches}-${i}`);
      batches++;
      for (const id of ids) sent.add(id);
      await deliver(ids);
      await sleep(15);
    }
  };
  const senders = [0, 1, 2].map(sender);

  for (let round = 0; round < 8; round++) {
    await sleep(400 + Math.floor(Math.random() * 900));
    const which = round % 3; // collector, loader, both
    if (which !== 1) await killHard(collector.child);
    if (which !== 0) await killHard(loader);
    if (which !== 1) collector = await startLensCollector(home);
    if (which !== 0) loader = (await startLensLoader(home)).child;
  }
  sending = false;
  await Promise.all(senders);
  // Whatever is in the log now reaches bronze: the running loader is stopped hard one last time, and a
  // `lens loader --once` (which waits for the dead one's lease) loads the rest.
  await killHard(loader);
  collector.child.kill('SIGTERM');
  await new Promise((resolve) => collector.child.once('exit', resolve));
  const once = spawnSync(
    process.execPath,
    [LENS_BIN, 'loader', '--once', '--config', home.config, '--data', home.data],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(once.status, 0, once.stderr);

  const out = spawnSync(
    process.execPath,
    [LENS_BIN, 'query', 'SELECT message_id FROM bronze.events', '--data', home.data, '--format', 'json'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(out.status, 0, out.stderr);
  const counts = new Map<string, number>();
  for (const row of JSON.parse(out.stdout) as { message_id: string }[])
    counts.set(row.message_id, (counts.get(row.message_id) ?? 0) + 1);

  assert.ok(acked.size > 500, `the load acknowledged only ${acked.size} events`);
  const missing = [...acked].filter((id) => !counts.has(id));
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged events are not in bronze.events`);
  const repeated = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(repeated.slice(0, 5), [], `${repeated.length} message ids more than once`);
  const unknown = [...counts.keys()].filter((id) => !sent.has(id));
  assert.deepEqual(unknown, []);
});
