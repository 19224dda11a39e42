// A request record (version 3) holds the body as received and leaves enrichment to its readers: what they
// replay from it must be exactly the events the per-event path (version 2) stores, for every shape of request
// the SDKs send; and a request the record cannot hold as it came goes the per-event path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  acceptedEvents,
  decodeLogRecord,
  LensConfig,
  type AcceptedRecord,
  type EventType,
  type LogRecordPayload,
} from '@lens/protocol';
import { parseBody } from './body-reader.js';
import { prepareEvents, type IngestContext, type PreparedRequest } from './ingest.js';
import { BASIC_AUTH, startTestCollector } from './testing/collector-harness.js';

const limits = LensConfig.parse({}).collector.limits;
const receivedAt = new Date('2026-05-06T07:08:09.123Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Request {
  name: string;
  /** The body's text as sent. */
  text: string;
  /** A single-event route's call type; a batch when absent. */
  type?: EventType;
  headers?: { sentAt?: string; anonymousId?: string };
}

/** Prepares a request as ingest-handler does, on the request-record path or (`perEvent`) the per-event one. */
function prepare(request: Request, perEvent: boolean): PreparedRequest {
  const body = parseBody(Buffer.from(request.text));
  assert.ok(body.ok, `${request.name}: the body parses`);
  const value = body.value as Record<string, unknown>;
  const ctx: IngestContext = {
    receivedAt,
    receivedAtIso: receivedAt.toISOString(),
    requestIp: '198.51.100.4',
    sentAt: request.headers?.sentAt,
    anonymousId: request.headers?.anonymousId,
    context: undefined,
    integrations: undefined,
    sourceId: 'web',
    route: request.type === undefined ? '/v1/batch' : `/v1/${request.type}`,
    limits,
    requestBody: body.raw,
    requestJson: perEvent || !body.storableAsSent ? undefined : body.json,
    callType: request.type,
    numbersMayOverflow: body.numbersMayOverflow,
  };
  if (request.type !== undefined) {
    value['type'] = request.type;
    return prepareEvents([value], ctx, undefined);
  }
  if (typeof value['sentAt'] === 'string') ctx.sentAt = value['sentAt'];
  const envelopeObject = (v: unknown): Record<string, unknown> | undefined =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  ctx.context = envelopeObject(value['context']);
  ctx.integrations = envelopeObject(value['integrations']);
  return prepareEvents(value['batch'] as unknown[], ctx, 'batch');
}

const decoded = (prepared: PreparedRequest): LogRecordPayload[] => prepared.records.map((r) => decodeLogRecord(r));

/** The events as a loader sees them: a request record's replayed, a version-2 record's without its head. */
function events(payloads: LogRecordPayload[]): AcceptedRecord[] {
  return payloads.flatMap((p) => acceptedEvents(p)).map(({ head: _head, ...record }) => record);
}

const sdkEvent = (i: number): Record<string, unknown> => ({
  type: 'track',
  event: 'Article Viewed',
  userId: `user-${i}`,
  messageId: `m-${i}`,
  timestamp: '2026-05-06T07:08:01.000Z',
  properties: { article_id: `a-${i}`, depth: 0.5, tags: ['x', 'y'] },
  context: { library: { name: 'analytics-node', version: '2.1.0' }, userAgent: 'Mozilla/5.0' },
});

