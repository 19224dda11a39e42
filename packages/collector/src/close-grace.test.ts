// Shutting down with a request stuck mid-body: close() must not wait for it forever (Node stops timing requests
// out once the server closes); the stuck connection is cut after the grace period, while a complete request
// in flight is still answered.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { CLOSE_GRACE_MS } from './collector-app.js';
import { BASIC_AUTH, startTestCollector } from './testing/collector-harness.js';

describe('collector close', () => {
  it('cuts a connection whose request never finishes after the grace period', async () => {
    const { app } = await startTestCollector();
    const { port } = await app.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const cut = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    // Headers promise 1,000 bytes of body; only 10 are sent.
    socket.write(
      `POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: ${BASIC_AUTH}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":"t`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await app.close();
    const took = Date.now() - started;
    await cut;
    assert.ok(took >= CLOSE_GRACE_MS - 100, `closed after ${took} ms, before the grace period`);
    assert.ok(took < CLOSE_GRACE_MS + 2_000, `closed after ${took} ms`);
  });
});
