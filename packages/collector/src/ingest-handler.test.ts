// The tracking API routes end to end through Fastify's inject: routes, auth forms, bodies and encodings,
// validation reasons, limits, enrichment, quarantine and backpressure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { LensError } from '@lens/protocol';
import { BASIC_AUTH, WRITE_KEY, startTestCollector } from './testing/collector-harness.js';

const json = { 'content-type': 'application/json', authorization: BASIC_AUTH };

describe('single-event routes', () => {
  for (const [type, extra] of [
    ['track', { event: 'Article Viewed' }],
    ['identify', { traits: { email: 'a@b.c' } }],
    ['page', { name: 'Home' }],
    ['screen', { name: 'Feed' }],
    ['group', { groupId: 'g1' }],
    ['alias', { previousId: 'anon-1' }],
  ] as const) {
    for (const url of [`/v1/${type}`, `/v1/${type[0]}`]) {
      it(`POST ${url} stores a ${type} event`, async () => {
        const { app, sink } = await startTestCollector();
        const res = await app.inject({ method: 'POST', url, headers: json, payload: { userId: 'u1', ...extra } });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json(), { success: true, accepted: 1 });
        const [record] = sink.accepted();
        assert.equal(record?.event.type, type);
        assert.equal(record?.sourceId, 'web');
        for (const [key, value] of Object.entries(extra)) assert.deepEqual(record?.event[key], value);
      });
    }
  }

  it('the route decides the type even when the body says otherwise', async () => {
    const { app, sink } = await startTestCollector();
    await app.inject({ method: 'POST', url: '/v1/page', headers: json, payload: { type: 'track', userId: 'u1' } });
    assert.equal(sink.accepted()[0]?.event.type, 'page');
  });

  it('an invalid single event gets 400 naming the field and is quarantined', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({ method: 'POST', url: '/v1/track', headers: json, payload: { userId: 'u1' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.message, 'event.event: required for type "track"');
    assert.equal(sink.accepted().length, 0);
    assert.equal(sink.rejected()[0]?.reason, 'event.event: required for type "track"');
    assert.deepEqual(JSON.parse(sink.rejected()[0]!.raw), { userId: 'u1', type: 'track' });
  });
});

describe('batch routes', () => {
  const batch = {
    batch: [
      { type: 'track', userId: 'u1', event: 'A' },
      { type: 'page', anonymousId: 'a1', name: 'P' },
    ],
  };
  for (const url of ['/v1/batch', '/v1/b']) {
    it(`POST ${url} stores every event`, async () => {
      const { app, sink } = await startTestCollector();
      const res = await app.inject({ method: 'POST', url, headers: json, payload: batch });
      assert.deepEqual(res.json(), { success: true, accepted: 2 });
      assert.deepEqual(
        sink.accepted().map((r) => r.event.type),
        ['track', 'page'],
      );
    });
  }

  it('POST /beacon/v1/batch takes the write key from the query and a text/plain body', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: `/beacon/v1/batch?writeKey=${WRITE_KEY}`,
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      payload: JSON.stringify(batch),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(sink.accepted().length, 2);
  });

  it('keeps valid events, quarantines invalid ones and lists them in the 200 body', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: json,
      payload: {
        batch: [
          { type: 'track', userId: 'u', event: 'ok' },
          { type: 'track', userId: 'u', messageId: 'm2' },
          { type: 'nope', userId: 'u' },
          'text',
          { type: 'identify' },
        ],
      },
    });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.accepted, 1);
    assert.deepEqual(
      body.rejected.map((r: { index: number; reason: string }) => [r.index, r.reason]),
      [
        [1, 'batch[1].event: required for type "track"'],
        [2, 'batch[2].type: must be one of track, identify, page, screen, group, alias'],
        [3, 'batch[3]: must be a JSON object, got a string'],
        [4, 'batch[4]: needs a userId or an anonymousId'],
      ],
    );
    assert.equal(body.rejected[0].messageId, 'm2');
    const rejected = sink.rejected();
    assert.equal(rejected.length, 4);
    assert.deepEqual(
      rejected.map((r) => [r.index, r.sourceId, r.route]),
      [
        [1, 'web', '/v1/batch'],
        [2, 'web', '/v1/batch'],
        [3, 'web', '/v1/batch'],
        [4, 'web', '/v1/batch'],
      ],
    );
    assert.equal(rejected[2]!.raw, '"text"');
    assert.ok(!Number.isNaN(Date.parse(rejected[0]!.receivedAt)));
  });

  it('an empty batch is answered 200 with nothing stored', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({ method: 'POST', url: '/v1/batch', headers: json, payload: { batch: [] } });
    assert.deepEqual(res.json(), { success: true, accepted: 0 });
    assert.equal(sink.records.length, 0);
  });

  it('a body without a batch array is a 400 and is quarantined', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: json,
      payload: { batch: { type: 'track' } },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /"batch" array/);
    assert.equal(sink.rejected()[0]?.raw, '{"batch":{"type":"track"}}');
  });

  it('applies the envelope context and integrations to each event, the event winning', async () => {
    const { app, sink } = await startTestCollector();
    await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: json,
      payload: {
        context: { library: { name: 'x' }, locale: 'en' },
        integrations: { All: true },
        batch: [{ type: 'track', userId: 'u', event: 'e', context: { locale: 'fr' } }],
      },
    });
    const event = sink.accepted()[0]!.event;
    assert.deepEqual(event.context, { library: { name: 'x' }, locale: 'fr', ip: '127.0.0.1' });
    assert.deepEqual(event.integrations, { All: true });
  });
});

