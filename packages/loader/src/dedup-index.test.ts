// Duplicates: the SQLite index's verdicts (new, replay of the same record, duplicate, outside the window) and,
// end to end, resends loaded once within the window — across restarts — and again outside it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LoaderConfig } from '@lens/protocol';
import { openDedupIndex } from './dedup-index.js';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable, tempDataDir } from './testing/records.js';

const HOUR = 3_600_000;

describe('duplicates', () => {
  let env: Awaited<ReturnType<typeof tempDataDir>>;
  before(async () => {
    env = await tempDataDir();
  });
  after(async () => env.cleanup());

  it('tells a crash replay of the same record from a duplicate, and honours the window', () => {
    const path = join(env.dataDir, 'unit', 'dedup.sqlite');
    let index = openDedupIndex(path, 24 * HOUR);
    const t0 = Date.UTC(2026, 0, 1);
    const at = (offset: number, partition = 0): { partition: number; offset: number } => ({ partition, offset });
    assert.equal(
      index.batch(() => index.check('web', 'm1', at(10), t0)),
      'new',
    );
    assert.equal(index.check('web', 'm1', at(10), t0), 'replay', 'the same (partition, offset) again is a replay');
    assert.equal(index.check('web', 'm1', at(11), t0 + HOUR), 'duplicate');
    assert.equal(index.check('web', 'm1', at(3, 1), t0 + HOUR), 'duplicate', 'across partitions');
    assert.equal(index.check('app', 'm1', at(12), t0), 'new', 'another source is another event');
    index.close();
    index = openDedupIndex(path, 24 * HOUR); // survives a restart
    assert.equal(index.check('web', 'm1', at(13), t0 + 2 * HOUR), 'duplicate');
    assert.equal(index.check('web', 'm1', at(14), t0 + 25 * HOUR), 'new', 'outside the window');
    assert.equal(index.check('web', 'm1', at(14), t0 + 25 * HOUR), 'replay', 'the newer sighting replaced the old one');
    assert.equal(index.check('web', 'm1', at(15), t0 + 26 * HOUR), 'duplicate');
    assert.equal(index.expire(t0 + 24 * HOUR), 1, 'app/m1 expired');
    assert.equal(index.check('app', 'm1', at(16), t0 + 30 * HOUR), 'new');
    index.close();
  });

  it('loads an event resent within the window once, across restarts, and again outside the window', async () => {
    const writer = await env.log.openWriter();
    const config = LoaderConfig.parse({ port: 0 });
    const now = Date.now();
    const at = (ms: number): Partial<{ receivedAt: string; timestamp: string }> => ({
      receivedAt: new Date(ms).toISOString(),
      timestamp: new Date(ms).toISOString(),
    });
    // One batch holding an event and its resend: the in-batch duplicate is dropped.
    await writer.append([
      acceptedRecord({ messageId: 'dup', properties: { copy: 1 }, ...at(now) }),
      acceptedRecord({ messageId: 'dup', properties: { copy: 2 }, ...at(now + 1000) }),
      acceptedRecord({ messageId: 'other', ...at(now) }),
    ]);
    let stats = await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    assert.equal(stats.duplicates, 1);
    // A restart (new loader, same data dir), then a resend 23 h later and another one 2 days later.
    await writer.append([acceptedRecord({ messageId: 'dup', properties: { copy: 3 }, ...at(now + 23 * HOUR) })]);
    stats = await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    assert.equal(stats.duplicates, 1);
    await writer.append([
      acceptedRecord({ messageId: 'dup', properties: { copy: 4 }, ...at(now + 48 * HOUR) }),
      acceptedRecord({ messageId: 'dup', source: 'x', ...at(now + 48 * HOUR) }, 'app'),
    ]);
    await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log });
    const rows = await readTable(env.dataDir, 'bronze.events', 'message_id, source_id, properties');
    assert.deepEqual(
      rows.map((r) => [r['message_id'], r['source_id'], r['properties']]),
      [
        ['dup', 'web', '{"copy":1}'],
        ['other', 'web', '{"button":"buy"}'],
        ['dup', 'web', '{"copy":4}'],
        ['dup', 'app', '{"button":"buy"}'],
      ],
    );
    await writer.close();
  });
});
