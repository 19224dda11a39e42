// Search, Content and the Data pages (runs, lineage, quarantine) in Chromium: their numbers are what the API
// answers; then the phone layout and keyboard navigation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServerConfig } from '@lens/protocol';
import { createServer } from '@lens/server';
import { dashboardPlugin } from '../server/index.js';
import { chromiumMissing } from './chromium.js';
import { columnTexts, num, startHarness, type DashboardHarness } from './dashboard-harness.js';

const skip = chromiumMissing();

describe('content, search and data views', { skip, timeout: 150_000 }, () => {
  let h: DashboardHarness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
    assert.deepEqual(h?.pageErrors ?? [], [], 'the pages reported no errors');
  });

  test('Search: totals and top queries are the search insight', async () => {
    const { result } = await h.api<{
      result: { totals: { searches: number }; topQueries: { query: string; searches: number }[] };
    }>('/api/insights/search', { dateRange: { last: 7, unit: 'day' }, limit: 50 });
    assert.ok(result.totals.searches > 0);
    await h.page.goto(`${h.url}/search`);
    await h.page.locator('table[aria-label="Top queries"] tbody tr').first().waitFor();
    assert.equal(num(await h.page.getByTestId('search-total').textContent()), result.totals.searches);
    assert.deepEqual(
      await columnTexts(h.page, 'Top queries', 1),
      result.topQueries.map((x) => x.query),
    );
    assert.deepEqual(
      (await columnTexts(h.page, 'Top queries', 2)).map(num),
      result.topQueries.map((x) => x.searches),
    );
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('search');
  });

  test('Content: picking the most read article shows its views and co-read articles', async () => {
    const [top] = await h.sql(
      `SELECT article_id, sum(views)::BIGINT AS views FROM gold.content_daily WHERE day > current_date - INTERVAL 7 DAY GROUP BY 1 ORDER BY views DESC, article_id LIMIT 1`,
    );
    await h.page.goto(`${h.url}/content`);
    await h.page.locator('table[aria-label="Most read articles"] tbody tr a').first().click();
    await h.page.getByTestId('article-views').waitFor();
    assert.match(h.page.url(), new RegExp(encodeURIComponent(String(top!['article_id']))));
    assert.equal(num(await h.page.getByTestId('article-views').textContent()), Number(top!['views']));
    await h.page.locator('table[aria-label="Co-read articles"] tbody tr').first().waitFor();
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('content-article');
  });

  test('Data › Runs, Lineage and Quarantine show lens.runs and bronze.quarantine', async () => {
    const [runs] = await h.sql(
      `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'failed') AS failed FROM lens.runs`,
    );
    await h.page.goto(`${h.url}/data/runs`);
    await h.page.getByTestId('runs-count').waitFor();
    assert.equal(
      await h.page.getByTestId('runs-count').textContent(),
      `${Number(runs!['n'])} runs, ${Number(runs!['failed'])} failed`,
    );
    await h.shot('data-runs');
    // One pipeline picked: its own runs (queried, not the newest 500 of all filtered), and its totals.
    const [kpi] = await h.sql(
      `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'failed') AS failed FROM lens.runs WHERE pipeline = 'gold.kpi_daily'`,
    );
    await h.page.getByRole('combobox', { name: /^Pipeline/ }).selectOption('gold.kpi_daily');
    await h.page.waitForFunction(
      (text) => document.querySelector('[data-testid="runs-count"]')?.textContent === text,
      `${Number(kpi!['n'])} runs, ${Number(kpi!['failed'])} failed`,
    );
    await h.page.waitForFunction(() =>
      [...document.querySelectorAll('table[aria-label="Pipeline runs"] tbody tr td:first-child')].every(
        (td) => td.textContent === 'gold.kpi_daily',
      ),
    );
    const shownPipelines = await columnTexts(h.page, 'Pipeline runs', 1);
    assert.ok(shownPipelines.length > 0);
    assert.deepEqual([...new Set(shownPipelines)], ['gold.kpi_daily']);

    const edges = await h.sql(
      `SELECT DISTINCT pipeline, unnest(json_keys(input_versions)) AS input FROM lens.runs WHERE status = 'succeeded'`,
    );
    await h.page.goto(`${h.url}/data/lineage`);
    await h.page.getByTestId('lineage-edge-count').waitFor();
    assert.equal(num(await h.page.getByTestId('lineage-edge-count').textContent()), edges.length);
    assert.ok(edges.some((e) => e['input'] === 'bronze.events' && e['pipeline'] === 'silver.events'));
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('data-lineage');

    await h.page.goto(`${h.url}/data/quarantine`);
    await h.page.locator('table[aria-label="Quarantine reasons"] tbody tr').first().waitFor();
    assert.deepEqual(await columnTexts(h.page, 'Quarantine reasons', 1), [
      'schema: event is required',
      'timestamp too far in the future',
    ]);
    assert.deepEqual((await columnTexts(h.page, 'Quarantine reasons', 3)).map(num), [2, 1]);
    await h.shot('data-quarantine');
  });

  test('phone width: the menu folds and opens; keyboard: skip link, sortable headers', async () => {
    const phone = await h.browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${h.url}/data/catalog`);
    await phone.locator('table[aria-label="Lake tables"] tbody tr').first().waitFor();
    assert.equal(await phone.locator('#primary-nav').isVisible(), false);
    await phone.getByRole('button', { name: 'Menu' }).click();
    assert.equal(await phone.locator('#primary-nav').isVisible(), true);
    await phone.screenshot({ path: `${h.shotsDir}/phone-catalog-menu.png`, fullPage: false });
    await phone.getByRole('link', { name: 'Realtime' }).click();
    await phone.locator('[data-testid="trending-panel"][aria-busy="false"]').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page does not scroll sideways at 390px (overflow ${overflow}px)`);
    await phone.screenshot({ path: `${h.shotsDir}/phone-realtime.png`, fullPage: true });
    await phone.close();

    await h.page.goto(`${h.url}/data/catalog`);
    await h.page.locator('table[aria-label="Lake tables"] tbody tr').first().waitFor();
    await h.page.keyboard.press('Tab');
    assert.equal(await h.page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await h.page.keyboard.press('Enter');
    assert.equal(await h.page.evaluate(() => document.activeElement?.id), 'main');
    const header = h.page.locator('table[aria-label="Lake tables"] th').nth(4);
    assert.equal(await header.getAttribute('aria-sort'), 'none');
    await header.locator('button').focus();
    await h.page.keyboard.press('Enter');
    const first = await header.getAttribute('aria-sort');
    assert.ok(first === 'ascending' || first === 'descending', `sorted by keyboard (${first})`);
    await h.page.keyboard.press('Enter');
    assert.equal(await header.getAttribute('aria-sort'), first === 'ascending' ? 'descending' : 'ascending');
  });

  test('a server with read tokens: the app asks for one, then shows the data', async () => {
    const token = 'dashboard-e2e-read-token';
    const locked = await createServer({
      config: ServerConfig.parse({ host: '127.0.0.1', port: 0, readTokens: [token] }),
      dataDir: h.dataDir,
      plugins: [{ plugin: dashboardPlugin }],
    });
    const { url } = await locked.listen({ host: '127.0.0.1', port: 0 });
    const context = await h.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${url}/data/catalog`);
      await page.getByLabel('Read token').first().fill(token);
      await page.getByRole('button', { name: 'Use token' }).first().click();
      await page.locator('table[aria-label="Lake tables"] tbody tr').first().waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem('lens.readToken')), token);
    } finally {
      await context.close();
      await locked.close();
    }
  });
});
