// The existing browser SDKs, unchanged, in real Chromium on a page served from another port than the Lens
// collector: they load their configuration from the collector, send to it, and their events land in bronze.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../testing/chromium.js';
import { startLens, waitFor, WRITE_KEY, type LensFixture } from '../testing/lens-fixture.js';
import { startPageServer, type PageServer } from '../testing/page-server.js';
import { buildVendorSdk } from '../testing/vendor-sdks.js';

const missing = chromiumMissing();
if (missing) console.warn(`\n!!!!! ${missing} !!!!!\n`);

let browser: Browser;
let lens: LensFixture;
let site: PageServer;
const run = randomUUID();

const page = (script: string, body: string): string =>
  `<!doctype html><html><head><title>Vendor Page</title><script src="${script}"></script></head><body><script>${body}</script></body></html>`;

describe('existing browser SDKs against the Lens collector', { skip: missing }, () => {
  before(async () => {
    [browser, lens, site] = await Promise.all([launchChromium(), startLens(), startPageServer()]);
    const [rudder, segment] = await Promise.all([buildVendorSdk('rudderstack'), buildVendorSdk('segment')]);
    site.set('/rudder.js', rudder.code);
    site.set('/segment.js', segment.code);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await lens?.close();
  });

  it('@rudderstack/analytics-js (bundled) loads its config from the collector and its events land in bronze', async () => {
    site.set(
      '/rudder.html',
      page(
        '/rudder.js',
        `
      const ra = new RudderAnalytics();
      ra.load(${JSON.stringify(WRITE_KEY)}, ${JSON.stringify(lens.url)}, { configUrl: ${JSON.stringify(lens.url)}, polyfillIfRequired: false });
      ra.identify('rudder-user', { plan: 'team' });
      ra.page('Docs', 'Rudder Page', { run: ${JSON.stringify(run)} });
      ra.track('Rudder Clicked', { run: ${JSON.stringify(run)}, n: 1 });`,
      ),
    );
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${site.url}/rudder.html`);
    await waitFor(
      'RudderStack events in the log',
      async () => (await lens.events()).filter((e) => e.userId === 'rudder-user').length >= 3,
      20_000,
    );
    await context.close();
    const rows = (await lens.bronze()).filter((r) => r['user_id'] === 'rudder-user');
    const byType = new Map(rows.map((r) => [r['type'], r]));
    assert.equal(byType.get('track')?.['event'], 'Rudder Clicked');
    assert.equal(JSON.parse(String(byType.get('track')?.['properties']))['run'], run);
    assert.equal(byType.get('page')?.['name'], 'Rudder Page');
    assert.equal(JSON.parse(String(byType.get('identify')?.['context']))['traits']['plan'], 'team');
    assert.match(String(JSON.parse(String(byType.get('track')?.['context']))['library']['name']), /RudderLabs/i);
    assert.ok(rows.every((r) => typeof r['anonymous_id'] === 'string' && r['anonymous_id'] !== ''));
  });

  it('@segment/analytics-next loads its settings from the collector and its events land in bronze', async () => {
    const apiHost = `${new URL(lens.url).host}/v1`;
    site.set(
      '/segment.html',
      page(
        '/segment.js',
        `
      const analytics = AnalyticsBrowser.load({ writeKey: ${JSON.stringify(WRITE_KEY)}, cdnURL: ${JSON.stringify(lens.url)} },
        { integrations: { 'Segment.io': { apiHost: ${JSON.stringify(apiHost)}, protocol: 'http' } } });
      analytics.identify('segment-user', { plan: 'enterprise' });
      analytics.page('Docs', 'Segment Page', { run: ${JSON.stringify(run)} });
      analytics.track('Segment Clicked', { run: ${JSON.stringify(run)}, n: 2 });`,
      ),
    );
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${site.url}/segment.html`);
    await waitFor(
      'Segment events in the log',
      async () => (await lens.events()).filter((e) => e.userId === 'segment-user').length >= 3,
      20_000,
    );
    await context.close();
    const rows = (await lens.bronze()).filter((r) => r['user_id'] === 'segment-user');
    const byType = new Map(rows.map((r) => [r['type'], r]));
    assert.equal(byType.get('track')?.['event'], 'Segment Clicked');
    assert.equal(JSON.parse(String(byType.get('track')?.['properties']))['run'], run);
    assert.equal(byType.get('page')?.['name'], 'Segment Page');
    assert.equal(JSON.parse(String(byType.get('identify')?.['traits']))['plan'], 'enterprise');
    assert.match(String(JSON.parse(String(byType.get('track')?.['context']))['library']['name']), /analytics\.js/);
    assert.ok(rows.every((r) => typeof r['anonymous_id'] === 'string' && r['anonymous_id'] !== ''));
  });
});
