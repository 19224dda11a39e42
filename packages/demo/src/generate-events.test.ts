// The bulk generator's contract: deterministic per seed, time-ordered within the period, valid Segment-spec
// events (except the marked malformed ones) and consistent identities across devices.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEvent, type TrackingEvent } from '@lens/protocol';
import { DemoOptionError } from './errors.js';
import type { LabelledEvent } from './event-factory.js';
import { generateEvents, generateLabelledEvents } from './generate-events.js';

const OPTIONS = { seed: 7, users: 400, days: 21, start: '2025-03-03T00:00:00Z' } as const;
const labelled: LabelledEvent[] = [...generateLabelledEvents(OPTIONS)];

describe('generateEvents', () => {
  it('gives deep-equal events, messageIds included, for the same seed, and different ones for another seed', () => {
    const again = [...generateEvents(OPTIONS)];
    assert.equal(again.length, labelled.length);
    assert.deepEqual(
      again,
      labelled.map((l) => l.event),
    );
    const other = [...generateEvents({ ...OPTIONS, seed: 8 })];
    assert.notDeepEqual(other.slice(0, 50), again.slice(0, 50));
  });

  it('streams a sizeable period in time order, inside the period, with unique messageIds', () => {
    assert.ok(labelled.length > 10_000, `only ${labelled.length} events`);
    const start = Date.parse(OPTIONS.start);
    const end = start + OPTIONS.days * 86_400_000;
    const ids = new Set<string>();
    let last = start;
    for (const { event, time } of labelled) {
      assert.ok(time >= last && time < end, `event at ${event.timestamp as string} out of order or outside the period`);
      if (event.timestamp !== 'yesterday at noon') assert.equal(Date.parse(event.timestamp as string), time);
      last = time;
      assert.ok(!ids.has(event.messageId as string), `duplicate messageId ${event.messageId as string}`);
      if (event.messageId !== '') ids.add(event.messageId as string);
    }
  });

  it('passes validateEvent for every event except the marked malformed ones, which all fail', () => {
    let malformed = 0;
    for (const { event, malformed: reason } of labelled) {
      const result = validateEvent(event);
      if (reason === undefined)
        assert.ok(result.ok, `${JSON.stringify(event).slice(0, 200)}: ${result.ok ? '' : result.reason}`);
      else {
        malformed++;
        assert.equal(result.ok, false, `malformed (${reason}) event passed validation`);
        assert.equal(event._demoMalformed, reason);
      }
    }
    assert.ok(malformed > 10 && malformed < labelled.length * 0.01, `${malformed} malformed events`);
  });

  it('sends the context fields of real SDKs: page and userAgent on the web, app/device/os in the apps', () => {
    const good = labelled.filter((l) => l.malformed === undefined).map((l) => l.event);
    const pages = good.filter((e) => e.type === 'page');
    const screens = good.filter((e) => e.type === 'screen');
    assert.ok(pages.length > 0 && screens.length > 0);
    for (const e of pages) {
      const ctx = e.context as Record<string, any>;
      assert.equal(typeof ctx.userAgent, 'string');
      assert.match(ctx.page.url, /^https:\/\/www\.[a-z-]+\.example\//);
      assert.equal(ctx.library.name, 'analytics.js');
      assert.ok(ctx.locale && ctx.timezone && ctx.ip);
    }
    for (const e of screens) {
      const ctx = e.context as Record<string, any>;
      assert.ok(ctx.app.version && ctx.device.model && ctx.os.name && ctx.screen.width);
      assert.equal(ctx.page, undefined);
    }
    const viewed = good.find((e) => e.event === 'Article Viewed') as TrackingEvent;
    for (const key of ['article_id', 'section', 'author', 'scroll_depth', 'read_time_s'])
      assert.ok(key in (viewed.properties ?? {}), key);
  });

  it('links devices to one userId: every anonymousId belongs to one person and at most one userId', () => {
    const personOfAnon = new Map<string, number>();
    const userOfAnon = new Map<string, string>();
    const personOfUser = new Map<string, number>();
    let multiDevice = 0;
    const devicesOfUser = new Map<string, Set<string>>();
    for (const { event, person, malformed } of labelled) {
      if (malformed !== undefined) continue;
      const anon = event.anonymousId as string;
      assert.equal(personOfAnon.get(anon) ?? person, person);
      personOfAnon.set(anon, person);
      if (typeof event.userId === 'string') {
        assert.equal(userOfAnon.get(anon) ?? event.userId, event.userId);
        userOfAnon.set(anon, event.userId);
        assert.equal(personOfUser.get(event.userId) ?? person, person);
        personOfUser.set(event.userId, person);
        const devices = devicesOfUser.get(event.userId) ?? new Set();
        devices.add(anon);
        devicesOfUser.set(event.userId, devices);
      }
    }
    for (const devices of devicesOfUser.values()) if (devices.size > 1) multiDevice++;
    assert.ok(personOfUser.size > 20, `${personOfUser.size} identified people`);
    assert.ok(multiDevice > 5, `${multiDevice} people seen on more than one device`);
  });

  it('rejects nonsense options with a DemoOptionError naming the option', () => {
    assert.throws(
      () => [...generateEvents({ seed: 1, users: 0, days: 1 })],
      (e: unknown) => e instanceof DemoOptionError && /users/.test(e.message),
    );
    assert.throws(() => [...generateEvents({ seed: 1, users: 5, days: 1, start: 'not a date' })], DemoOptionError);
  });
});
