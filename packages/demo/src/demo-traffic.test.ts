// The live sender against a real local HTTP server that misbehaves like a loaded collector (503/429 with
// Retry-After, a dropped connection): every generated event must arrive in an accepted batch exactly once.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { validateEvent, type TrackingEvent } from '@lens/protocol';
import { parseRetryAfter } from './batch-sender.js';
import { startDemoTraffic } from './demo-traffic.js';
import { DemoDeliveryError } from './errors.js';

interface Received {
  status: number;
  authorization: string | undefined;
  body: { batch: TrackingEvent[]; sentAt: string };
}

/** Starts a server whose n-th request gets `script[n]` (default 200) and records every request. */
async function scriptedCollector(
  script: (number | 'drop')[],
): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const action = script[received.length] ?? 200;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'];
      received.push({ status: action === 'drop' ? 0 : action, authorization: req.headers.authorization, body });
      if (action === 'drop') {
        req.socket.destroy();
        return;
      }
      if (action === 200) {
        const rejected = body.batch.flatMap((e, index) =>
          validateEvent(e).ok ? [] : [{ index, code: 'invalid_event', reason: 'x' }],
        );
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ success: true, accepted: body.batch.length - rejected.length, rejected }));
      } else
        res
          .writeHead(action, { 'retry-after': action === 503 && received.length === 4 ? '1' : '0' })
          .end('{"error":"busy"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('startDemoTraffic', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });

  it('delivers every event exactly once through 503s, a 429 and a dropped connection', async () => {
    const scripted = await scriptedCollector([503, 429, 'drop', 503]);
    closers.push(scripted.close);
    const before = Date.now();
    const traffic = startDemoTraffic({
      url: scripted.url,
      writeKey: 'test-write-key-123',
      rate: 200,
      durationS: 1.5,
      seed: 99,
      flushIntervalMs: 100,
    });
    const stats = await traffic.done;
    assert.ok(stats.generated > 150, `only ${stats.generated} events in 1.5 s at 200/s`);
    assert.ok(stats.retries >= 4, `${stats.retries} retries`);
    assert.equal(stats.failed, 0);
    for (const r of scripted.received)
      assert.equal(r.authorization, `Basic ${Buffer.from('test-write-key-123:').toString('base64')}`);
    const accepted = scripted.received.filter((r) => r.status === 200).flatMap((r) => r.body.batch);
    const ids = accepted.map((e) => e.messageId);
    assert.equal(new Set(ids).size, ids.length, 'an event was delivered twice');
    assert.equal(accepted.length, stats.generated);
    for (const r of scripted.received.filter((x) => x.status !== 200))
      for (const e of r.body.batch) assert.ok(ids.includes(e.messageId), 'a refused event was never redelivered');
    assert.equal(stats.accepted + stats.rejected, stats.generated);
    for (const r of scripted.received) for (const e of r.body.batch) assert.equal(e.sentAt, r.body.sentAt);
    for (const e of accepted) {
      assert.equal(validateEvent(e).ok, e._demoMalformed === undefined);
      const t = Date.parse(e.timestamp as string);
      if (e._demoMalformed === undefined)
        assert.ok(t >= before && t <= before + 1600, `timestamp ${e.timestamp as string} outside the run`);
    }
  });

  it('runs until stop() and then resolves with the final counts', async () => {
    const scripted = await scriptedCollector([]);
    closers.push(scripted.close);
    const traffic = startDemoTraffic({
      url: scripted.url,
      writeKey: 'test-write-key-123',
      rate: 100,
      seed: 5,
      flushIntervalMs: 50,
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const running = traffic.stats();
    const stats = await traffic.stop();
    assert.ok(stats.generated >= running.generated && stats.generated > 20);
    assert.equal(
      scripted.received.reduce((n, r) => n + r.body.batch.length, 0),
      stats.generated,
    );
  });

  it('fails fast with a DemoDeliveryError when the collector refuses the write key', async () => {
    const scripted = await scriptedCollector([401, 401, 401]);
    closers.push(scripted.close);
    const traffic = startDemoTraffic({
      url: scripted.url,
      writeKey: 'wrong-key-123',
      rate: 100,
      durationS: 5,
      seed: 1,
      flushIntervalMs: 50,
    });
    await assert.rejects(traffic.done, (e: unknown) => e instanceof DemoDeliveryError && e.context.status === 401);
    assert.equal(scripted.received.length, 1);
  });

  it('ends at its duration even while a batch waits to be retried (the collector is down)', async () => {
    // A port nothing listens on: every attempt fails and is retried with backoff (up to ~30 s in all).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const started = Date.now();
    const traffic = startDemoTraffic({ url: `http://127.0.0.1:${port}`, writeKey: 'k', rate: 50, durationS: 1 });
    const stats = await traffic.done;
    assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms for a 1-s run`);
    assert.equal(stats.accepted, 0);
    assert.ok(stats.failed > 0, 'the batch given up is counted failed');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(null), undefined);
    const ms = parseRetryAfter(new Date(Date.now() + 5000).toUTCString()) as number;
    assert.ok(ms > 3000 && ms <= 5000, String(ms));
  });
});