describe('write keys', () => {
  const event = { userId: 'u', event: 'e' };
  it('accepts Basic auth, the writeKey query parameter and the writeKey body field', async () => {
    const { app, sink } = await startTestCollector();
    const forms = [
      { headers: json, url: '/v1/track', payload: event },
      { headers: { 'content-type': 'application/json' }, url: `/v1/track?writeKey=${WRITE_KEY}`, payload: event },
      {
        headers: { 'content-type': 'text/plain' },
        url: '/v1/t',
        payload: JSON.stringify({ ...event, writeKey: WRITE_KEY }),
      },
    ];
    for (const form of forms) assert.equal((await app.inject({ method: 'POST', ...form })).statusCode, 200);
    assert.equal(sink.accepted().length, 3);
    // The key is a credential: not stored with the event.
    for (const record of sink.accepted()) assert.equal('writeKey' in record.event, false);
  });

  for (const [what, headers] of [
    ['missing', { 'content-type': 'application/json' }],
    [
      'unknown',
      { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('nope:').toString('base64')}` },
    ],
    [
      'disabled',
      {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('disabled-key-1:').toString('base64')}`,
      },
    ],
  ] as const) {
    it(`a ${what} write key gets 401 with a JSON error and nothing is stored`, async () => {
      const { app, sink } = await startTestCollector();
      const res = await app.inject({ method: 'POST', url: '/v1/track', headers, payload: event });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().success, false);
      assert.match(res.json().error.message, /write key/);
      assert.equal(sink.records.length, 0);
    });
  }
});

describe('bodies and encodings', () => {
  const payload = JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'zip' }] });
  for (const [encoding, compress] of [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const) {
    it(`accepts Content-Encoding: ${encoding}`, async () => {
      const { app, sink } = await startTestCollector();
      const res = await app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { ...json, 'content-encoding': encoding },
        payload: compress(Buffer.from(payload)),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(sink.accepted()[0]?.event.event, 'zip');
    });
  }

  it('a body that is not gzip but says so is a 400, kept raw in the quarantine', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { ...json, 'content-encoding': 'gzip' },
      payload: Buffer.from('not gzip at all'),
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /not valid gzip/);
    assert.equal(sink.rejected()[0]?.raw, 'not gzip at all');
  });

  it('a gzip body that inflates past the request limit is a 413', async () => {
    const { app, sink } = await startTestCollector({ limits: { maxRequestBytes: 10_000 } });
    const bomb = gzipSync(
      Buffer.from(JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'x'.repeat(50_000) }] })),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { ...json, 'content-encoding': 'gzip' },
      payload: bomb,
    });
    assert.equal(res.statusCode, 413);
    assert.match(res.json().error.message, /larger than 10000 bytes once decompressed/);
    assert.equal(sink.rejected().length, 1);
  });

  it('an unknown Content-Encoding is a 415', async () => {
    const { app } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { ...json, 'content-encoding': 'zstd' },
      payload,
    });
    assert.equal(res.statusCode, 415);
  });

  it('accepts a body that starts with a UTF-8 byte order mark', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: json,
      payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"userId":"u","event":"bom"}')]),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(sink.accepted()[0]?.event.event, 'bom');
  });

  it('accepts a body with no Content-Type', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: BASIC_AUTH },
      payload: Buffer.from(payload),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(sink.accepted().length, 1);
  });
});

