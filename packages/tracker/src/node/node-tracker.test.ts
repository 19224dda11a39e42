// The Node SDK's call contract without a collector: a call never throws into the application.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FetchLike } from '../core/send-batch.js';
import { NodeTracker } from './node-tracker.js';

/** A fetch that answers 200 and keeps the batches it was sent. */
function recordingFetch(): { fetch: FetchLike; batches: unknown[][] } {
  const batches: unknown[][] = [];
  const fetch: FetchLike = async (_url, init) => {
    batches.push((JSON.parse(init.body) as { batch: unknown[] }).batch);
    return { status: 200, headers: { get: () => null }, text: async () => '{"success":true}' };
  };
  return { fetch, batches };
}

describe('NodeTracker calls', () => {
  it('a BigInt (a database bigint column) or a circular object is counted as invalid, not thrown', async () => {
    const { fetch, batches } = recordingFetch();
    const drops: string[] = [];
    const tracker = new NodeTracker({
      writeKey: 'k',
      host: 'http://collector.invalid',
      fetch,
      onDrop: (n, reason) => drops.push(`${n} ${reason}`),
    });
    const circular: Record<string, unknown> = { a: 1 };
    circular['self'] = circular;
    assert.doesNotThrow(() =>
      tracker.track({ userId: 'u', event: 'Big', properties: { id: 123n } as unknown as Record<string, never> }),
    );
    assert.doesNotThrow(() => tracker.identify({ userId: 'u', traits: circular as unknown as Record<string, never> }));
    tracker.track({ userId: 'u', event: 'Fine' });
    assert.equal(await tracker.closeAndFlush({ timeoutMs: 2000 }), true);
    assert.equal(tracker.stats().dropped.invalid, 2);
    assert.deepEqual(drops, ['1 invalid', '1 invalid']);
    assert.deepEqual(
      batches.flat().map((e) => (e as { event?: string }).event),
      ['Fine'],
    );
  });
  it('a timestamp that is no time is counted as invalid, not thrown; a null timestamp is no timestamp', async () => {
    const { fetch, batches } = recordingFetch();
    const tracker = new NodeTracker({ writeKey: 'k', host: 'http://collector.invalid', fetch });
    assert.doesNotThrow(() => tracker.track({ userId: 'u', event: 'Words', timestamp: 'yesterday' }));
    assert.doesNotThrow(() => tracker.track({ userId: 'u', event: 'Invalid Date', timestamp: new Date(Number.NaN) }));
    tracker.track({ userId: 'u', event: 'Null', timestamp: null as unknown as string });
    assert.equal(await tracker.closeAndFlush({ timeoutMs: 2000 }), true);
    assert.equal(tracker.stats().dropped.invalid, 2);
    const [sent] = batches.flat() as { event: string; timestamp?: string; originalTimestamp: string }[];
    assert.equal(sent?.event, 'Null');
    assert.equal(sent?.timestamp, undefined); // not 1970-01-01 (new Date(null))
    assert.ok(Date.now() - Date.parse(sent!.originalTimestamp) < 60_000);
  });
  it('flush({ timeoutMs }) resolves false in time while the collector is unreachable; the events stay queued', async () => {
    let up = false;
    const sent: unknown[] = [];
    const fetch: FetchLike = async (_url, init) => {
      if (!up) throw new TypeError('fetch failed'); // connection refused
      sent.push(...(JSON.parse(init.body) as { batch: unknown[] }).batch);
      return { status: 200, headers: { get: () => null }, text: async () => '{"success":true}' };
    };
    const tracker = new NodeTracker({
      writeKey: 'k',
      host: 'http://collector.invalid',
      fetch,
      retry: { baseMs: 50, maxMs: 100 },
      maxRetries: 1000, // rides out the outage: this test is about flush's timeout, not the retry bound
    });
    tracker.track({ userId: 'u', event: 'At The End Of A Request' });
    const started = Date.now();
    assert.equal(await tracker.flush({ timeoutMs: 300 }), false);
    assert.ok(Date.now() - started < 2000, 'did not wait for the collector');
    assert.equal(tracker.stats().queued, 1);
    up = true;
    assert.equal(await tracker.flush(), true);
    assert.equal(sent.length, 1);
    await tracker.closeAndFlush();
  });
});

