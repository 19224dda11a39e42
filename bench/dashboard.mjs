// Dashboard benchmark (issue 9): time to first meaningful paint of the Realtime view on localhost — the
// trending table showing real rows — in headless Chromium against a real Lens server over a demo lake, cold
// browser cache each run; and the size of the shipped JavaScript, gzipped (goals: ≤ 1 s and ≤ 400 KB).
// Run: npm run bench -- dashboard
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_APP_DIR } from '../packages/dashboard/dist/server/index.js';
import { CHROMIUM_PATH } from '../packages/dashboard/dist/e2e/chromium.js';
import { startHarness } from '../packages/dashboard/dist/e2e/dashboard-harness.js';

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const assets = join(DASHBOARD_APP_DIR, 'assets');
const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
const size = (f, ext = '') => statSync(join(assets, f + ext)).size;
const total = { raw: 0, gz: 0, br: 0 };
for (const f of js) { total.raw += size(f); total.gz += size(f, '.gz'); total.br += size(f, '.br'); }
console.log(`shipped JavaScript: ${js.length} files, ${kb(total.raw)} minified, ${kb(total.gz)} gzip -9, ${kb(total.br)} brotli (budget 400 KB gzip: ${total.gz <= 400 * 1024 ? 'met' : 'MISSED'})`);
for (const f of js.sort((a, b) => size(b, '.gz') - size(a, '.gz')).slice(0, 5)) console.log(`  ${f.padEnd(34)} ${kb(size(f, '.gz')).padStart(9)} gzip`);

if (!existsSync(CHROMIUM_PATH)) {
  console.log(`\nCHROMIUM MISSING (${CHROMIUM_PATH}): paint timing skipped`);
  process.exit(0);
}
const h = await startHarness();
try {
  // The server's first /api/trending fills its warm index from bronze; measure that once, then steady state.
  let t = performance.now();
  await h.api('/api/trending?minutes=60&limit=20');
  console.log(`\nserver: first /api/trending (warm index fill) ${(performance.now() - t).toFixed(0)} ms`);
  const RUNS = 10;
  const samples = [];
  let realtimeJs = null;
  for (let i = 0; i < RUNS; i++) {
    const context = await h.browser.newContext({ viewport: { width: 1366, height: 900 } }); // cold HTTP cache
    const page = await context.newPage();
    const bytes = new Map();
    page.on('response', async (r) => {
      if (!r.url().endsWith('.js')) return;
      const transferred = Number((await r.allHeaders())['content-length'] ?? 0);
      bytes.set(r.url(), { url: r.url(), transferred, encoding: (await r.allHeaders())['content-encoding'] ?? 'identity' });
    });
    // Timed inside the page: the first animation frame after a trending row enters the DOM (no CDP lag).
    /* global MutationObserver, document, requestAnimationFrame, window */
    await page.addInitScript(() => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector('table[aria-label="Trending articles"] tbody tr')) return;
        observer.disconnect();
        requestAnimationFrame(() => { window.__lensFmp = performance.now(); });
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    t = performance.now();
    await page.goto(`${h.url}/realtime`);
    await page.locator('table[aria-label="Trending articles"] tbody tr').first().waitFor();
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
      const resources = performance.getEntriesByType('resource');
      const js = resources.filter((r) => r.name.endsWith('.js'));
      const trending = resources.find((r) => r.name.includes('/api/trending'));
      return {
        fcp, domContentLoaded: nav?.domContentLoadedEventEnd ?? null, jsLoaded: Math.max(...js.map((r) => r.responseEnd)),
        apiStart: trending?.startTime ?? null, apiEnd: trending?.responseEnd ?? null,
      };
    });
    const painted = await page.waitForFunction(() => window.__lensFmp).then((v) => v.jsonValue());
    samples.push({ fmp: painted, fcp: timing.fcp, dcl: timing.domContentLoaded, js: timing.jsLoaded, apiStart: timing.apiStart, apiMs: timing.apiEnd - timing.apiStart, wall: performance.now() - t });
    if (i === 0) realtimeJs = [...bytes.values()];
    await context.close();
  }
  const ms = (v) => `${v.toFixed(0)} ms`;
  const stat = (k) => { const v = samples.map((s) => s[k]).filter((x) => x !== null).sort((a, b) => a - b); return { median: v[Math.floor(v.length / 2)], p90: v[Math.ceil(v.length * 0.9) - 1], max: v[v.length - 1] }; };
  const fmp = stat('fmp');
  console.log(`Realtime view, ${RUNS} cold loads (new browser context each, localhost):`);
  console.log(`  first contentful paint          median ${ms(stat('fcp').median)}, p90 ${ms(stat('fcp').p90)}`);
  console.log(`  first meaningful paint (trending rows painted) median ${ms(fmp.median)}, p90 ${ms(fmp.p90)}, max ${ms(fmp.max)} (goal ≤ 1000 ms: ${fmp.p90 <= 1000 ? 'met' : 'MISSED'})`);
  console.log(`  where the time goes (medians): JS downloaded ${ms(stat('js').median)}, /api/trending sent ${ms(stat('apiStart').median)} and answered in ${ms(stat('apiMs').median)}, rows painted ${ms(fmp.median)}`);
  const transferred = realtimeJs.reduce((n, r) => n + r.transferred, 0);
  console.log(`  JavaScript the Realtime view loads: ${realtimeJs.length} files, ${kb(transferred)} transferred (${[...new Set(realtimeJs.map((r) => r.encoding))].join(', ')}); ECharts among them: ${realtimeJs.some((r) => /echart/.test(r.url)) ? 'YES (should be lazy)' : 'no'}`);
} finally {
  await h.close();
}
