// The browser SDK in real Chromium (Debian's, via playwright-core), loaded by the snippet from a page server on
// another port than a started Lens collector: context, outages, reloads, navigation, tabs, consent, SPA views.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildBundles } from '../testing/bundle.js';
import { chromiumMissing, launchChromium } from '../testing/chromium.js';
import { startLens, waitFor, WRITE_KEY, type LensFixture } from '../testing/lens-fixture.js';
import { startPageServer, type PageServer } from '../testing/page-server.js';
import { OTHER_PAGE, trackerPage } from '../testing/tracker-page.js';
import type { LoadOptions } from './load-options.js';
import type { Tracker } from './browser-tracker.js';

const missing = chromiumMissing();
if (missing) console.warn(`\n!!!!! ${missing} !!!!!\n`);

let browser: Browser;
let lens: LensFixture;
let site: PageServer;
const fast: LoadOptions = {
  flushAt: 1,
  flushIntervalMs: 100,
  retry: { baseMs: 200, maxMs: 1000 },
  adoptIntervalMs: 300,
};

/** Opens the tracker page (served at `path`) in `context` and waits for the SDK to replace the snippet stub. */
async function open(context: BrowserContext, path: string, loadOptions: LoadOptions, query = ''): Promise<Page> {
  site.set(path, trackerPage({ collectorUrl: lens.url, writeKey: WRITE_KEY, loadOptions, title: `Title of ${path}` }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${site.url}${path}${query}`);
  await page.waitForFunction(() => (window as unknown as { lens?: { loaded?: boolean } }).lens?.loaded === true);
  return page;
}

const countsOf = async (prefix: string): Promise<number[]> =>
  [...(await lens.counts())].filter(([id]) => id.startsWith(prefix)).map(([, n]) => n);

describe('browser tracker in Chromium', { skip: missing }, () => {
  before(async () => {
    [browser, lens, site] = await Promise.all([launchChromium(), startLens(), startPageServer()]);
    const { iife } = await buildBundles();
    site.set('/lens.iife.min.js', iife);
    site.set('/other.html', OTHER_PAGE);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await lens?.close();
  });

  it('sends events with the context the well-known SDKs capture; calls before load are kept; one global only', async () => {
    const context = await browser.newContext({
      locale: 'de-DE',
      timezoneId: 'Europe/Berlin',
      viewport: { width: 900, height: 700 },
    });
    site.set(
      '/ctx.html',
      trackerPage({ collectorUrl: lens.url, writeKey: WRITE_KEY, loadOptions: fast, title: 'Context Page' }).replace(
        '</script></head>',
        'lens.track("Before Load",{early:true},{messageId:"ctx-early"});</script></head>',
      ),
    );
    const page = await context.newPage();
    await page.goto(`${site.url}/ctx.html?utm_source=newsletter&utm_campaign=spring&utm_medium=email&q=1`);
    await page.waitForFunction(() => (window as unknown as { lens?: { loaded?: boolean } }).lens?.loaded === true);
    await page.evaluate(() => {
      const lens = (window as unknown as { lens: Tracker }).lens;
      lens.identify('user-42', { plan: 'pro' }, { messageId: 'ctx-identify' });
      lens.track('Clicked', { button: 'buy' }, { messageId: 'ctx-track' });
      lens.page('Docs', 'Intro', { section: 2 }, { messageId: 'ctx-page' });
      return lens.flush();
    });
    await waitFor('context events', async () => (await countsOf('ctx-')).length === 4);
    const byId = new Map((await lens.events()).map((e) => [e.messageId, e]));
    const track = byId.get('ctx-track')!;
    const ctx = track.context as Record<string, any>;
    assert.equal(track.event, 'Clicked');
    assert.deepEqual(track.properties, { button: 'buy' });
    assert.equal(track.userId, 'user-42');
    assert.deepEqual(ctx['page'], {
      path: '/ctx.html',
      referrer: '',
      search: '?utm_source=newsletter&utm_campaign=spring&utm_medium=email&q=1',
      title: 'Context Page',
      url: `${site.url}/ctx.html?utm_source=newsletter&utm_campaign=spring&utm_medium=email&q=1`,
    });
    assert.deepEqual(ctx['campaign'], { source: 'newsletter', name: 'spring', medium: 'email' });
    assert.match(ctx['userAgent'], /Chrome\//);
    assert.equal(ctx['locale'], 'de-DE');
    assert.equal(ctx['timezone'], 'Europe/Berlin');
    assert.equal(ctx['screen'].innerWidth, 900);
    assert.deepEqual(ctx['library'], { name: '@lens/tracker', version: '0.1.0' });
    assert.deepEqual(ctx['traits'], { plan: 'pro' });
    const stored = await page.evaluate(() => ({ cookie: document.cookie, ls: localStorage.getItem('lens.aid') }));
    assert.equal(stored.ls, track.anonymousId, 'anonymousId persisted in localStorage');
    assert.ok(stored.cookie.includes(`lens_aid=${track.anonymousId}`), 'and in a first-party cookie');
    assert.deepEqual(byId.get('ctx-identify')?.traits, { plan: 'pro' });
    const pageEvent = byId.get('ctx-page')!;
    assert.equal(pageEvent.name, 'Intro');
    assert.equal(pageEvent.category, 'Docs');
    assert.equal((pageEvent.properties as Record<string, unknown>)['section'], 2);
    assert.equal((pageEvent.properties as Record<string, unknown>)['path'], '/ctx.html');
    const early = byId.get('ctx-early')!;
    assert.equal(early.event, 'Before Load');
    assert.ok(
      Date.parse(early.originalTimestamp!) <= Date.parse(track.originalTimestamp!),
      'the stub kept the call time',
    );
    const added = await page.evaluate(() =>
      Object.getOwnPropertyNames(window).filter(
        (n) =>
          n !== '__globalsBefore' && !(window as unknown as { __globalsBefore: string[] }).__globalsBefore.includes(n),
      ),
    );
    assert.deepEqual(added, ['lens'], 'the only global is the one the snippet asked for');
    await context.close();
  });

  it('collector down, then answering 503, then up: queued events are delivered once each', async () => {
    const context = await browser.newContext();
    const page = await open(context, '/outage.html', fast);
    await lens.down();
    await page.evaluate(() => {
      for (let i = 0; i < 10; i++) (window as any).lens.track('Offline', { i }, { messageId: `outage-${i}` });
    });
    // A page that awaits flush during the outage gets an answer in the time it allows (it waited for ever).
    const started = Date.now();
    assert.equal(await page.evaluate(() => (window as any).lens.flush({ timeoutMs: 300 })), false);
    assert.ok(Date.now() - started < 5_000);
    await page.waitForTimeout(900);
    await lens.up();
    lens.refuseSeconds = 1;
    await page.waitForTimeout(1200);
    assert.deepEqual(await countsOf('outage-'), [], 'nothing stored while down or refusing');
    lens.refuseSeconds = undefined;
    await waitFor('outage events', async () => (await countsOf('outage-')).length === 10);
    assert.equal(await page.evaluate(() => (window as any).lens.flush({ timeoutMs: 5_000 })), true);
    await page.waitForTimeout(800);
    assert.deepEqual(await countsOf('outage-'), Array(10).fill(1));
    const stats = await page.evaluate(() => (window as any).lens.stats());
    assert.equal(stats.delivered, 10);
    assert.ok(stats.retries >= 2, `retried ${stats.retries} times`);
    await context.close();
  });

  it('reload while events wait for a down collector: the reloaded page adopts and delivers them once', async () => {
    const context = await browser.newContext();
    const page = await open(context, '/reload.html', fast);
    await lens.down();
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) (window as any).lens.track('Queued', { i }, { messageId: `reload-${i}` });
    });
    await page.waitForFunction(() =>
      Object.keys(localStorage).some((k) => k.startsWith('lens.q.') && localStorage.getItem(k)!.includes('reload-4')),
    );
    // A queue stored whole by a version before chunks (one key per tab) is adopted too.
    await page.evaluate(() => {
      const event = {
        type: 'track',
        event: 'Legacy',
        messageId: 'reload-legacy',
        anonymousId: 'a-legacy',
        properties: {},
        context: {},
        originalTimestamp: new Date().toISOString(),
      };
      const entry = { e: event, n: JSON.stringify(event).length, a: 0 };
      localStorage.setItem(
        'lens.q.0b5e1c53-0000-4000-8000-000000000000',
        JSON.stringify({ t: Date.now(), q: [entry] }),
      );
    });
    await page.reload();
    await page.waitForFunction(() => (window as any).lens?.loaded === true);
    await lens.up();
    await waitFor('reloaded events', async () => (await countsOf('reload-')).length === 6);
    await page.waitForTimeout(1000);
    assert.deepEqual(await countsOf('reload-'), Array(6).fill(1), 'each messageId received once by the collector');
    assert.equal(
      await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lens.q.')).length),
      0,
      'no queue left behind',
    );
    await context.close();
  });

  it('with the queue full and the collector down, a track() writes a bounded amount to localStorage, not the whole queue', async () => {
    const context = await browser.newContext();
    const page = await open(context, '/full.html', fast); // the default bounds: 1000 events / 2 MB
    await lens.down();
    let up = false;
    try {
      const stored = await page.evaluate(async () => {
        const lens = (window as unknown as { lens: Tracker }).lens;
        const blob = 'x'.repeat(1200);
        for (let i = 0; i < 1100; i++) lens.track('Full', { i, blob }, { messageId: `full-${i}` });
        lens.user(); // runs the deferred drain now
        await new Promise((resolve) => setTimeout(resolve, 50));
        // From here, count what each track() costs in storage writes (its drain, and any retries meanwhile).
        let written = 0;
        let largest = 0;
        const setItem = Storage.prototype.setItem;
        Storage.prototype.setItem = function (key: string, value: string) {
          written += key.length + value.length;
          largest = Math.max(largest, value.length);
          return setItem.call(this, key, value);
        };
        for (let k = 0; k < 20; k++) {
          lens.track('More', { k, blob }, { messageId: `full-more-${k}` });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        Storage.prototype.setItem = setItem;
        const keys = Object.keys(localStorage).filter((key) => key.startsWith('lens.q.'));
        const queued = keys
          .sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)))
          .flatMap((key) =>
            (JSON.parse(localStorage.getItem(key)!) as { q: { e: { messageId: string } }[] }).q.map(
              (x) => x.e.messageId,
            ),
          );
        return { written, largest, keys: keys.length, queued, stats: lens.stats() };
      });
      assert.equal(stored.stats.queued, 1000, 'the queue is full');
      assert.ok(stored.written / 20 < 40_000, `${Math.round(stored.written / 20)} chars written per track()`);
      assert.ok(stored.largest < 20_000, `largest single write: ${stored.largest} chars`);
      assert.ok(stored.keys > 100, `the queue is spread over ${stored.keys} keys`);
      assert.equal(stored.queued.length, 1000, 'the stored copy holds the queue');
      assert.equal(new Set(stored.queued).size, 1000);
      assert.deepEqual(
        stored.queued.slice(-20),
        Array.from({ length: 20 }, (_, k) => `full-more-${k}`),
        'in order',
      );
      await page.reload();
      await page.waitForFunction(() => (window as any).lens?.loaded === true);
      await lens.up();
      up = true;
      await waitFor('the adopted queue delivered', async () => (await countsOf('full-')).length === 1000, 30_000);
      const counts = await lens.counts();
      assert.deepEqual(
        stored.queued.filter((id) => counts.get(id) !== 1),
        [],
        'each stored event delivered once',
      );
    } finally {
      if (!up) await lens.up(); // also when an assertion failed: the later tests need the collector
    }
    await context.close();
  });

  it('a failed storage write (quota) is reported and leaves no stale copy of delivered events; it heals', async () => {
    const context = await browser.newContext();
    site.set(
      '/quota.html',
      trackerPage({
        collectorUrl: lens.url,
        writeKey: WRITE_KEY,
        loadOptions: { ...fast, flushAt: 100, flushIntervalMs: 60_000, maxBatchEvents: 2 },
      }).replace(
        '</script></head>',
        // load() was recorded by the stub with its options object: give it an onError before the SDK loads.
        `window.__errors = [];
lens.find(function (call) { return call[0] === 'load'; })[4].onError = function (e) { window.__errors.push(String(e)); };
</script></head>`,
      ),
    );
    const page = await context.newPage();
    await page.goto(`${site.url}/quota.html`);
    await page.waitForFunction(() => (window as unknown as { lens?: { loaded?: boolean } }).lens?.loaded === true);
    const result = await page.evaluate(async () => {
      const w = window as unknown as { lens: Tracker; __errors: string[] };
      const stored = (): string[] =>
        Object.keys(localStorage)
          .filter((key) => key.startsWith('lens.q.'))
          .flatMap((key) =>
            (JSON.parse(localStorage.getItem(key)!) as { q: { e: { messageId: string } }[] }).q.map(
              (x) => x.e.messageId,
            ),
          )
          .sort();
      for (let i = 0; i < 4; i++) w.lens.track('Quota', { i }, { messageId: `quota-${i}` });
      w.lens.user(); // drains: the four events are stored
      const before = stored();
      // From now on the queue's writes fail as when the origin's quota is used up…
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key: string, value: string) {
        if (key.startsWith('lens.q.')) throw new DOMException('full', 'QuotaExceededError');
        return setItem.call(this, key, value);
      };
      // …and only the first request reaches the collector (the second hangs: the page is, say, closed then).
      const realFetch = window.fetch;
      let requests = 0;
      window.fetch = (...args: Parameters<typeof fetch>) =>
        requests++ === 0 ? realFetch(...args) : new Promise<Response>(() => {});
      await w.lens.flush({ timeoutMs: 1500 }); // quota-0 and quota-1 delivered; their chunk cannot be rewritten
      const afterDelivery = stored();
      Storage.prototype.setItem = setItem; // room again: the next change stores what is in memory
      w.lens.track('Quota', { i: 4 }, { messageId: 'quota-4' });
      w.lens.user();
      return { before, afterDelivery, healed: stored(), errors: w.__errors, stats: w.lens.stats() };
    });
    assert.deepEqual(result.before, ['quota-0', 'quota-1', 'quota-2', 'quota-3']);
    assert.equal(result.stats.delivered, 2);
    assert.deepEqual(
      result.afterDelivery.filter((id) => id === 'quota-0' || id === 'quota-1'),
      [],
      'no stored copy of delivered events (an adopting tab would send them again)',
    );
    assert.equal(result.errors.length, 1, result.errors.join('; '));
    assert.match(result.errors[0]!, /could not be stored/);
    assert.deepEqual(result.healed, ['quota-2', 'quota-3', 'quota-4'], 'stored again once writes succeed');
    await context.close();
  });

  it('reload right after track with the collector up: sent on pagehide, re-sent by the next page, once in bronze', async () => {
    const context = await browser.newContext();
    const page = await open(context, '/reload-up.html', { ...fast, flushAt: 100, flushIntervalMs: 60_000 });
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) (window as any).lens.track('Reloaded', { i }, { messageId: `rlup-${i}` });
    });
    await page.reload();
    await page.waitForFunction(() => (window as any).lens?.loaded === true);
    await page.evaluate(() => (window as any).lens.flush());
    await waitFor('events after reload', async () => (await countsOf('rlup-')).length === 5);
    await context.close();
    const rows = (await lens.bronze()).filter((r) => String(r['message_id']).startsWith('rlup-'));
    assert.deepEqual(
      rows.map((r) => r['message_id']).sort(),
      [0, 1, 2, 3, 4].map((i) => `rlup-${i}`),
      'each event once in bronze.events',
    );
  });

  it('navigating away right after track still delivers the event (keepalive on pagehide)', async () => {
    const context = await browser.newContext();
    const page = await open(context, '/leave.html', { ...fast, flushAt: 100, flushIntervalMs: 60_000 });
    await Promise.all([
      page.waitForURL('**/other.html'),
      page.evaluate(() => {
        (window as any).lens.track('Left', {}, { messageId: 'leave-1' });
        document.getElementById('away')!.click();
      }),
    ]);
    await waitFor('event sent while leaving', async () => (await countsOf('leave-')).length === 1);
    assert.deepEqual(await countsOf('leave-'), [1]);
    await context.close();
  });

  it('uses keepalive only for the sends made as the page goes away (its 64 KiB quota stays free)', async () => {
    const context = await browser.newContext();
    const page = await open(context, '/keepalive.html', { ...fast, flushAt: 100, flushIntervalMs: 60_000 });
    const sends = await page.evaluate(async () => {
      const lens = (window as unknown as { lens: Tracker }).lens;
      const realFetch = window.fetch;
      const seen: { keepalive: boolean; events: string[] }[] = [];
      window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
        const batch = (JSON.parse(String(init?.body)) as { batch: { messageId: string }[] }).batch;
        seen.push({ keepalive: init?.keepalive === true, events: batch.map((e) => e.messageId) });
        return realFetch(input, init);
      };
      lens.track('Ordinary', {}, { messageId: 'ka-ordinary' });
      await lens.flush();
      lens.track('Leaving', {}, { messageId: 'ka-leaving' });
      dispatchEvent(new Event('pagehide'));
      await lens.flush();
      return seen;
    });
    assert.deepEqual(sends, [
      { keepalive: false, events: ['ka-ordinary'] },
      { keepalive: true, events: ['ka-leaving'] },
    ]);
    await waitFor('both delivered', async () => (await countsOf('ka-')).length === 2);
    await context.close();
  });

  it("two tabs send their own events once each; a closed tab's queue is adopted by the other, not duplicated", async () => {
    const context = await browser.newContext();
    const [a, b] = [await open(context, '/tabs.html', fast), await open(context, '/tabs.html', fast)];
    await Promise.all(
      [a, b].map((tab, t) =>
        tab.evaluate((t) => {
          for (let i = 0; i < 10; i++) (window as any).lens.track('Tab', { t }, { messageId: `tabs-${t}-${i}` });
        }, t),
      ),
    );
    await waitFor('both tabs delivered', async () => (await countsOf('tabs-')).length === 20);
    await lens.down();
    await b.evaluate(() => {
      for (let i = 0; i < 5; i++) (window as any).lens.track('Orphan', {}, { messageId: `tabs-orphan-${i}` });
    });
    await b.waitForFunction(() =>
      Object.keys(localStorage).some(
        (k) => k.startsWith('lens.q.') && localStorage.getItem(k)!.includes('tabs-orphan-4'),
      ),
    );
    await b.close();
    await lens.up();
    await waitFor('orphans adopted and delivered', async () => (await countsOf('tabs-')).length === 25);
    await a.waitForTimeout(1200);
    assert.deepEqual(await countsOf('tabs-'), Array(25).fill(1), 'no messageId twice');
    const ids = await Promise.all([a.evaluate(() => (window as any).lens.user().anonymousId())]);
    const events = (await lens.events()).filter((e) => e.messageId.startsWith('tabs-'));
    assert.ok(
      events.every((e) => e.anonymousId === ids[0]),
      'tabs share the visitor',
    );
    await context.close();
  });

  it('sends the properties a call was made with, even when the page changes the object right after', async () => {
    const context = await browser.newContext();
    const page = await open(context, '/mutate.html', fast);
    await page.evaluate(() => {
      const lens = (window as unknown as { lens: Tracker }).lens;
      const props: Record<string, unknown> = { step: 1, items: ['a'] };
      const options = { messageId: 'mut-1' };
      lens.track('Step', props as never, options);
      props['step'] = 2;
      (props['items'] as string[]).push('b');
      options.messageId = 'mut-2';
      lens.track('Step', props as never, options);
      return lens.flush();
    });
    await waitFor('both steps', async () => (await countsOf('mut-')).length === 2);
    const byId = new Map((await lens.events()).map((e) => [e.messageId, e]));
    assert.deepEqual(byId.get('mut-1')?.properties, { step: 1, items: ['a'] });
    assert.deepEqual(byId.get('mut-2')?.properties, { step: 2, items: ['a', 'b'] });
    await context.close();
  });

  it('drops without retrying on a 4xx, counts it, and never lets an exception reach the page', async () => {
    const context = await browser.newContext();
    site.set('/bad.html', trackerPage({ collectorUrl: lens.url, writeKey: 'unknown-key', loadOptions: fast }));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${site.url}/bad.html`);
    await page.waitForFunction(() => (window as any).lens?.loaded === true);
    const stats = await page.evaluate(async () => {
      const lens = (window as any).lens;
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      lens.track('Circular', circular);
      lens.track(undefined);
      lens.page(Symbol('odd'));
      lens.track('Rejected', {}, { messageId: 'bad-1' });
      await lens.flush();
      return lens.stats();
    });
    assert.deepEqual(errors, []);
    assert.equal(stats.dropped.rejected_by_collector, 2, 'the odd page() and the track, answered 401');
    assert.equal(stats.dropped.invalid, 2, 'the circular properties and the nameless track');
    assert.equal(stats.retries, 0);
    assert.deepEqual(await countsOf('bad-'), []);
    await context.close();
  });

  it('calls back every event call (callback last, in any argument form) and ready(), before load too', async () => {
    const context = await browser.newContext();
    site.set(
      '/callbacks.html',
      trackerPage({ collectorUrl: lens.url, writeKey: WRITE_KEY, loadOptions: fast }).replace(
        '</script></head>',
        `window.__cb = [];
lens.ready(function () { window.__cb.push('ready:' + typeof lens.user().anonymousId()); });
lens.track('Early', {}, { messageId: 'cb-early' }, function () { window.__cb.push('early'); });
</script></head>`,
      ),
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${site.url}/callbacks.html`);
    await page.waitForFunction(() => (window as unknown as { lens?: { loaded?: boolean } }).lens?.loaded === true);
    const calls = await page.evaluate(async () => {
      const w = window as unknown as { lens: Tracker; __cb: string[] };
      const { lens } = w;
      const cb = (name: string) => () => w.__cb.push(name);
      lens.track('Four', { a: 1 }, { messageId: 'cb-track' }, cb('track'));
      (lens.track as (...args: unknown[]) => void)('Two', cb('track-2'));
      lens.page('Docs', 'Intro', {}, { messageId: 'cb-page' }, cb('page'));
      (lens.identify as (...args: unknown[]) => void)('user-cb', cb('identify'));
      lens.group('org-cb', {}, {}, cb('group'));
      lens.alias('user-cb-2', 'user-cb', {}, cb('alias'));
      lens.screen('Feed', {}, {}, cb('screen'));
      (lens.track as (...args: unknown[]) => void)(undefined, {}, {}, cb('invalid'));
      lens.track('Throws', {}, {}, () => {
        throw new Error('page bug in a callback');
      });
      lens.ready(cb('ready-after-load'));
      await lens.flush();
      lens.optOut();
      lens.track('Opted Out', {}, {}, cb('opted-out'));
      lens.optIn();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return w.__cb;
    });
    assert.deepEqual(errors, [], 'a throwing callback does not reach the page');
    assert.deepEqual(
      [...calls].sort(),
      [
        'alias',
        'early',
        'group',
        'identify',
        'invalid',
        'opted-out',
        'page',
        'ready-after-load',
        'ready:string',
        'screen',
        'track',
        'track-2',
      ].sort(),
      'each callback once',
    );
    assert.ok(calls.indexOf('ready:string') < calls.indexOf('track'), 'ready() was called at load');
    await waitFor('called-back events', async () => (await countsOf('cb-')).length === 3);
    await context.close();
  });

  it('keeps the userId in a cookie too: identified across reloads with localStorage blocked; opt-out forgets it', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('blocked', 'SecurityError'); // as with storage blocked for the site
        },
      });
    });
    const page = await open(context, '/uid-cookie.html', fast);
    await page.evaluate(() => {
      const lens = (window as unknown as { lens: Tracker }).lens;
      lens.identify('user-cookie', { plan: 'pro' });
      return lens.flush();
    });
    await page.reload();
    await page.waitForFunction(() => (window as any).lens?.loaded === true);
    const after = await page.evaluate(async () => {
      const lens = (window as unknown as { lens: Tracker }).lens;
      lens.track('After Reload', {}, { messageId: 'uidc-after' });
      await lens.flush();
      const user = lens.user();
      lens.optOut();
      const optedOutCookies = document.cookie;
      lens.optIn();
      return { userId: user.userId, cookie: document.cookie, optedOutCookies };
    });
    assert.equal(after.userId, 'user-cookie');
    await waitFor('event after reload', async () => (await countsOf('uidc-')).length === 1);
    const event = (await lens.events()).find((e) => e.messageId === 'uidc-after');
    assert.equal(event?.userId, 'user-cookie');
    assert.doesNotMatch(after.optedOutCookies, /lens_/, 'opt-out removes the id cookies');
    await context.close();
  });

  it("persistence: 'memory' writes no cookie and nothing to localStorage", async () => {
    const context = await browser.newContext();
    const page = await open(context, '/memory.html', { ...fast, persistence: 'memory' });
    const kept = await page.evaluate(async () => {
      const lens = (window as unknown as { lens: Tracker }).lens;
      lens.identify('user-memory', { plan: 'pro' });
      lens.track('In Memory', {}, { messageId: 'mem-1' });
      await lens.flush();
      return { cookie: document.cookie, keys: Object.keys(localStorage), anonymousId: lens.user().anonymousId() };
    });
    assert.equal(kept.cookie, '');
    assert.deepEqual(kept.keys, []);
    await waitFor('memory event', async () => (await countsOf('mem-')).length === 1);
    const event = (await lens.events()).find((e) => e.messageId === 'mem-1');
    assert.equal(event?.anonymousId, kept.anonymousId);
    assert.equal(event?.userId, 'user-memory');
    await context.close();
  });

  it('user() has the analytics.js methods; setAnonymousId, before load and after, applies to the calls after it', async () => {
    const context = await browser.newContext();
    site.set(
      '/user-api.html',
      trackerPage({ collectorUrl: lens.url, writeKey: WRITE_KEY, loadOptions: fast }).replace(
        '</script></head>',
        `lens.track('Before', {}, { messageId: 'uapi-before' });
lens.setAnonymousId('server-issued-1');
lens.track('After', {}, { messageId: 'uapi-after' });
</script></head>`,
      ),
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${site.url}/user-api.html`);
    await page.waitForFunction(() => (window as unknown as { lens?: { loaded?: boolean } }).lens?.loaded === true);
    const seen = await page.evaluate(async () => {
      const lens = (window as unknown as { lens: Tracker }).lens;
      const first = lens.user().anonymousId();
      lens.identify('user-api', { plan: 'pro' });
      const user = lens.user();
      const got = { first, anonymousId: user.anonymousId(), id: user.id(), traits: user.traits(), userId: user.userId };
      lens.setAnonymousId('server-issued-2');
      lens.track('Later', {}, { messageId: 'uapi-later' });
      const second = lens.user().anonymousId();
      const third = lens.user().anonymousId('server-issued-3'); // analytics.js sets it this way too
      await lens.flush();
      return { ...got, second, third, cookie: document.cookie, stored: localStorage.getItem('lens.aid') };
    });
    assert.deepEqual(errors, []);
    assert.equal(seen.first, 'server-issued-1');
    assert.deepEqual(
      [seen.anonymousId, seen.id, seen.traits, seen.userId],
      ['server-issued-1', 'user-api', { plan: 'pro' }, 'user-api'],
    );
    assert.deepEqual([seen.second, seen.third], ['server-issued-2', 'server-issued-3']);
    assert.equal(seen.stored, 'server-issued-3');
    assert.match(seen.cookie, /lens_aid=server-issued-3/);
    await waitFor('user-api events', async () => (await countsOf('uapi-')).length === 3);
    const byId = new Map((await lens.events()).map((e) => [e.messageId, e]));
    assert.notEqual(byId.get('uapi-before')?.anonymousId, 'server-issued-1', 'a call before it keeps the old id');
    assert.equal(byId.get('uapi-after')?.anonymousId, 'server-issued-1');
    assert.equal(byId.get('uapi-later')?.anonymousId, 'server-issued-2');
    await context.close();
  });

  it('opt-out sends nothing and forgets the ids; opt-in resumes; automatic page views follow the History API', async () => {
    const context = await browser.newContext();
    const page = await open(context, '/spa.html', { ...fast, autoPageViews: true });
    await page.evaluate(() => {
      const lens = (window as any).lens;
      lens.optOut();
      lens.track('Hidden', {}, { messageId: 'consent-hidden' });
      history.pushState({}, '', '/spa/opted-out');
    });
    assert.equal(
      await page.evaluate(() => document.cookie.includes('lens_aid') || localStorage.getItem('lens.aid') !== null),
      false,
    );
    await page.evaluate(() => {
      const lens = (window as any).lens;
      lens.optIn();
      history.pushState({}, '', '/spa/articles/7?ref=home');
      history.pushState({}, '', '/spa/articles/7?ref=home#comments');
      lens.track('Shown', {}, { messageId: 'consent-shown' });
      return lens.flush();
    });
    await waitFor('consent events', async () => (await countsOf('consent-')).length === 1);
    await page.waitForTimeout(500);
    const events = await lens.events();
    assert.deepEqual(await countsOf('consent-hidden'), []);
    const views = events.filter(
      (e) => e.type === 'page' && String((e.properties as Record<string, unknown>)['path']).startsWith('/spa'),
    );
    assert.deepEqual(
      views.map((e) => (e.properties as Record<string, unknown>)['path']),
      ['/spa.html', '/spa/articles/7'],
      'initial view, then one per URL change (not the fragment, not while opted out)',
    );
    await context.close();
  });
});
