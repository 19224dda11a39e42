// Version-2 accepted records are mapped from their head alone (the event's text goes to DuckDB unparsed): the
// rows must be exactly what the whole-record path makes of the same events, the head's ids are the ones stored,
// and an event text that turns out not to be JSON is quarantined instead of wedging the partition.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acceptedHead, acceptedRecordPrefix, encodeAcceptedRecord, LoaderConfig } from '@lens/protocol';
import type { EnrichedEvent } from '@lens/protocol';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable, tempDataDir } from './testing/records.js';

const BOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const received = '2026-03-04T05:06:07.890Z';

/** Events that exercise every column and check: custom fields, a bot, odd and out-of-range timestamps, unicode. */
const EVENTS: Partial<EnrichedEvent>[] = (<Partial<EnrichedEvent>[]>[
  { messageId: 'm-plain', receivedAt: received, timestamp: '2026-03-04T05:06:00.000Z' },
  {
    messageId: 'm-custom',
    type: 'page',
    event: undefined,
    name: 'Héllo "quoted" \u2028 page',
    receivedAt: received,
    timestamp: received,
    channel: 'web',
    _metadata: { bundled: ['Segment.io'], unbundled: [] },
  },
  {
    messageId: 'm-bot',
    receivedAt: received,
    timestamp: received,
    context: { userAgent: BOT_UA, page: { path: '/a' } },
  },
  { messageId: 'm-future', receivedAt: received, timestamp: '2026-03-09T00:00:00.000Z' },
  { messageId: 'm-old', receivedAt: received, timestamp: '2024-01-01T00:00:00.000Z' },
  { messageId: 'm-bad-time', receivedAt: received, timestamp: 'yesterday' },
  {
    messageId: 'm-identify',
    type: 'identify',
    event: undefined,
    userId: 'u-😀',
    traits: { email: 'a@example.com', plan: null, n: 1.5 },
    receivedAt: received,
    timestamp: received,
  },
]).map((e) => ({ originalTimestamp: '2026-03-04T05:05:00.000Z', sentAt: '2026-03-04T05:05:01.000Z', ...e }));

async function load(
  records: Buffer[],
): Promise<{ events: Record<string, unknown>[]; quarantine: Record<string, unknown>[] }> {
  const env = await tempDataDir();
  try {
    const writer = await env.log.openWriter();
    await writer.append(records);
    await writer.close();
    await runLoaderOnce({ config: LoaderConfig.parse({ port: 0 }), dataDir: env.dataDir, log: env.log });
    return {
      events: await readTable(env.dataDir, 'bronze.events'),
      quarantine: await readTable(env.dataDir, 'bronze.quarantine').catch(() => []),
    };
  } finally {
    await env.cleanup();
  }
}

