// The real Node SDKs, unchanged, pointed at a listening collector: every call type arrives in the log with
// every field the SDK sent (identities, properties, traits, context, timestamps, messageIds).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import type { EnrichedEvent } from '@lens/protocol';
import type { Collector } from './collector-app.js';
import { type MemorySink, WRITE_KEY, startTestCollector } from './testing/collector-harness.js';

let app: Collector;
let sink: MemorySink;
let url: string;

before(async () => {
  ({ app, sink } = await startTestCollector());
  const { port } = await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${port}`;
});
after(() => app.close());

const when = new Date('2026-01-02T03:04:05.678Z');

function byMessageId(): Map<string, EnrichedEvent> {
  return new Map(sink.accepted().map((r) => [r.event.messageId, r.event]));
}

/** Segment SDKs send the call's time as `timestamp` (skew-corrected here, so within a second of it);
 * RudderStack SDKs send it as an explicit `timestamp` beside their own `originalTimestamp`, kept as is. */
function assertCommon(
  event: EnrichedEvent | undefined,
  type: string,
  sdk: 'segment' | 'rudder' = 'segment',
): asserts event is EnrichedEvent {
  assert.ok(event, `${type} did not arrive`);
  assert.equal(event.type, type);
  if (sdk === 'segment') {
    assert.equal(event.originalTimestamp, when.toISOString());
    assert.ok(Math.abs(Date.parse(event.timestamp) - when.getTime()) < 1000, `${type}: timestamp ${event.timestamp}`);
  } else {
    assert.equal(event.timestamp, when.toISOString());
    assert.ok(Math.abs(Date.parse(event.originalTimestamp!) - Date.now()) < 60_000);
  }
  assert.ok(Date.parse(event.receivedAt) > 0);
  assert.ok(event.sentAt !== undefined, 'sentAt from the batch envelope');
}

describe('@segment/analytics-node', () => {
  it('sends track, identify, page, screen, group and alias; all fields arrive', async () => {
    const analytics = new SegmentAnalytics({ writeKey: WRITE_KEY, host: url, flushAt: 6, maxRetries: 1 });
    const ids: Record<string, string> = {};
    analytics.on('track', (ctx) => {
      ids.track = ctx.event.messageId!;
    });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    analytics.track({
      userId: 'seg-user',
      event: 'Article Viewed',
      properties: { article_id: 'a1', scroll_depth: 0.75, tags: ['x', 'y'] },
      context: { page: { path: '/a1' } },
      timestamp: when,
    });
    analytics.identify({ userId: 'seg-user', traits: { email: 'reader@example.com', plan: 'free' }, timestamp: when });
    analytics.page({
      anonymousId: 'seg-anon',
      category: 'News',
      name: 'Home',
      properties: { url: 'https://news.example/' },
      timestamp: when,
    });
    analytics.screen({ userId: 'seg-user', name: 'Feed', properties: { tab: 'top' }, timestamp: when });
    analytics.group({ userId: 'seg-user', groupId: 'newsroom-1', traits: { name: 'Desk' }, timestamp: when });
    analytics.alias({ userId: 'seg-user', previousId: 'seg-anon', timestamp: when });
    await analytics.closeAndFlush({ timeout: 10_000 });
    assert.deepEqual(errors, []);

    const events = sink
      .accepted()
      .filter((r) => r.sourceId === 'web' && (r.event.userId === 'seg-user' || r.event.anonymousId === 'seg-anon'))
      .map((r) => r.event);
    const of = (type: string) => events.find((e) => e.type === type);
    const track = of('track');
    assertCommon(track, 'track');
    assert.equal(track.messageId, ids.track);
    assert.equal(track.event, 'Article Viewed');
    assert.deepEqual(track.properties, { article_id: 'a1', scroll_depth: 0.75, tags: ['x', 'y'] });
    assert.equal((track.context as { page: { path: string } }).page.path, '/a1');
    assert.equal((track.context as { library: { name: string } }).library.name, '@segment/analytics-node');
    const identify = of('identify');
    assertCommon(identify, 'identify');
    assert.deepEqual(identify.traits, { email: 'reader@example.com', plan: 'free' });
    const page = of('page');
    assertCommon(page, 'page');
    assert.deepEqual(
      [page.anonymousId, page.name, page.category, page.properties?.url],
      ['seg-anon', 'Home', 'News', 'https://news.example/'],
    );
    const screen = of('screen');
    assertCommon(screen, 'screen');
    assert.deepEqual([screen.name, screen.properties], ['Feed', { tab: 'top' }]);
    const group = of('group');
    assertCommon(group, 'group');
    assert.deepEqual([group.groupId, group.traits], ['newsroom-1', { name: 'Desk' }]);
    const alias = of('alias');
    assertCommon(alias, 'alias');
    assert.deepEqual([alias.userId, alias.previousId], ['seg-user', 'seg-anon']);
    assert.equal(new Set(events.map((e) => e.messageId)).size, 6);
  });
});

describe('@rudderstack/rudder-sdk-node', () => {
  it('sends (gzipped) track, identify, page, screen, group and alias; all fields arrive', async () => {
    const analytics = new RudderAnalytics(WRITE_KEY, {
      dataPlaneUrl: url,
      flushAt: 100,
      flushInterval: 60_000,
      logLevel: 'error',
    });
    analytics.track({
      userId: 'rs-user',
      event: 'Video Played',
      properties: { video_id: 'v1', seconds: 12 },
      context: { app: { name: 'ios' } },
      timestamp: when,
    });
    analytics.identify({ userId: 'rs-user', traits: { subscriber: true }, timestamp: when });
    analytics.page({
      anonymousId: 'rs-anon',
      name: 'Article',
      category: 'Sport',
      properties: { path: '/s/1' },
      timestamp: when,
    });
    analytics.screen({ userId: 'rs-user', name: 'Player', properties: { orientation: 'landscape' }, timestamp: when });
    analytics.group({ userId: 'rs-user', groupId: 'org-9', traits: { seats: 3 }, timestamp: when });
    analytics.alias({ userId: 'rs-user', previousId: 'rs-anon', timestamp: when });
    await new Promise<void>((resolve, reject) =>
      analytics.flush((error?: Error) => (error ? reject(error) : resolve())),
    );

    const events = [...byMessageId().values()].filter((e) => e.userId === 'rs-user' || e.anonymousId === 'rs-anon');
    assert.equal(events.length, 6);
    const of = (type: string) => events.find((e) => e.type === type);
    const track = of('track');
    assertCommon(track, 'track', 'rudder');
    assert.deepEqual([track.event, track.properties], ['Video Played', { video_id: 'v1', seconds: 12 }]);
    assert.equal((track.context as { app: { name: string } }).app.name, 'ios');
    assert.match(String((track.context as { library: { name: string } }).library.name), /analytics-node|rudder/i);
    assert.deepEqual(of('identify')?.traits ?? (of('identify')?.context as { traits?: unknown } | undefined)?.traits, {
      subscriber: true,
    });
    assert.deepEqual(
      [of('page')?.name, of('page')?.category, of('page')?.properties?.path],
      ['Article', 'Sport', '/s/1'],
    );
    assert.deepEqual(of('screen')?.properties, { orientation: 'landscape' });
    assert.deepEqual([of('group')?.groupId, of('group')?.traits], ['org-9', { seats: 3 }]);
    assert.equal(of('alias')?.previousId, 'rs-anon');
    for (const event of events) assertCommon(event, event.type, 'rudder');
  });
});
