// Pixels, the SDK configuration endpoints, SDK self-metrics, health, metrics and unknown routes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASIC_AUTH, WRITE_KEY, startTestCollector } from '../testing/collector-harness.js';
import { PIXEL_GIF } from './pixel-routes.js';

describe('pixels', () => {
  it('GET /pixel/v1/track with dotted query parameters stores the event and answers a GIF', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'GET',
      url: `/pixel/v1/track?writeKey=${WRITE_KEY}&event=Email%20Opened&anonymousId=a1&properties.campaign=nov&context.page.url=https%3A%2F%2Fx&__proto__.polluted=1`,
      headers: { 'user-agent': 'GoogleImageProxy' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/gif');
    assert.deepEqual(res.rawPayload, PIXEL_GIF);
    const event = sink.accepted()[0]!.event;
    assert.equal(event.type, 'track');
    assert.equal(event.event, 'Email Opened');
    assert.deepEqual(event.properties, { campaign: 'nov' });
    assert.equal((event.context as { page: { url: string } }).page.url, 'https://x');
    assert.equal(event.context?.userAgent, 'GoogleImageProxy'); // the loading client's, for the bot check
    assert.equal(event.writeKey, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('a pixel URL of 20 KB is read over a socket; one beyond 64 KB gets 431 with a JSON reason', async () => {
    const { app, sink } = await startTestCollector();
    const { port } = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = (n: number): string =>
        `http://127.0.0.1:${port}/pixel/v1/track?writeKey=${WRITE_KEY}&event=Opened&anonymousId=a1&properties.note=${'x'.repeat(n)}`;
      const ok = await fetch(url(20_000));
      assert.equal(ok.status, 200);
      assert.equal((sink.accepted()[0]!.event.properties as { note: string }).note.length, 20_000);
      const tooLong = await fetch(url(70_000));
      assert.equal(tooLong.status, 431);
      const body = (await tooLong.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'headers_too_large');
      assert.match(body.error.message, /larger than 65536 bytes: send the event in a POST body/);
      assert.equal((await fetch(url(10))).status, 200); // still serving
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /lens_collector_requests_total\{route="unparsed",status="431"\} 1/, 'counted');
    } finally {
      await app.close();
    }
  });

  it('a 431 answers a page with CORS headers (its fetch can read the reason), when the origin is allowed', async () => {
    const page = 'https://news.example';
    const { app } = await startTestCollector({ cors: { origins: [page] } });
    const { port } = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${port}/pixel/v1/track?writeKey=${WRITE_KEY}&event=E&anonymousId=a&p=${'x'.repeat(70_000)}`;
      const allowed = await fetch(url, { headers: { origin: page } });
      assert.equal(allowed.status, 431);
      assert.equal(allowed.headers.get('access-control-allow-origin'), page);
      assert.equal(allowed.headers.get('vary'), 'Origin');
      const other = await fetch(url, { headers: { origin: 'https://elsewhere.example' } });
      assert.equal(other.status, 431);
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    } finally {
      await app.close();
    }
  });

  it('HEAD on a pixel (link checkers, prefetchers) answers its headers and stores nothing', async () => {
    const { app, sink } = await startTestCollector();
    const res = await app.inject({
      method: 'HEAD',
      url: `/pixel/v1/track?writeKey=${WRITE_KEY}&event=Email%20Opened&anonymousId=a1`,
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/gif');
    assert.equal(sink.accepted().length + sink.rejected().length, 0);
  });

  it('GET /v1/pixel/page?data=base64(JSON) (Segment) stores a page event', async () => {
    const { app, sink } = await startTestCollector();
    const data = Buffer.from(JSON.stringify({ writeKey: WRITE_KEY, userId: 'u9', name: 'Newsletter' })).toString(
      'base64',
    );
    const res = await app.inject({ method: 'GET', url: `/v1/pixel/page?data=${encodeURIComponent(data)}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual([sink.accepted()[0]?.event.type, sink.accepted()[0]?.event.name], ['page', 'Newsletter']);
  });

  it('reads Segment pixel data written into the URL as is: a "+" of the base64 arrives as a space', async () => {
    const { app, sink } = await startTestCollector();
    // base64 of this event holds "+" (from ">>>"); e-mail templates paste the base64 unencoded, as Segment's docs do.
    const data = Buffer.from(
      JSON.stringify({ writeKey: WRITE_KEY, event: 'Email Opened', anonymousId: 'a1', properties: { s: '>>>???' } }),
    ).toString('base64');
    assert.match(data, /\+/);
    const res = await app.inject({ method: 'GET', url: `/v1/pixel/track?data=${data}` });
    assert.equal(res.statusCode, 200, String(res.headers['x-lens-error']));
    assert.deepEqual(sink.accepted()[0]?.event.properties, { s: '>>>???' });
  });

  it('a Segment pixel refused for a field named in any script still answers its GIF, the reason escaped', async () => {
    const { app, sink } = await startTestCollector();
    const text = `{"writeKey":"${WRITE_KEY}","event":"E","anonymousId":"a1","properties":{"日本":"\\ud800"}}`;
    const res = await app.inject({
      method: 'GET',
      url: `/v1/pixel/track?data=${encodeURIComponent(Buffer.from(text).toString('base64'))}`,
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-type'], 'image/gif');
    assert.deepEqual(res.rawPayload, PIXEL_GIF);
    assert.match(String(res.headers['x-lens-error']), /^event\.properties\["\\u65e5\\u672c"\]: not valid Unicode/);
    assert.equal(sink.rejected().length, 1);
  });

  it('a Segment pixel with a number beyond a double is refused, not stored as null', async () => {
    const { app, sink } = await startTestCollector();
    const text = `{"writeKey":"${WRITE_KEY}","event":"E","anonymousId":"a1","properties":{"n":1e400}}`;
    const res = await app.inject({
      method: 'GET',
      url: `/v1/pixel/track?data=${encodeURIComponent(Buffer.from(text).toString('base64'))}`,
    });
    assert.equal(res.statusCode, 400);
    assert.match(String(res.headers['x-lens-error']), /event\.properties\.n: a number out of range/);
    assert.equal(sink.accepted().length, 0);
    assert.equal(sink.rejected().length, 1);
  });

  it('keeps a Segment pixel with unreadable data in the quarantine when it names a known source', async () => {
    const { app, sink } = await startTestCollector();
    const named = await app.inject({ method: 'GET', url: `/v1/pixel/track?writeKey=${WRITE_KEY}&data=bm90IGpzb24%3D` });
    assert.equal(named.statusCode, 400);
    assert.equal(named.headers['x-lens-error'], 'data: not base64-encoded JSON');
    const [kept] = sink.rejected();
    assert.equal(kept?.sourceId, 'web');
    assert.equal(kept?.reason, 'data: not base64-encoded JSON');
    assert.match(kept?.raw ?? '', /data=bm90IGpzb24%3D/);
    // Naming no known source: refused, nothing kept.
    const anonymous = await app.inject({ method: 'GET', url: '/v1/pixel/track?data=bm90IGpzb24%3D' });
    assert.equal(anonymous.statusCode, 400);
    assert.equal(sink.records.length, 1);
  });

  it('still answers a GIF on errors, with the status and X-Lens-Error telling why', async () => {
    const { app, sink } = await startTestCollector();
    const unknown = await app.inject({ method: 'GET', url: '/pixel/v1/track?writeKey=nope&event=x&anonymousId=a' });
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.headers['content-type'], 'image/gif');
    const invalid = await app.inject({ method: 'GET', url: `/pixel/v1/track?writeKey=${WRITE_KEY}&anonymousId=a` });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.headers['x-lens-error'], 'event.event: required for type "track"');
    assert.equal(sink.rejected().length, 1);
  });
});

describe('SDK configuration endpoints', () => {
  it('GET /sourceConfig/ answers RudderStack analytics-js with an enabled source (Basic auth or query)', async () => {
    const { app } = await startTestCollector();
    for (const request of [
      { url: '/sourceConfig/?p=npm&v=3.34.1&build=modern', headers: { authorization: BASIC_AUTH } },
      { url: `/sourceConfig?writeKey=${WRITE_KEY}`, headers: {} },
    ]) {
      const res = await app.inject({ method: 'GET', ...request });
      assert.equal(res.statusCode, 200);
      const { source } = res.json();
      assert.deepEqual([source.id, source.enabled, source.config, source.destinations], ['web', true, {}, []]);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/sourceConfig/?writeKey=nope' })).statusCode, 401);
  });

  it('GET /v1/projects/:writeKey/settings answers analytics-next with Segment.io apiKey and apiHost', async () => {
    const { app } = await startTestCollector();
    const res = await app.inject({
      method: 'GET',
      url: `/v1/projects/${WRITE_KEY}/settings`,
      headers: { host: 'collector.local:8080' },
    });
    assert.equal(res.statusCode, 200);
    const segment = res.json().integrations['Segment.io'];
    assert.equal(segment.apiKey, WRITE_KEY);
    assert.equal(segment.apiHost, 'collector.local:8080/v1');
    assert.equal(res.json().metrics.sampleRate, 0);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/projects/nope/settings' })).statusCode, 401);
  });

  it('behind a proxy (trustProxy), apiHost is the host the browser used (X-Forwarded-Host), else never', async () => {
    const forwarded = {
      host: '10.0.0.5:8080',
      'x-forwarded-host': 'collect.news.example',
      'x-forwarded-proto': 'https',
    };
    const ask = async (trustProxy: boolean): Promise<{ apiHost: string; protocol: string }> => {
      const { app } = await startTestCollector({ trustProxy });
      const res = await app.inject({ method: 'GET', url: `/v1/projects/${WRITE_KEY}/settings`, headers: forwarded });
      return res.json().integrations['Segment.io'];
    };
    assert.deepEqual(await ask(true), { ...(await ask(true)), apiHost: 'collect.news.example/v1', protocol: 'https' });
    assert.equal((await ask(false)).apiHost, '10.0.0.5:8080/v1');
    forwarded['x-forwarded-host'] = 'collect.news.example, lb.internal'; // several proxies: the first one's
    assert.equal((await ask(true)).apiHost, 'collect.news.example/v1');
  });
});

describe('operations', () => {
  it('SDK self-metrics posts are answered 200 and counted, not stored', async () => {
    const { app, sink } = await startTestCollector();
    for (const url of ['/v1/m', '/rsaMetrics']) {
      assert.equal(
        (
          await app.inject({
            method: 'POST',
            url,
            headers: { 'content-type': 'application/json' },
            payload: { series: [] },
          })
        ).statusCode,
        200,
      );
    }
    assert.equal(sink.records.length, 0);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /lens_collector_sdk_metrics_requests_total 2/);
  });

  it('/health is live and ready; /metrics counts accepted and rejected events by reason', async () => {
    const { app } = await startTestCollector();
    assert.deepEqual((await app.inject({ method: 'GET', url: '/health' })).json().ready, true);
    await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: BASIC_AUTH },
      payload: {
        batch: [
          { type: 'track', userId: 'u', event: 'e' },
          { type: 'track', userId: 'u' },
        ],
      },
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /lens_collector_events_accepted_total\{source="web"\} 1/);
    assert.match(metrics, /lens_collector_events_rejected_total\{reason="missing_required"\} 1/);
    assert.match(metrics, /lens_collector_request_duration_seconds_bucket\{le="[^"]+",route="\/v1\/batch"\}/);
    assert.match(metrics, /lens_log_append_duration_seconds_count 1/);
  });

  it('an unknown route is a JSON 404', async () => {
    const { app } = await startTestCollector();
    const res = await app.inject({ method: 'POST', url: '/v2/track?x=1', payload: {} });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { success: false, error: { code: 'not_found', message: 'no route POST /v2/track' } });
  });
});

describe('client aborts', () => {
  it('a client hanging up mid-upload is counted as 499, not as a crash (500), and the collector keeps serving', async () => {
    const { app } = await startTestCollector();
    const { port } = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { createConnection } = await import('node:net');
      const socket = createConnection({ host: '127.0.0.1', port });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const auth = Buffer.from(`${WRITE_KEY}:`).toString('base64');
      socket.write(
        `POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Length: 1000\r\n\r\n{"userId":"ab`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /lens_collector_requests_total\{route="\/v1\/track",status="499"\} 1/);
      assert.doesNotMatch(metrics, /status="500"/);
    } finally {
      await app.close();
    }
  });
});