describe('version-2 records (mapped from the head)', () => {
  let v1: Awaited<ReturnType<typeof load>>;
  let v2: Awaited<ReturnType<typeof load>>;
  before(async () => {
    v1 = await load(EVENTS.map((e) => acceptedRecord(e, 'web', '203.0.113.7', 1)));
    v2 = await load(EVENTS.map((e) => acceptedRecord(e, 'web', '203.0.113.7', 2)));
  });
  after(() => undefined);

  it('load to exactly the rows the whole-record path makes of the same events', () => {
    assert.equal(v2.events.length, EVENTS.length);
    assert.deepEqual(v2.events, v1.events);
    assert.deepEqual(v2.quarantine, v1.quarantine);
    const byId = new Map(v2.events.map((r) => [r['message_id'], r]));
    assert.equal(byId.get('m-bot')!['is_bot'], true);
    assert.equal(byId.get('m-plain')!['is_bot'], false);
    assert.equal(
      byId.get('m-custom')!['extra'],
      '{"channel":"web","_metadata":{"bundled":["Segment.io"],"unbundled":[]}}',
    );
    assert.equal(byId.get('m-future')!['timestamp_correction'] !== null, true);
    assert.equal(byId.get('m-bad-time')!['timestamp_correction'] !== null, true);
  });

  it('store the head’s ids, the ones the duplicate check used', async () => {
    const event = {
      ...(JSON.parse(acceptedRecord({ messageId: 'inner' }).toString()) as { event: EnrichedEvent }).event,
    };
    const head = { ...acceptedHead(event), messageId: 'from-head' };
    const text = encodeAcceptedRecord(
      acceptedRecordPrefix('web', undefined),
      JSON.stringify(head),
      JSON.stringify(event),
    );
    const { events } = await load([Buffer.from(text), Buffer.from(text)]);
    assert.deepEqual(
      events.map((r) => r['message_id']),
      ['from-head'],
    );
  });

  it('map whole the records of a read the head path cannot take, next to those it takes', async () => {
    const event = (JSON.parse(acceptedRecord({ messageId: 'plain' }).toString()) as { event: EnrichedEvent }).event;
    const record = (sourceId: string, e: EnrichedEvent, eventJson = JSON.stringify(e)): Buffer =>
      Buffer.from(
        encodeAcceptedRecord(acceptedRecordPrefix(sourceId, undefined), JSON.stringify(acceptedHead(e)), eventJson),
      );
    const escaped = { ...event, messageId: 'escaped-source' };
    const spaced = { ...event, messageId: 'line-break', event: 'Spaced' };
    // Valid JSON with a line break between tokens: embedded as is, it would split the NDJSON line.
    const spacedJson = JSON.stringify(spaced).replace(',"event":', ',\n"event":');
    const { events, quarantine } = await load([
      record('web', event),
      record('we"b', escaped),
      record('we"c', escaped), // another source: not a duplicate of the one before (read exactly, not cut at the \")
      record('web', spaced, spacedJson),
      record('web', { ...event, messageId: 'after' }),
    ]);
    assert.deepEqual(quarantine, []);
    assert.deepEqual(
      events.map((r) => [r['message_id'], r['source_id'], r['event']]),
      [
        ['plain', 'web', 'Clicked'],
        ['escaped-source', 'we"b', 'Clicked'],
        ['escaped-source', 'we"c', 'Clicked'],
        ['line-break', 'web', 'Spaced'],
        ['after', 'web', 'Clicked'],
      ],
    );
  });

  it('quarantine an event text that is not JSON and load the rest of the batch', async () => {
    const good = acceptedRecord({ messageId: 'good-1' });
    const event = (JSON.parse(good.toString()) as { event: EnrichedEvent }).event;
    const head = JSON.stringify(acceptedHead({ ...event, messageId: 'broken' }));
    const broken = encodeAcceptedRecord(acceptedRecordPrefix('web', undefined), head, '{"type":"track","event":}');
    const { events, quarantine } = await load([good, Buffer.from(broken), acceptedRecord({ messageId: 'good-2' })]);
    assert.deepEqual(
      events.map((r) => r['message_id']),
      ['good-1', 'good-2'],
    );
    assert.equal(quarantine.length, 1);
    assert.equal(quarantine[0]!['reason'], 'log record: event is not valid JSON');
    assert.equal(quarantine[0]!['log_offset'], 1);
    assert.equal(quarantine[0]!['message_id'], 'broken');
    // The record as the line held it: without the head (its fields are the row's message id and times).
    assert.equal(
      Buffer.from(String(quarantine[0]!['raw']), 'base64').toString(),
      '{"v":2,"kind":"event","sourceId":"web","event":{"type":"track","event":}}',
    );
  });

  it('quarantines an event text the lake engine cannot read (an unpaired surrogate escape) and loads the rest', async () => {
    // What a collector before the check wrote: JSON.parse takes `\ud800`, DuckDB's reader refuses the batch for it.
    const good = acceptedRecord({ messageId: 'good-1' });
    const event = (JSON.parse(good.toString()) as { event: EnrichedEvent }).event;
    const lone = { ...event, messageId: 'lone-\ud800', properties: { title: 'x\udc00' } };
    const broken = encodeAcceptedRecord(
      acceptedRecordPrefix('web', undefined),
      JSON.stringify(acceptedHead(lone)),
      JSON.stringify(lone),
    );
    const { events, quarantine } = await load([good, Buffer.from(broken), acceptedRecord({ messageId: 'good-2' })]);
    assert.deepEqual(
      events.map((r) => r['message_id']),
      ['good-1', 'good-2'],
    );
    assert.equal(quarantine.length, 1);
    assert.match(String(quarantine[0]!['reason']), /not readable as UTF-8 JSON/);
    assert.equal(quarantine[0]!['message_id'], 'lone-\uFFFD'); // stored as text a table can hold
    const raw = Buffer.from(String(quarantine[0]!['raw']), 'base64').toString();
    assert.equal((JSON.parse(raw) as { event: { properties: { title: string } } }).event.properties.title, 'x\udc00');
  });
});