const SAME_EITHER_WAY: Request[] = [
  {
    name: 'an analytics-node batch',
    text: JSON.stringify({ batch: [sdkEvent(1), sdkEvent(2), sdkEvent(3)], sentAt: '2026-05-06T07:08:02.000Z' }),
  },
  {
    name: 'rudder-sdk-node events: originalTimestamp, no messageId, SentAt and AnonymousId headers',
    text: JSON.stringify({
      batch: [
        { type: 'track', event: 'E', originalTimestamp: '2026-05-06T07:00:00.000Z', context: { ip: null } },
        { type: 'identify', userId: 42, originalTimestamp: '2026-05-06T07:00:00Z', timestamp: '2026-01-01T00:00:00Z' },
        { type: 'page', anonymousId: '', userId: 'u', name: null, properties: null, messageId: null },
      ],
    }),
    headers: { sentAt: '2026-05-06T07:08:00.000+01:00', anonymousId: 'header-anon' },
  },
  {
    name: 'an envelope context and integrations, and events carrying their own',
    text: JSON.stringify({
      batch: [
        { type: 'alias', userId: 'u', previousId: 7, context: { ip: '10.0.0.1', locale: 'fr' } },
        { type: 'group', anonymousId: 'a', groupId: 'g', traits: { n: 1 }, integrations: { All: false } },
      ],
      context: { library: { name: 'batcher' }, locale: 'en' },
      integrations: { Amplitude: true },
      sentAt: '2026-05-06T07:08:03.000Z',
      writeKeyLess: 'custom envelope field',
    }),
  },
  {
    name: 'custom fields, __proto__ keys, unicode, odd numbers and a refused event between good ones',
    text:
      '{"batch":[{"type":"screen","anonymousId":"a","name":"Home 😀 é","channel":"ios","__proto__":{"x":1},' +
      '"properties":{"__proto__":null,"n":1e20,"m":-0.0,"s":"\\u00e9\\n\\"q\\""}},' +
      '{"type":"track","userId":"u"},' +
      '{"type":"track","userId":"u","event":"After","timestamp":"2026-05-06T08:08:01+01:00"}]}',
  },
  {
    name: 'a pretty-printed body with a byte order mark',
    text: `\ufeff${JSON.stringify({ batch: [sdkEvent(4)] }, null, 2)}\n`,
  },
  {
    name: 'a single track call without a type',
    text: JSON.stringify({ userId: 'u', event: 'Clicked' }),
    type: 'track',
  },
  {
    name: 'a single page call the body calls a track',
    text: JSON.stringify({ type: 'track', anonymousId: 'a', name: 'Home' }),
    type: 'page',
    headers: { sentAt: '2026-05-06T07:08:00.000Z' },
  },
];

