// Tracker benchmark (issue 8): the core bundle's minified+gzipped size beside @rudderstack/analytics-js and
// @segment/analytics-next (root devDependencies, bundled here with esbuild the same way), and the main-thread
// time of one track() call in Chromium (goal ≤ 20 µs median), synchronous and with the deferred work included.
// Run: npm run bench -- tracker
import { existsSync } from 'node:fs';
import { buildBundles } from '../packages/tracker/dist/testing/bundle.js';
import { buildVendorSdk } from '../packages/tracker/dist/testing/vendor-sdks.js';
import { launchChromium, CHROMIUM_PATH } from '../packages/tracker/dist/testing/chromium.js';
import { startLens, WRITE_KEY } from '../packages/tracker/dist/testing/lens-fixture.js';
import { startPageServer } from '../packages/tracker/dist/testing/page-server.js';
import { trackerPage } from '../packages/tracker/dist/testing/tracker-page.js';

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const ours = await buildBundles();
const [rudder, segment] = await Promise.all([buildVendorSdk('rudderstack'), buildVendorSdk('segment')]);
console.log('bundle size, minified + gzip -9 (esbuild, browser, everything the entry pulls in):');
console.log(`  @lens/tracker core (ESM)        ${kb(ours.esmGzipBytes).padStart(9)}   (IIFE ${kb(ours.iifeGzipBytes)}; budget 8 KB: ${ours.esmGzipBytes <= 8192 ? 'met' : 'MISSED'})`);
console.log(`  @rudderstack/analytics-js/bundled ${kb(rudder.gzipBytes).padStart(7)}   ${(rudder.gzipBytes / ours.esmGzipBytes).toFixed(1)}× ours`);
console.log(`  @segment/analytics-next         ${kb(segment.gzipBytes).padStart(9)}   ${(segment.gzipBytes / ours.esmGzipBytes).toFixed(1)}× ours`);

if (!existsSync(CHROMIUM_PATH)) {
  console.log(`\nCHROMIUM MISSING (${CHROMIUM_PATH}): main-thread timing skipped`);
  process.exit(0);
}
/* global window */
const [browser, lens, site] = await Promise.all([launchChromium(), startLens(), startPageServer()]);
try {
  site.set('/lens.iife.min.js', ours.iife);
  site.set('/bench.html', trackerPage({ collectorUrl: lens.url, writeKey: WRITE_KEY }));
  const page = await browser.newPage();
  await page.goto(`${site.url}/bench.html`);
  await page.waitForFunction(() => window.lens?.loaded === true);
  // performance.now() is coarsened in pages that are not cross-origin isolated, so each sample times a round
  // of 500 calls; 40 rounds, the queue delivering to the real collector in between as it would on a site.
  const result = await page.evaluate(async () => {
    const lens = window.lens;
    const props = { article_id: 'a-123', section: 'news', scroll_depth: 0.75, tags: ['x', 'y'] };
    const sync = [];
    const total = [];
    for (let round = 0; round < 40; round++) {
      const t0 = performance.now();
      for (let i = 0; i < 500; i++) lens.track('Article Viewed', props);
      const t1 = performance.now();
      lens.user(); // runs the deferred drain now: builds, measures and persists the 500 events
      const t2 = performance.now();
      sync.push((t1 - t0) * 2);
      total.push((t2 - t0) * 2);
      await lens.flush();
    }
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { sync: median(sync), total: median(total), stats: lens.stats() };
  });
  console.log('\nmain-thread time per track() in Chromium (median of 40 rounds of 500 calls):');
  console.log(`  the call itself (records and returns)      ${result.sync.toFixed(2)} µs   goal ≤ 20 µs: ${result.sync <= 20 ? 'met' : 'MISSED'}`);
  console.log(`  including its deferred work (build+persist) ${result.total.toFixed(2)} µs`);
  console.log(`  delivered to the collector: ${result.stats.delivered} events, dropped: ${JSON.stringify(result.stats.dropped)}`);
} finally {
  await browser.close();
  await site.close();
  await lens.close();
}