describe('limits', () => {
  it('an event over maxEventBytes is quarantined with its size in the reason', async () => {
    const { app, sink } = await startTestCollector({ limits: { maxEventBytes: 2000 } });
    const payload = JSON.stringify({
      batch: [
        { type: 'track', userId: 'u', event: 'e', properties: { text: 'x'.repeat(3200) } },
        { type: 'track', userId: 'u', event: 'small' },
        // Exactly the limit as sent (2000 bytes of JSON): accepted, whatever the collector adds to it.
        { type: 'track', userId: 'u', event: 'edge', properties: { text: 'x'.repeat(1931) } },
      ],
    });
    const res = await app.inject({ method: 'POST', url: '/v1/batch', headers: json, payload });
    const body = res.json();
    assert.equal(
      JSON.stringify({ type: 'track', userId: 'u', event: 'edge', properties: { text: 'x'.repeat(1931) } }).length,
      2000,
    );
    assert.equal(body.accepted, 2, res.body);
    assert.equal(body.rejected[0].code, 'too_large');
    assert.match(
      body.rejected[0].reason,
      /^batch\[0\]: \d+ bytes as stored \(with the collector's fields\), larger than the limit of 2000 \(\+1024 for those fields\)$/,
    );
    assert.equal(sink.rejected().length, 1);
    // The quarantine keeps the request as sent (it fits the 64 KB cap), not the event with the collector's fields.
    const kept = sink.rejected()[0]!;
    assert.equal(kept.raw, payload);
    assert.equal(kept.index, 0);
  });

  it('a request over maxRequestBytes is a 413, its first bytes quarantined and marked truncated', async () => {
    const { app, sink } = await startTestCollector({ limits: { maxRequestBytes: 5000, maxQuarantineBytes: 1000 } });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: json,
      payload: { batch: [{ type: 'track', userId: 'u', event: 'x'.repeat(10_000) }] },
    });
    assert.equal(res.statusCode, 413);
    assert.match(res.json().error.message, /larger than the limit of 5000 bytes/);
    const [rejected] = sink.rejected();
    assert.equal(rejected?.truncated, true);
    assert.equal(rejected?.raw.length, 1000);
  });

  it('a batch over maxBatchEvents is a 413 naming both counts', async () => {
    const { app, sink } = await startTestCollector({ limits: { maxBatchEvents: 3 } });
    const batch = Array.from({ length: 4 }, () => ({ type: 'track', userId: 'u', event: 'e' }));
    const res = await app.inject({ method: 'POST', url: '/v1/batch', headers: json, payload: { batch } });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.message, 'batch: 4 events, more than the limit of 3');
    assert.equal(sink.accepted().length, 0);
    assert.equal(sink.rejected().length, 1);
  });
});

