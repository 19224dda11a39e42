// Records → rows, end to end: collector-shaped records appended to a real local log, loaded by runLoaderOnce
// into real Delta tables, read back with DuckDB; every column, corrections, JSON kept whole, bots, extras.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LoaderConfig } from '@lens/protocol';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable, rejectedRecord, tempDataDir } from './testing/records.js';

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const day = (v: unknown): string => iso(v).slice(0, 10);

describe('records to bronze rows', () => {
  let env: Awaited<ReturnType<typeof tempDataDir>>;
  let events: Record<string, unknown>[];
  let quarantine: Record<string, unknown>[];
  const received = '2026-03-10T12:00:00.000Z';
  const context = {
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    traits: { email: 'a@b.c' },
    page: { url: 'https://x.test/é' },
  };

  before(async () => {
    env = await tempDataDir();
    const writer = await env.log.openWriter();
    await writer.append([
      // 0: track with skew-corrected timestamp (client clock 1 h behind), nested JSON, an unknown top-level field
      acceptedRecord({
        messageId: 'm-track',
        userId: '42',
        type: 'track',
        event: 'Order Completed',
        properties: { total: 12.5, items: [{ sku: 'a', n: 2 }], nested: { deep: { x: null } } },
        context,
        integrations: { All: false, Mixpanel: true },
        originalTimestamp: '2026-03-10T10:59:58.000Z',
        sentAt: '2026-03-10T11:00:00.000Z',
        receivedAt: received,
        timestamp: '2026-03-10T11:59:58.000Z',
        channel: 'web',
        version: 2,
      } as never),
      // 1: identify with traits in context.traits only (kept there), a page, a group, an alias
      acceptedRecord({
        messageId: 'm-identify',
        type: 'identify',
        userId: 'u1',
        context: { traits: { plan: 'pro' } },
        receivedAt: received,
        timestamp: received,
      }),
      acceptedRecord({
        messageId: 'm-page',
        type: 'page',
        name: 'Home',
        category: 'Docs',
        event: undefined,
        receivedAt: received,
        timestamp: received,
      }),
      acceptedRecord({
        messageId: 'm-group',
        type: 'group',
        groupId: 'g1',
        traits: { name: 'ACME' },
        receivedAt: received,
        timestamp: received,
      }),
      acceptedRecord({
        messageId: 'm-alias',
        type: 'alias',
        userId: 'u2',
        previousId: 'u1',
        receivedAt: received,
        timestamp: received,
      }),
      // 5: a bot
      acceptedRecord({
        messageId: 'm-bot',
        context: { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
        receivedAt: received,
        timestamp: received,
      }),
      // 6: two days in the future → corrected to receivedAt; 7: two years old → corrected
      acceptedRecord({ messageId: 'm-future', receivedAt: received, timestamp: '2026-03-12T12:00:01.000Z' }),
      acceptedRecord({ messageId: 'm-past', receivedAt: received, timestamp: '2024-03-01T00:00:00.000Z' }),
      // 8, 9: years no ISO-8601 timestamp column can hold (a JavaScript Date can): corrected too, never a failed batch
      acceptedRecord({ messageId: 'm-year-10000', receivedAt: received, timestamp: '+010000-01-01T00:00:00.000Z' }),
      acceptedRecord({ messageId: 'm-year-minus-1', receivedAt: received, timestamp: '-000001-06-01T00:00:00.000Z' }),
      // 10: a properties column over 33 KB → quarantine
      acceptedRecord({
        messageId: 'm-big',
        receivedAt: received,
        timestamp: received,
        properties: { blob: 'x'.repeat(40_000) },
      }),
      // 11: a collector rejection
      rejectedRecord({
        messageId: 'm-rejected',
        receivedAt: received,
        raw: 'AAEC',
        rawEncoding: 'base64',
        truncated: true,
        index: 3,
        route: '/v1/batch',
      }),
      // 12: not a record at all
      Buffer.from('not json'),
    ]);
    await runLoaderOnce({ config: LoaderConfig.parse({ port: 0 }), dataDir: env.dataDir, log: env.log });
    events = await readTable(env.dataDir, 'bronze.events');
    quarantine = await readTable(env.dataDir, 'bronze.quarantine');
  });
  after(async () => env.cleanup());

  const row = (id: string): Record<string, unknown> => {
    const r = events.find((e) => e['message_id'] === id);
    assert.ok(r, `no row for ${id}`);
    return r;
  };

  it('maps every column of a track event', () => {
    const r = row('m-track');
    assert.deepEqual(
      {
        ...r,
        timestamp: iso(r['timestamp']),
        original_timestamp: iso(r['original_timestamp']),
        sent_at: iso(r['sent_at']),
        received_at: iso(r['received_at']),
        event_date: day(r['event_date']),
      },
      {
        message_id: 'm-track',
        source_id: 'web',
        type: 'track',
        event: 'Order Completed',
        name: null,
        category: null,
        user_id: '42',
        anonymous_id: 'anon-1',
        group_id: null,
        previous_id: null,
        timestamp: '2026-03-10T11:59:58.000Z',
        original_timestamp: '2026-03-10T10:59:58.000Z',
        sent_at: '2026-03-10T11:00:00.000Z',
        received_at: received,
        timestamp_corrected_from: null,
        timestamp_correction: null,
        context: JSON.stringify(context),
        properties: JSON.stringify({ total: 12.5, items: [{ sku: 'a', n: 2 }], nested: { deep: { x: null } } }),
        traits: null,
        integrations: '{"All":false,"Mixpanel":true}',
        extra: '{"channel":"web","version":2}',
        request_ip: '203.0.113.7',
        is_bot: false,
        log_partition: 0,
        log_offset: 0,
        event_date: '2026-03-10',
      },
    );
  });

  it("keeps traits where they were sent, and the other call types' fields", () => {
    assert.equal(row('m-identify')['context'], '{"traits":{"plan":"pro"}}');
    assert.equal(row('m-identify')['traits'], null);
    assert.deepEqual(
      [row('m-page')['name'], row('m-page')['category'], row('m-page')['event']],
      ['Home', 'Docs', null],
    );
    assert.deepEqual([row('m-group')['group_id'], row('m-group')['traits']], ['g1', '{"name":"ACME"}']);
    assert.deepEqual([row('m-alias')['user_id'], row('m-alias')['previous_id']], ['u2', 'u1']);
  });

  it('flags bots without dropping them', () => {
    assert.equal(row('m-bot')['is_bot'], true);
    assert.equal(events.filter((e) => e['is_bot'] === true).length, 1);
  });

  it('corrects implausible timestamps to receivedAt and records what they were and why', () => {
    const future = row('m-future');
    assert.equal(iso(future['timestamp']), received);
    assert.equal(iso(future['timestamp_corrected_from']), '2026-03-12T12:00:01.000Z');
    assert.match(String(future['timestamp_correction']), /after receivedAt .* \(limit 86400 s\)/);
    const past = row('m-past');
    assert.equal(iso(past['timestamp']), received);
    assert.equal(day(past['event_date']), '2026-03-10');
    assert.match(String(past['timestamp_correction']), /days before receivedAt .* \(limit 365 days\)/);
    for (const [id, sent] of [
      ['m-year-10000', '+010000-01-01T00:00:00.000Z'],
      ['m-year-minus-1', '-000001-06-01T00:00:00.000Z'],
    ] as const) {
      const far = row(id);
      assert.equal(iso(far['timestamp']), received);
      assert.equal(far['timestamp_corrected_from'], null, `${id}: no TIMESTAMPTZ holds that year as ISO text`);
      assert.ok(String(far['timestamp_correction']).startsWith(`timestamp: ${sent} is `), id);
    }
  });

  it('quarantines oversized JSON, collector rejections and undecodable records, each with its reason', () => {
    assert.equal(events.length, 10);
    assert.deepEqual(
      quarantine.map((q) => [q['log_offset'], q['stage']]),
      [
        [10, 'loader'],
        [11, 'collector'],
        [12, 'loader'],
      ],
    );
    const [big, rejected, garbage] = quarantine as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    assert.match(String(big['reason']), /^properties: 40\d\d\d bytes of JSON \(limit 33792\)$/);
    assert.equal(big['message_id'], 'm-big');
    assert.equal(JSON.parse(String(big['raw'])).messageId, 'm-big');
    assert.deepEqual(
      { ...rejected, received_at: iso(rejected['received_at']), quarantine_date: day(rejected['quarantine_date']) },
      {
        received_at: received,
        source_id: 'web',
        route: '/v1/batch',
        reason: 'batch[0].event: required for type "track"',
        stage: 'collector',
        message_id: 'm-rejected',
        batch_index: 3,
        raw: 'AAEC',
        raw_encoding: 'base64',
        truncated: true,
        log_partition: 0,
        log_offset: 11,
        quarantine_date: '2026-03-10',
      },
    );
    assert.equal(garbage['reason'], 'log record: not valid JSON');
    assert.equal(Buffer.from(String(garbage['raw']), 'base64').toString(), 'not json');
  });
});