describe('NodeTracker after closeAndFlush', () => {
  it('a flush() waiting when closeAndFlush times out, and a flush() after it, resolve false at once', async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError('fetch failed'); // connection refused
    };
    const tracker = new NodeTracker({
      writeKey: 'k',
      host: 'http://collector.invalid',
      fetch,
      retry: { baseMs: 50, maxMs: 100 },
      maxRetries: 1000,
    });
    tracker.track({ userId: 'u', event: 'Never Delivered' });
    const waiting = tracker.flush();
    assert.equal(await tracker.closeAndFlush({ timeoutMs: 200 }), false);
    const within = (promise: Promise<boolean>) =>
      Promise.race([promise, new Promise((resolve) => setTimeout(resolve, 1000, 'still waiting'))]);
    assert.equal(await within(waiting), false);
    assert.equal(await within(tracker.flush()), false);
    assert.equal(await within(tracker.flush({ timeoutMs: 60_000 })), false);
    assert.equal(tracker.stats().queued, 1);
  });
});

describe('NodeTracker callbacks (as @segment/analytics-node takes them)', () => {
  it('each call tells its callback once how it ended: delivered, rejected by the collector, or dropped', async () => {
    const fetch: FetchLike = async (_url, init) => {
      const batch = (JSON.parse(init.body) as { batch: { event?: string }[] }).batch;
      if (batch.some((e) => e.event === 'Unauthorised'))
        return { status: 401, headers: { get: () => null }, text: async () => '{}' };
      const rejected = batch.flatMap((e, index) =>
        e.event === 'Bad' ? [{ index, code: 'invalid', reason: 'test' }] : [],
      );
      return {
        status: 200,
        headers: { get: () => null },
        text: async () => JSON.stringify({ success: true, rejected }),
      };
    };
    const tracker = new NodeTracker({ writeKey: 'k', host: 'http://collector.invalid', fetch, flushAt: 100 });
    const ended = new Map<string, (string | undefined)[]>();
    const cb = (name: string) => (error?: Error) => ended.set(name, [...(ended.get(name) ?? []), error?.message]);
    tracker.track({ userId: 'u', event: 'Good' }, cb('good'));
    tracker.track({ userId: 'u', event: 'Bad' }, cb('bad'));
    tracker.identify({ userId: 'u', traits: { plan: 'pro' } }, cb('identify'));
    tracker.track({ event: 'No identity' } as never, cb('invalid'));
    tracker.track({ userId: 'u', event: 'Huge', properties: { blob: 'x'.repeat(40_000) } }, cb('huge'));
    assert.equal(await tracker.flush({ timeoutMs: 2000 }), true);
    tracker.track({ userId: 'u', event: 'Unauthorised' }, cb('401'));
    assert.equal(await tracker.closeAndFlush({ timeoutMs: 2000 }), true);
    assert.deepEqual(ended.get('good'), [undefined]);
    assert.deepEqual(ended.get('identify'), [undefined]);
    assert.match(ended.get('bad')?.[0] ?? '', /rejected_by_collector/);
    assert.match(ended.get('invalid')?.[0] ?? '', /invalid/);
    assert.match(ended.get('huge')?.[0] ?? '', /too_large/);
    assert.match(ended.get('401')?.[0] ?? '', /rejected_by_collector/);
    assert.equal(ended.size, 6);
  });

  it('a call without a message, or an onDrop or callback that throws, never throws into the application', async () => {
    const { fetch } = recordingFetch();
    const tracker = new NodeTracker({
      writeKey: 'k',
      host: 'http://collector.invalid',
      fetch,
      onDrop: () => {
        throw new Error('handler bug');
      },
    });
    assert.doesNotThrow(() => tracker.track(undefined as never));
    assert.doesNotThrow(() => tracker.identify(null as never));
    assert.doesNotThrow(() => tracker.page('Home' as never));
    assert.doesNotThrow(() =>
      tracker.track({ userId: 'u', event: 'E' }, () => {
        throw new Error('callback bug');
      }),
    );
    assert.equal(await tracker.closeAndFlush({ timeoutMs: 2000 }), true);
    assert.equal(tracker.stats().dropped.invalid, 3);
    assert.equal(tracker.stats().delivered, 1);
  });
});

describe('NodeTracker endpoint', () => {
  it('posts to host + /v1/batch, or to the `path` given (analytics-node option), with one slash between', async () => {
    const urls: string[] = [];
    const fetch: FetchLike = async (url) => {
      urls.push(url);
      return { status: 200, headers: { get: () => null }, text: async () => '{"success":true}' };
    };
    for (const options of [
      { host: 'https://c.example.com/' },
      { host: 'https://c.example.com', path: '/collect/v1/batch' },
      { host: 'https://c.example.com/', path: 'v1/batch' },
    ]) {
      const tracker = new NodeTracker({ writeKey: 'k', fetch, ...options });
      tracker.track({ userId: 'u', event: 'E' });
      assert.equal(await tracker.closeAndFlush({ timeoutMs: 2000 }), true);
    }
    assert.deepEqual(urls, [
      'https://c.example.com/v1/batch',
      'https://c.example.com/collect/v1/batch',
      'https://c.example.com/v1/batch',
    ]);
  });
});