describe('enrichment', () => {
  it('takes null objects, times and message id as absent, like null ids', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: json,
      payload: {
        userId: 'u',
        anonymousId: null,
        event: 'e',
        properties: null,
        context: null,
        traits: null,
        messageId: null,
        timestamp: null,
        sentAt: null,
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const event = sink.accepted()[0]!.event;
    assert.equal('properties' in event || 'traits' in event || 'anonymousId' in event || 'sentAt' in event, false);
    assert.deepEqual(event.context, { ip: '127.0.0.1' });
    assert.match(event.messageId, /^[0-9a-f-]{36}$/); // generated, as when absent
    assert.equal(event.timestamp, event.receivedAt);
    // context.ip: null is filled like an absent one.
    await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: json,
      payload: { userId: 'u', event: 'e2', context: { ip: null } },
    });
    assert.equal(sink.accepted()[1]!.event.context?.ip, '127.0.0.1');
  });

  it('sets messageId, receivedAt, the request IP, and corrects the timestamp for clock skew', async () => {
    const { app, sink } = await startTestCollector();
    // The client clock is 1 hour behind: it stamped the event 2 s before sending.
    const clientNow = Date.now() - 3_600_000;
    const original = new Date(clientNow - 2000).toISOString();
    const sentAt = new Date(clientNow).toISOString();
    const before = Date.now();
    await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: json,
      payload: { sentAt, batch: [{ type: 'track', userId: 'u', event: 'e', timestamp: original }] },
    });
    const event = sink.accepted()[0]!.event;
    assert.match(event.messageId, /^[0-9a-f-]{36}$/);
    assert.equal(event.originalTimestamp, original);
    assert.equal(event.sentAt, sentAt);
    assert.equal(event.context?.ip, '127.0.0.1');
    const received = Date.parse(event.receivedAt);
    assert.ok(received >= before && received <= Date.now());
    assert.equal(Date.parse(event.timestamp), received - 2000);
  });

  it('leaves out a correction a Date cannot hold (absurd client clocks): the event is accepted as sent', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: json,
      payload: {
        sentAt: '-200000-01-01T00:00:00.000Z',
        batch: [{ type: 'track', userId: 'u', event: 'e', timestamp: '+200000-01-01T00:00:00.000Z' }],
      },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().accepted, 1, res.body);
    assert.equal(sink.accepted()[0]!.event.timestamp, '+200000-01-01T00:00:00.000Z');
  });

  it('refuses a batch whose envelope sentAt, context or integrations is malformed, keeping the request', async () => {
    const { app, sink } = await startTestCollector();
    const event = { type: 'track', userId: 'u', event: 'e' };
    for (const [envelope, reason] of [
      [{ sentAt: 'garbage' }, /batch envelope sentAt: "garbage" is not a valid time/],
      [{ context: 'x' }, /batch envelope context: must be an object/],
      [{ integrations: [1] }, /batch envelope integrations: must be an object/],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: json,
        payload: { ...envelope, batch: [event] },
      });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error.message, reason);
    }
    assert.equal(sink.accepted().length, 0);
    assert.equal(sink.rejected().length, 3);
    // null stands for absent, as SDKs send it.
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: json,
      payload: { context: null, batch: [event] },
    });
    assert.equal(ok.statusCode, 200);
  });

  it('takes sentAt from the SentAt header and the identity from the AnonymousId header', async () => {
    const { app, sink } = await startTestCollector();
    const now = Date.now(); // one clock reading: two could differ by a millisecond
    const sentAt = new Date(now + 60_000).toISOString();
    const original = new Date(now + 59_000).toISOString();
    await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { ...json, sentat: sentAt, anonymousid: Buffer.from('anon-h').toString('base64') },
      payload: { anonymousId: null, userId: '', event: 'e', originalTimestamp: original, messageId: 'keep-me' },
    });
    const event = sink.accepted()[0]!.event;
    assert.equal(event.messageId, 'keep-me');
    assert.equal(event.anonymousId, 'anon-h');
    assert.equal(event.userId, undefined);
    assert.equal(Date.parse(event.timestamp), Date.parse(event.receivedAt) - 1000);
  });

  it('keeps the client timestamp when there is no sentAt, and numeric ids become strings', async () => {
    const { app, sink } = await startTestCollector();
    await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: json,
      payload: { userId: 42, event: 'e', timestamp: '2024-03-01T10:00:00Z' },
    });
    const event = sink.accepted()[0]!.event;
    assert.equal(event.userId, '42');
    assert.equal(event.timestamp, '2024-03-01T10:00:00.000Z');
  });
});

describe('client address', () => {
  it('is the socket address, or behind a trusted proxy the left-most X-Forwarded-For entry', async () => {
    const direct = await startTestCollector();
    await direct.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { ...json, 'x-forwarded-for': '198.51.100.9' },
      payload: { userId: 'u', event: 'e' },
    });
    assert.equal(direct.sink.accepted()[0]?.requestIp, '127.0.0.1');
    const proxied = await startTestCollector({ trustProxy: true });
    await proxied.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { ...json, 'x-forwarded-for': '198.51.100.9, 10.0.0.2' },
      payload: { userId: 'u', event: 'e' },
    });
    assert.equal(proxied.sink.accepted()[0]?.requestIp, '198.51.100.9');
    assert.equal(proxied.sink.accepted()[0]?.event.context?.ip, '198.51.100.9');
  });
});

