// The Node SDK against a started Lens collector: every call arrives with its fields; a collector answering
// 503 for a while, or down and back up, still gets every event exactly once; memory stays bounded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLens, WRITE_KEY, type LensFixture } from '../testing/lens-fixture.js';
import { NodeTracker } from './node-tracker.js';
import type { FetchLike } from '../core/send-batch.js';

let lens: LensFixture;
before(async () => {
  lens = await startLens();
});
after(() => lens.close());

const fast = { baseMs: 100, maxMs: 1000 };
/** Tests that ride out an outage allow more than analytics-node's 3 retries (the default, tested elsewhere). */
const patient = 20;

/** A fetch that counts requests and their answers, so tests can see retries happen. */
function countingFetch(): { fetch: FetchLike; statuses: number[] } {
  const statuses: number[] = [];
  const wrapped: FetchLike = async (url, init) => {
    try {
      const response = await fetch(url, init);
      statuses.push(response.status);
      return response;
    } catch (error) {
      statuses.push(0);
      throw error;
    }
  };
  return { fetch: wrapped, statuses };
}

describe('NodeTracker', () => {
  it('delivers every call type with identities, fields and library context', async () => {
    const tracker = new NodeTracker({ writeKey: WRITE_KEY, host: lens.url, flushAt: 100 });
    const when = new Date('2026-02-03T04:05:06.000Z');
    tracker.track({
      userId: 'u-node',
      event: 'Order Completed',
      properties: { total: 12.5 },
      messageId: 'node-track-1',
    });
    tracker.identify({ userId: 'u-node', traits: { plan: 'pro' }, messageId: 'node-identify-1' });
    tracker.page({
      anonymousId: 'a-node',
      name: 'Home',
      category: 'Docs',
      properties: { path: '/' },
      messageId: 'node-page-1',
    });
    tracker.screen({ userId: 'u-node', name: 'Feed', messageId: 'node-screen-1' });
    tracker.group({ userId: 'u-node', groupId: 'org-1', traits: { seats: 3 }, messageId: 'node-group-1' });
    tracker.alias({ userId: 'u-node', previousId: 'a-node', timestamp: when, messageId: 'node-alias-1' });
    tracker.track({ event: 'No identity' } as never);
    assert.equal(tracker.stats().dropped.invalid, 1, 'a call without userId/anonymousId is counted, not sent');
    assert.equal(await tracker.closeAndFlush(), true);

    const byId = new Map((await lens.events()).map((e) => [e.messageId, e]));
    const track = byId.get('node-track-1');
    assert.equal(track?.event, 'Order Completed');
    assert.deepEqual(track?.properties, { total: 12.5 });
    assert.equal(track?.userId, 'u-node');
    assert.deepEqual(track?.context?.['library'], { name: '@lens/tracker', version: '0.1.0' });
    assert.deepEqual(byId.get('node-identify-1')?.traits, { plan: 'pro' });
    assert.equal(byId.get('node-page-1')?.anonymousId, 'a-node');
    assert.equal(byId.get('node-page-1')?.category, 'Docs');
    assert.equal(byId.get('node-screen-1')?.type, 'screen');
    assert.equal(byId.get('node-group-1')?.groupId, 'org-1');
    assert.equal(byId.get('node-alias-1')?.previousId, 'a-node');
    assert.equal(byId.get('node-alias-1')?.timestamp, when.toISOString(), 'an explicit timestamp is kept');
    assert.equal(tracker.stats().delivered, 6);
  });

  it('retries through a collector answering 503 for a while; each event arrives once', async () => {
    const { fetch, statuses } = countingFetch();
    const tracker = new NodeTracker({
      writeKey: WRITE_KEY,
      host: lens.url,
      flushAt: 10,
      retry: fast,
      maxRetries: patient,
      fetch,
    });
    lens.refuseSeconds = 1;
    setTimeout(() => {
      lens.refuseSeconds = undefined;
    }, 2500);
    const sent: string[] = [];
    for (let i = 0; i < 45; i++) {
      const messageId = `node-503-${i}`;
      sent.push(messageId);
      tracker.track({ userId: 'u', event: 'E', messageId });
    }
    const started = Date.now();
    await tracker.flush();
    assert.ok(Date.now() - started >= 2000, 'flush waited for the collector to recover');
    assert.ok(statuses.filter((s) => s === 503).length >= 2, `503s seen: ${statuses.join(',')}`);
    const counts = await lens.counts();
    for (const id of sent) assert.equal(counts.get(id), 1, id);
    assert.equal(tracker.stats().delivered, 45);
    assert.ok(tracker.stats().retries >= 2);
    await tracker.closeAndFlush();
  });

  it('keeps events while the collector is down and delivers them once when it is back', async () => {
    await lens.down();
    const tracker = new NodeTracker({
      writeKey: WRITE_KEY,
      host: lens.url,
      flushAt: 5,
      retry: fast,
      maxRetries: patient,
    });
    for (let i = 0; i < 12; i++) tracker.track({ anonymousId: 'a', event: 'Down', messageId: `node-down-${i}` });
    const flushed = tracker.flush();
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(tracker.stats().delivered, 0);
    await lens.up();
    await flushed;
    const counts = await lens.counts();
    for (let i = 0; i < 12; i++) assert.equal(counts.get(`node-down-${i}`), 1);
    await tracker.closeAndFlush();
  });

  it('stays bounded under a refusing collector: overflow drops the oldest and counts them', async () => {
    lens.refuseSeconds = 1;
    const drops: number[] = [];
    const tracker = new NodeTracker({
      writeKey: WRITE_KEY,
      host: lens.url,
      flushAt: 50,
      maxQueueEvents: 100,
      retry: fast,
      onDrop: (n) => drops.push(n),
    });
    for (let i = 0; i < 1000; i++)
      tracker.track({ userId: 'u', event: 'Flood', messageId: `node-flood-${i}`, properties: { i } });
    assert.ok(tracker.stats().queued <= 100);
    assert.equal(tracker.stats().dropped.queue_full, 900);
    assert.equal(
      drops.reduce((a, b) => a + b, 0),
      900,
    );
    assert.equal(await tracker.closeAndFlush({ timeoutMs: 300 }), false, 'closeAndFlush reports it could not deliver');
    lens.refuseSeconds = undefined;
  });

  it('never retries a 4xx other than 429: an unknown write key is dropped after one request', async () => {
    const { fetch, statuses } = countingFetch();
    const tracker = new NodeTracker({ writeKey: 'not-a-key', host: lens.url, flushAt: 1, retry: fast, fetch });
    tracker.track({ userId: 'u', event: 'Nope' });
    await tracker.flush();
    assert.deepEqual(statuses, [401]);
    assert.equal(tracker.stats().dropped.rejected_by_collector, 1);
  });
});
