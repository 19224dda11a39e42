// A corpus of malformed input: none of it may crash the collector, get a 5xx, or vanish — every request that
// reached a known source leaves a record (accepted or quarantined), and the collector keeps serving.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASIC_AUTH, startTestCollector, WRITE_KEY } from './testing/collector-harness.js';

const deep = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const CORPUS: { name: string; url?: string; payload: string | Buffer; headers?: Record<string, string> }[] = [
  { name: 'truncated JSON', payload: '{"batch":[{"type":"track","userId":"u","event":"e"' },
  { name: 'empty body', payload: '' },
  { name: 'whitespace body', payload: '   \n ' },
  { name: 'JSON null', payload: 'null' },
  { name: 'JSON array', payload: '[1,2,3]' },
  { name: 'JSON string', payload: '"hello"' },
  { name: 'number as batch', payload: '{"batch":5}' },
  { name: 'empty batch', payload: '{"batch":[]}' },
  { name: 'null in batch', payload: '{"batch":[null]}' },
  { name: 'nested arrays in batch', payload: '{"batch":[[{"type":"track"}]]}' },
  {
    name: 'wrong types',
    payload: JSON.stringify({
      batch: [{ type: 'track', userId: {}, event: 5, properties: 'x', context: [], timestamp: 12 }],
    }),
  },
  {
    name: 'bad timestamp',
    payload: JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'e', timestamp: 'yesterday-ish' }] }),
  },
  {
    name: 'messageId too long',
    payload: JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'e', messageId: 'm'.repeat(101) }] }),
  },
  {
    name: 'deep nesting in properties',
    payload: `{"batch":[{"type":"track","userId":"u","event":"e","properties":${deep(20_000)}}]}`,
  },
  { name: 'deep nesting as the body', payload: deep(50_000) },
  { name: 'deeply nested arrays', payload: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
  {
    name: 'huge string',
    payload: JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'x'.repeat(900_000) }] }),
  },
  {
    name: 'invalid UTF-8',
    payload: Buffer.concat([
      Buffer.from('{"batch":[{"type":"track","userId":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('","event":"e"}]}'),
    ]),
  },
  { name: 'lone surrogate escape', payload: '{"batch":[{"type":"track","userId":"\\ud800","event":"e"}]}' },
  {
    name: '__proto__ keys',
    payload:
      '{"__proto__":{"polluted":true},"batch":[{"__proto__":{"polluted":true},"type":"track","userId":"u","event":"e","properties":{"__proto__":{"polluted":true}},"context":{"__proto__":{"x":1}}}]}',
  },
  {
    name: 'constructor.prototype keys',
    payload: '{"batch":[{"type":"track","userId":"u","event":"e","constructor":{"prototype":{"polluted":true}}}]}',
  },
  { name: 'NUL bytes', payload: '{"batch":[{"type":"track","userId":"u\\u0000","event":"e\u0000"}]}' },
  { name: 'binary garbage', payload: Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256)) },
  { name: 'garbage on a single route', url: '/v1/track', payload: '{{{{' },
  { name: 'array on a single route', url: '/v1/identify', payload: '[{"userId":"u"}]' },
];