describe('request records', () => {
  for (const request of SAME_EITHER_WAY) {
    it(`replay to the per-event path's events: ${request.name}`, () => {
      const whole = prepare(request, false);
      const perEvent = prepare(request, true);
      const wholePayloads = decoded(whole);
      assert.equal(wholePayloads[0]!.kind, 'request', 'the accepted events are one request record');
      assert.equal(wholePayloads.filter((p) => p.kind === 'request').length, 1);
      assert.equal(whole.accepted, perEvent.accepted);
      assert.deepEqual(whole.rejected, perEvent.rejected);
      const rejectedOf = (payloads: LogRecordPayload[]): LogRecordPayload[] =>
        payloads.filter((p) => p.kind === 'rejected');
      assert.deepEqual(rejectedOf(wholePayloads), rejectedOf(decoded(perEvent)));
      const replayed = events(wholePayloads);
      const stored = events(decoded(perEvent));
      assert.equal(replayed.length, whole.accepted);
      // Minted message ids differ between two preparations: each is a UUID, and the rest is the same.
      for (const [i, record] of replayed.entries()) {
        if (record.event.messageId !== stored[i]!.event.messageId) {
          assert.match(record.event.messageId, UUID);
          assert.match(stored[i]!.event.messageId, UUID);
          record.event.messageId = stored[i]!.event.messageId;
        }
      }
      // Compared as the JSON a loader writes of them (field order included): -0 in a body replays as -0, which
      // JSON writes as 0, as the per-event path stores it.
      assert.equal(JSON.stringify(replayed), JSON.stringify(stored));
    });
  }

  it('mint each missing message id once: the record names it, and a replay keeps it', () => {
    const request = { name: 'no ids', text: JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'e' }] }) };
    const bytes = prepare(request, false).records[0]!;
    assert.equal(decodeLogRecord(bytes).kind, 'request');
    const [first] = events([decodeLogRecord(bytes)]);
    const [other] = events([decodeLogRecord(prepare(request, false).records[0]!)]);
    assert.match(first!.event.messageId, UUID);
    assert.notEqual(first!.event.messageId, other!.event.messageId, 'a new request, a new id');
    assert.equal(events([decodeLogRecord(bytes)])[0]!.event.messageId, first!.event.messageId, 'replayed again');
  });

  const PER_EVENT: [string, string][] = [
    [
      'a write key in the body (a credential: never stored)',
      '{"writeKey":"k","batch":[{"type":"track","userId":"u","event":"e"}]}',
    ],
    ['an escaped surrogate', '{"batch":[{"type":"track","userId":"u","event":"\\ud83d\\ude00"}]}'],
    ['a number past a double', '{"batch":[{"type":"track","userId":"u","event":"e","properties":{"n":1e400}}]}'],
    [
      'nesting deeper than the stack',
      `{"batch":[{"type":"track","userId":"u","event":"e","properties":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}]}`,
    ],
    [
      'nesting 201 levels deep',
      `{"batch":[{"type":"track","userId":"u","event":"e","properties":${'[{"a":'.repeat(100)}1${'}]'.repeat(100)}}]}`,
    ],
    [
      'one message id twice',
      '{"batch":[{"type":"track","userId":"u","event":"e","messageId":"m"},{"type":"track","userId":"u","event":"e","messageId":"m"}]}',
    ],
    [
      'an event that may be over the size limit',
      JSON.stringify({ batch: [sdkEvent(1), { ...sdkEvent(2), properties: { big: 'x'.repeat(40_000) } }] }),
    ],
  ];
  for (const [name, text] of PER_EVENT) {
    it(`leave a request to the per-event path: ${name}`, () => {
      const whole = prepare({ name, text }, false);
      const perEvent = prepare({ name, text }, true);
      const payloads = decoded(whole);
      assert.ok(
        payloads.every((p) => p.kind !== 'request'),
        'no request record',
      );
      assert.equal(whole.accepted, perEvent.accepted);
      assert.deepEqual(
        whole.rejected.map((r) => r.reason),
        perEvent.rejected.map((r) => r.reason),
      );
    });
  }

  it('refuse an event over the limit in a batch that leaves the request-record path, naming it', () => {
    const text = PER_EVENT.at(-1)![1];
    const prepared = prepare({ name: 'too large', text }, false);
    assert.equal(prepared.accepted, 1);
    assert.deepEqual(
      prepared.rejected.map((r) => [r.index, r.code]),
      [[1, 'too_large']],
    );
  });

  it('are written with the body bytes as received, after the facts', () => {
    const text = JSON.stringify({ batch: [sdkEvent(9)], sentAt: '2026-05-06T07:08:02.000Z' }, null, 1);
    const record = prepare({ name: 'bytes', text }, false).records[0]!.toString('utf8');
    assert.ok(record.startsWith('{"v":3,"kind":"request","sourceId":"web","requestIp":"198.51.100.4"'), record);
    assert.ok(record.endsWith(`"body":${text}}`), 'the body is copied as it came');
    assert.ok(record.includes('"events":[[0,"m-9"]]'));
  });

  it('are what the collector appends for SDK requests over HTTP, gzip included, and counted apart', async () => {
    const { app, sink } = await startTestCollector();
    try {
      const headers = { authorization: BASIC_AUTH, 'content-type': 'application/json' };
      const batch = JSON.stringify({ batch: [sdkEvent(1), sdkEvent(2)] });
      const answers = [
        await app.inject({ method: 'POST', url: '/v1/batch', headers, payload: batch }),
        await app.inject({
          method: 'POST',
          url: '/v1/t',
          headers,
          payload: JSON.stringify({ userId: 'u', event: 'e' }),
        }),
        await app.inject({
          method: 'POST',
          url: '/v1/batch',
          headers: { ...headers, 'content-encoding': 'gzip' },
          payload: gzipSync(batch),
        }),
      ];
      assert.deepEqual(
        answers.map((a) => a.statusCode),
        [200, 200, 200],
      );
      assert.deepEqual(
        sink.records.map((r) => decodeLogRecord(r).kind),
        ['request', 'request', 'request'],
      );
      assert.equal(sink.payloads().length, 5, 'five events');
      // A body naming its write key (analytics.js) is stored per event: the metrics tell the two apart.
      const keyed = JSON.stringify({ writeKey: 'test-write-key-1', batch: [sdkEvent(3)] });
      await app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'text/plain' }, payload: keyed });
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /^lens_collector_events_stored_total\{layout="request"\} 5$/m);
      assert.match(metrics, /^lens_collector_events_stored_total\{layout="event"\} 1$/m);
    } finally {
      await app.close();
    }
  });
});
