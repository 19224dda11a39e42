// Request records (version 3: every accepted event of a request, as the body the collector received) load to
// exactly the rows the same events make as version-2 records, one row per event at the record's log position;
// their events are deduplicated like any other, and a record that breaks its layout is quarantined whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedEvents, decodeLogRecord, encodeLogRecord, LoaderConfig } from '@lens/protocol';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable, rejectedRecord, requestRecord, tempDataDir } from './testing/records.js';

const BOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const receivedAt = '2026-03-04T05:06:07.890Z';

/** Events as SDKs send them: enrichment (ids, times, the request IP, the envelope's context) is the loader's. */
const BATCH: Record<string, unknown>[] = [
  { type: 'track', event: 'Viewed', userId: 'u1', messageId: 'm-1', timestamp: '2026-03-04T05:06:00.000Z' },
  { type: 'track', event: 'Refused by the collector', userId: 'u1' },
  {
    type: 'page',
    anonymousId: 'a1',
    name: 'Héllo "quoted" \u2028 😀',
    messageId: 'm-custom',
    channel: 'web',
    context: { userAgent: BOT_UA, ip: null },
    originalTimestamp: '2026-03-04T05:05:00.000Z',
  },
  {
    type: 'identify',
    userId: 42,
    traits: { plan: null, n: 1.5 },
    messageId: 'm-old',
    timestamp: '2024-01-01T00:00:00Z',
  },
  { type: 'track', event: 'No id', anonymousId: 'a2', properties: { x: [1, { y: 'z' }] } },
];
const EVENTS: [number, string][] = [
  [0, 'm-1'],
  [2, 'm-custom'],
  [3, 'm-old'],
  [4, 'minted-4'],
];
const record = (): Buffer =>
  requestRecord(BATCH, {
    facts: { receivedAt, sentAt: '2026-03-04T05:06:02.000Z', anonymousId: 'header-anon' },
    envelope: { context: { library: { name: 'analytics-node' } }, sentAt: '2026-03-04T05:06:01.000Z' },
    events: EVENTS,
  });

async function load(records: Buffer[]): Promise<{
  events: Record<string, unknown>[];
  quarantine: Record<string, unknown>[];
  stats: Awaited<ReturnType<typeof runLoaderOnce>>;
}> {
  const env = await tempDataDir();
  try {
    const writer = await env.log.openWriter();
    await writer.append(records);
    await writer.close();
    const stats = await runLoaderOnce({ config: LoaderConfig.parse({ port: 0 }), dataDir: env.dataDir, log: env.log });
    return {
      events: await readTable(env.dataDir, 'bronze.events'),
      quarantine: await readTable(env.dataDir, 'bronze.quarantine').catch(() => []),
      stats,
    };
  } finally {
    await env.cleanup();
  }
}

const withoutOffset = (rows: Record<string, unknown>[]): Record<string, unknown>[] =>
  rows.map(({ log_offset: _offset, ...row }) => row);

describe('request records in the loader', () => {
  it('load to the rows the same events make as version-2 records, each at the record offset', async () => {
    const asRequest = await load([rejectedRecord(), record()]);
    // The version-2 records the collector's per-event path would have written (head included).
    const v2 = acceptedEvents(decodeLogRecord(record())).map((r) => encodeLogRecord(r));
    const asEvents = await load([rejectedRecord(), ...v2]);
    assert.equal(asRequest.events.length, EVENTS.length);
    assert.deepEqual(withoutOffset(asRequest.events), withoutOffset(asEvents.events));
    assert.deepEqual(
      asRequest.events.map((r) => r['log_offset']),
      EVENTS.map(() => 1),
      'every event at the request record offset',
    );
    const byId = new Map(asRequest.events.map((r) => [r['message_id'], r]));
    assert.equal(byId.get('m-custom')!['is_bot'], true);
    assert.match(String(byId.get('m-custom')!['context']), /"ip":"203\.0\.113\.7"/);
    assert.match(String(byId.get('m-custom')!['extra']), /"channel":"web"/);
    assert.equal(byId.get('m-old')!['user_id'], '42');
    assert.equal(byId.get('m-old')!['timestamp_correction'] === null, false, 'an old time is corrected');
    assert.equal(byId.get('minted-4')!['anonymous_id'], 'a2');
    assert.equal(asRequest.stats.eventsLoaded, EVENTS.length);
  });

  it('deduplicate their events against each other and against version-2 records', async () => {
    const again = requestRecord([{ type: 'track', event: 'E', userId: 'u', messageId: 'm-1' }], {
      facts: { receivedAt },
    });
    const { events, stats } = await load([
      record(),
      record(),
      acceptedRecord({ messageId: 'm-old', receivedAt }),
      again,
    ]);
    assert.deepEqual(events.map((r) => r['message_id']).sort(), EVENTS.map(([, id]) => id).sort());
    assert.equal(stats.duplicates, EVENTS.length + 2);
  });

  it('quarantine a record that breaks the layout, whole and with the reason, and load what follows', async () => {
    const broken = requestRecord(BATCH, {
      events: [
        [0, 'm-1'],
        [9, 'm-nowhere'],
      ],
    });
    const twice = requestRecord(BATCH, {
      events: [
        [0, 'm-1'],
        [3, 'm-1'],
      ],
    });
    const { events, quarantine } = await load([broken, twice, acceptedRecord({ messageId: 'after' })]);
    assert.deepEqual(
      events.map((r) => r['message_id']),
      ['after'],
    );
    assert.equal(quarantine.length, 2);
    assert.match(String(quarantine[0]!['reason']), /request record: no event at \[9,"m-nowhere"\]/);
    assert.match(String(quarantine[1]!['reason']), /request record: messageId "m-1" is there twice/);
    assert.equal(Buffer.from(String(quarantine[0]!['raw']), 'base64').toString(), broken.toString());
  });
});