describe('malformed input corpus', () => {
  it('never crashes, never answers 5xx, and keeps a record of every request', async () => {
    const { app, sink } = await startTestCollector();
    for (const item of CORPUS) {
      const before = sink.records.length;
      const res = await app.inject({
        method: 'POST',
        url: item.url ?? '/v1/batch',
        headers: { authorization: BASIC_AUTH, 'content-type': 'application/json', ...item.headers },
        payload: item.payload,
      });
      assert.ok(res.statusCode < 500, `${item.name}: got ${res.statusCode} ${res.body}`);
      const body = res.json();
      if (res.statusCode >= 400) assert.equal(typeof body.error.message, 'string', item.name);
      if (item.name !== 'empty batch') assert.ok(sink.records.length > before, `${item.name}: nothing was kept`);
      // Still serving after each one.
      const ok = await app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { authorization: BASIC_AUTH },
        payload: { userId: 'u', event: 'still-alive' },
      });
      assert.equal(ok.statusCode, 200, `${item.name}: collector stopped serving`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).x, undefined);
    const accepted = sink.accepted().filter((r) => r.event.event !== 'still-alive');
    // Only the events that are valid despite odd content are accepted (NUL bytes, __proto__ keys, lone surrogate).
    assert.ok(accepted.length <= 4, `unexpectedly accepted ${accepted.map((r) => r.event.event).join(',')}`);
    for (const rejected of sink.rejected()) assert.ok(rejected.reason.length > 0);
  });

  it('keeps an unreadable body only when it names a known source: its key in the body text, else refused', async () => {
    const { app, sink } = await startTestCollector();
    // Truncated analytics.js-style body (key in the body, no header): kept under that source.
    const named = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'content-type': 'text/plain' },
      payload: `{"writeKey":"${WRITE_KEY}","batch":[{"type":"track","userId":"u","event":"e"`,
    });
    assert.equal(named.statusCode, 400, named.body);
    assert.equal(sink.rejected().length, 1);
    assert.equal(sink.rejected()[0]!.sourceId, 'web');
    // No key anywhere: refused, and nothing is written (anyone reaching the port could fill the disk).
    for (const payload of ['{{{{', Buffer.alloc(2_000_000, 0x61)]) {
      const res = await app.inject({ method: 'POST', url: '/v1/batch', payload });
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().error.code, 'missing_write_key');
      assert.match(res.json().error.message, /nothing was kept/);
    }
    // The key last in a large body (where analytics.js puts it) is found too.
    const tail = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: `{"batch":[{"type":"track","userId":"u","event":"${'x'.repeat(70_000)}"}],,"writeKey":"${WRITE_KEY}"}`,
    });
    assert.equal(tail.statusCode, 400, tail.body);
    assert.equal(sink.rejected().length, 2);
    const unknown = await app.inject({ method: 'POST', url: '/v1/batch', payload: '{"writeKey":"nope","batch":[' });
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.json().error.code, 'unknown_write_key');
    assert.equal(sink.records.length, 2);
  });

  it('keeps the write key out of a quarantined event, as out of an accepted one', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ writeKey: WRITE_KEY, anonymousId: 'w1', messageId: 'no-event-name' }),
    });
    assert.equal(res.statusCode, 400);
    const raw = sink.rejected()[0]!.raw;
    assert.doesNotMatch(raw, /writeKey|test-write-key/);
    assert.match(raw, /"messageId":"no-event-name"/);
    // Kept as the request's bytes (found bad once enriched), the body's key is redacted.
    const lone = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { 'content-type': 'text/plain' },
      payload: `{"writeKey":"${WRITE_KEY}","anonymousId":"w2","event":"\\udfff"}`,
    });
    assert.equal(lone.statusCode, 400);
    assert.equal(sink.rejected()[1]!.raw, '{"writeKey":"(redacted)","anonymousId":"w2","event":"\\udfff"}');
  });

  it('keeps __proto__ keys as plain data on the stored event', async () => {
    const { app, sink } = await startTestCollector();
    await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: BASIC_AUTH, 'content-type': 'application/json' },
      payload: '{"userId":"u","event":"e","properties":{"__proto__":{"a":1},"b":2}}',
    });
    const properties = sink.accepted()[0]!.event.properties!;
    assert.equal(Object.getPrototypeOf(properties), Object.prototype);
    assert.deepEqual(JSON.parse(JSON.stringify(properties)), JSON.parse('{"__proto__":{"a":1},"b":2}'));
  });

  it('refuses an unpaired surrogate (no UTF-8 form) and quarantines the event as sent', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: BASIC_AUTH, 'content-type': 'application/json' },
      payload: '{"userId":"u","event":"e","properties":{"ok":"😀","lone":"\\ud800x"}}',
    });
    assert.equal(res.statusCode, 400);
    assert.match(
      res.json().error.message,
      /^event\.properties\.lone: not valid Unicode \(an unpaired UTF-16 surrogate\)/,
    );
    assert.equal(sink.accepted().length, 0);
    const [rejected] = sink.rejected();
    assert.equal(rejected!.raw, '{"userId":"u","event":"e","properties":{"ok":"😀","lone":"\\ud800x"}}', 'as sent');
    // Next to it in a batch, the valid events are accepted.
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: BASIC_AUTH, 'content-type': 'application/json' },
      payload: '{"batch":[{"userId":"u","type":"track","event":"\\udfff"},{"userId":"u","type":"track","event":"ok"}]}',
    });
    assert.equal(batch.statusCode, 200);
    assert.equal(batch.json().accepted, 1);
    assert.match(batch.json().rejected[0].reason, /^batch\[0\]\.event: not valid Unicode/);
  });

  it('refuses a number out of range (JSON.parse makes it Infinity, stored as null) and keeps the bytes sent', async () => {
    const { app, sink } = await startTestCollector();
    const payload = '{"userId":"u","event":"e","properties":{"fine":1e300,"n":[1, -2e400]}}';
    const res = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: BASIC_AUTH, 'content-type': 'application/json' },
      payload,
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /^event\.properties\.n\[1\]: a number out of range/);
    assert.equal(sink.accepted().length, 0);
    assert.equal(sink.rejected()[0]!.raw, payload);
    // In a batch only that event is refused; large but finite numbers (and exponents inside strings) pass.
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: BASIC_AUTH, 'content-type': 'application/json' },
      payload:
        '{"batch":[{"userId":"u","type":"track","event":"big","properties":{"v":1.7e308,"s":"9e999"}},' +
        '{"userId":"u","type":"track","event":"huge","properties":{"v":1e309}}]}',
    });
    assert.equal(batch.statusCode, 200);
    assert.equal(batch.json().accepted, 1);
    assert.match(batch.json().rejected[0].reason, /^batch\[1\]\.properties\.v: a number out of range/);
    const big = sink.accepted().find((r) => r.event.event === 'big')!;
    assert.deepEqual(big.event.properties, { v: 1.7e308, s: '9e999' });
  });

  it('quarantines the bytes of an event nested too deeply to encode, with a reason saying so', async () => {
    const { app, sink } = await startTestCollector();
    const payload = `{"userId":"u","event":"deep","properties":${deep(20_000)}}`;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: BASIC_AUTH, 'content-type': 'application/json' },
      payload,
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /^event: nested too deeply to be stored/);
    const [rejected] = sink.rejected();
    // The request's bytes, cut at the quarantine cap (this one is larger).
    assert.equal(rejected!.rawEncoding, 'utf8');
    assert.equal(rejected!.truncated, true);
    assert.ok(rejected!.raw.length > 60_000 && payload.startsWith(rejected!.raw), 'raw is not the request body');
  });

  it('an invalid UTF-8 body is quarantined byte for byte (base64)', async () => {
    const { app, sink } = await startTestCollector();
    const payload = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const res = await app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: BASIC_AUTH }, payload });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.message, 'body is not valid UTF-8');
    const [rejected] = sink.rejected();
    assert.equal(rejected?.rawEncoding, 'base64');
    assert.deepEqual(Buffer.from(rejected!.raw, 'base64'), payload);
  });
});
