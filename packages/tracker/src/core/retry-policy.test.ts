// Unit tests of the retry decisions: which answers are retried, how long the waits are, Retry-After parsing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, classifyStatus, parseRetryAfter } from './retry-policy.js';
import { utf8Length } from './event-size.js';

describe('retry policy', () => {
  it('retries 5xx, 408 and 429, never other 4xx; 2xx/3xx succeed', () => {
    for (const status of [500, 502, 503, 504]) assert.equal(classifyStatus(status, null).kind, 'retry', String(status));
    assert.deepEqual(classifyStatus(429, '7'), {
      kind: 'retry',
      reason: 'http_429',
      retryAfterMs: 7000,
      countsAsAttempt: false,
    });
    assert.equal(classifyStatus(408, null).kind, 'retry');
    for (const status of [400, 401, 403, 404, 413])
      assert.equal(classifyStatus(status, null).kind, 'drop', String(status));
    assert.equal(classifyStatus(200, null).kind, 'ok');
    const unavailable = classifyStatus(503, null);
    assert.ok(unavailable.kind === 'retry' && unavailable.countsAsAttempt, 'a 5xx uses up an attempt');
  });

  it('parses Retry-After as seconds or an HTTP date, capped at an hour', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000), 5000);
    assert.equal(parseRetryAfter('99999'), 3_600_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  it('backs off exponentially with jitter between half and all of the step, never below Retry-After', () => {
    const opts = { baseMs: 1000, maxMs: 60_000 };
    assert.equal(
      backoffDelay(1, opts, 0, () => 0),
      500,
    );
    assert.equal(
      backoffDelay(1, opts, 0, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(4, opts, 0, () => 0),
      4000,
    );
    assert.equal(
      backoffDelay(4, opts, 0, () => 1),
      8000,
    );
    assert.equal(
      backoffDelay(30, opts, 0, () => 1),
      60_000,
    );
    assert.equal(
      backoffDelay(1, opts, 9000, () => 1),
      9000,
    );
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(3, opts)));
    assert.ok(spread.size > 10, 'jitter spreads clients out');
  });

  it('measures UTF-8 bytes', () => {
    assert.equal(utf8Length('abc'), 3);
    assert.equal(utf8Length('é€😀'), Buffer.byteLength('é€😀'));
  });
});