describe('backpressure', () => {
  it('answers 503 with the configured Retry-After when the log refuses, stores nothing, and recovers', async () => {
    const { app, sink } = await startTestCollector({ retryAfterSeconds: 7 });
    // The log's own hint does not override the operator's setting.
    sink.refuse = Object.assign(new LensError('disk nearly full', { retriable: true }), { retryAfterMs: 5000 });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: json,
      payload: { userId: 'u', event: 'e' },
    });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '7');
    assert.match(res.json().error.message, /disk nearly full/);
    // Not ready while the log refuses, so a load balancer sends events elsewhere.
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 503);
    assert.deepEqual([health.json().live, health.json().ready], [true, false]);
    assert.match(health.json().backpressure, /disk nearly full/);
    sink.refuse = undefined;
    assert.equal(
      (await app.inject({ method: 'POST', url: '/v1/track', headers: json, payload: { userId: 'u', event: 'e' } }))
        .statusCode,
      200,
    );
    assert.equal(sink.accepted().length, 1);
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).json().ready, true);
  });

  it('a failing log (a write error, not backpressure) also makes /health not ready until an append succeeds', async () => {
    const { app, sink } = await startTestCollector({ retryAfterSeconds: 7 });
    sink.refuse = new LensError('append to partition 0 failed: ENOSPC: no space left on device', { retriable: false });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: json,
      payload: { userId: 'u', event: 'e' },
    });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, 'log_error');
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 503);
    assert.deepEqual([health.json().live, health.json().ready], [true, false]);
    assert.match(health.json().backpressure, /ENOSPC/);
    sink.refuse = undefined;
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: json,
      payload: { userId: 'u', event: 'e' },
    });
    assert.equal(ok.statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).json().ready, true);
  });

  it('a sink that throws instead of rejecting is answered 503 with Retry-After too, not 500', async () => {
    const { app, sink } = await startTestCollector({ retryAfterSeconds: 3 });
    sink.throwNow = new LensError('the log is being reopened', { retriable: true });
    const payload = { userId: 'u', event: 'e' };
    const res = await app.inject({ method: 'POST', url: '/v1/track', headers: json, payload });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, 'log_unavailable');
    assert.equal(res.headers['retry-after'], '3');
    sink.throwNow = undefined;
    assert.equal((await app.inject({ method: 'POST', url: '/v1/track', headers: json, payload })).statusCode, 200);
    assert.equal(sink.accepted().length, 1);
  });
});

describe('CORS', () => {
  it('answers the preflight of the browser SDKs, reflecting origin and requested headers', async () => {
    const { app } = await startTestCollector();
    const requested = 'anonymousid,authorization,content-type,sentat,rsa-request-id,x-retry-count';
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/page',
      headers: {
        origin: 'https://news.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': requested,
      },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://news.example');
    assert.equal(res.headers['access-control-allow-headers'], requested);
    assert.match(String(res.headers['access-control-allow-methods']), /POST/);
  });

  it('with configured origins, other origins get no CORS headers', async () => {
    const { app } = await startTestCollector({ cors: { origins: ['https://ok.example'] } });
    const ok = await app.inject({
      method: 'OPTIONS',
      url: '/v1/page',
      headers: { origin: 'https://ok.example', 'access-control-request-method': 'POST' },
    });
    const bad = await app.inject({
      method: 'OPTIONS',
      url: '/v1/page',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(ok.headers['access-control-allow-origin'], 'https://ok.example');
    assert.equal(bad.headers['access-control-allow-origin'], undefined);
    assert.equal(bad.statusCode, 403);
    assert.equal(bad.json().error.code, 'origin_not_allowed');
    assert.match(bad.json().error.message, /origin https:\/\/evil\.example is not allowed: add it to cors\.origins/);
  });

  it('with configured origins, a POST that needs no preflight from another origin is refused and not stored', async () => {
    const { app, sink } = await startTestCollector({ cors: { origins: ['https://ok.example'] } });
    const send = (origin: string, url: string): ReturnType<typeof app.inject> =>
      app.inject({
        method: 'POST',
        url,
        headers: { origin, 'content-type': 'text/plain' },
        payload: JSON.stringify({ writeKey: WRITE_KEY, batch: [{ type: 'track', userId: 'u', event: origin }] }),
      });
    const bad = await send('https://evil.example', '/v1/batch');
    assert.equal(bad.statusCode, 403);
    assert.equal(bad.json().error.code, 'origin_not_allowed');
    assert.equal((await send('https://evil.example', `/beacon/v1/batch?writeKey=${WRITE_KEY}`)).statusCode, 403);
    assert.equal((await send('https://ok.example', '/v1/batch')).statusCode, 200);
    // Pixels fetched with an Origin (fetch, <img crossorigin>) and the SDKs' settings: the same rule.
    const pixel = (origin: string) =>
      app.inject({
        method: 'GET',
        url: `/pixel/v1/track?writeKey=${WRITE_KEY}&event=${encodeURIComponent(origin)}&anonymousId=a`,
        headers: { origin },
      });
    assert.equal((await pixel('https://evil.example')).statusCode, 403);
    const settings = await app.inject({
      method: 'GET',
      url: `/v1/projects/${WRITE_KEY}/settings`,
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(settings.statusCode, 403);
    assert.equal(settings.json().error.code, 'origin_not_allowed');
    assert.equal((await pixel('https://ok.example')).statusCode, 200);
    assert.deepEqual(
      sink.payloads().map((r) => (r.kind === 'event' ? r.event.event : r.kind)),
      ['https://ok.example', 'https://ok.example'],
    );
  });
});
