// End to end in real Chromium against a real Lens server over a demo lake: every view renders the numbers the
// API gives for the same query, and a screenshot of each is saved (path printed at start).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromiumMissing } from './chromium.js';
import { columnTexts, num, startHarness, type DashboardHarness } from './dashboard-harness.js';

const skip = chromiumMissing();
const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));

describe('dashboard views', { skip, timeout: 150_000 }, () => {
  let h: DashboardHarness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
    assert.deepEqual(h?.pageErrors ?? [], [], 'the pages reported no errors');
  });

  test('Realtime: trending articles, views and velocity are the API answer; sparklines add up to the views', async () => {
    const now = (await h.api<{ now: string }>('/api/trending?minutes=60')).now;
    const api = await h.api<{ articles: { articleId: string; views: number; velocity: number }[] }>(
      `/api/trending?minutes=60&limit=20&now=${encodeURIComponent(now)}`,
    );
    assert.ok(api.articles.length > 3, 'the demo lake has trending articles');
    await h.page.goto(`${h.url}/realtime?q=${q({ minutes: 60, now })}`);
    await h.page.locator('[data-testid="trending-panel"][aria-busy="false"]').waitFor();
    assert.deepEqual(
      (await columnTexts(h.page, 'Trending articles', 5)).map(num),
      api.articles.map((a) => a.views),
    );
    assert.deepEqual(
      (await columnTexts(h.page, 'Trending articles', 6)).map(num),
      api.articles.map((a) => Number(a.velocity.toFixed(1))),
    );
    assert.equal(
      num(await h.page.getByTestId('trending-views').textContent()),
      api.articles.reduce((n, a) => n + a.views, 0),
    );
    const spark = await h.page
      .locator('table[aria-label="Trending articles"] svg.sparkline')
      .evaluateAll((els) => els.map((e) => (e.getAttribute('data-values') ?? '').split(',').map(Number)));
    assert.deepEqual(
      spark.map((v) => v.reduce((a, b) => a + b, 0)),
      api.articles.map((a) => a.views),
      'sparkline buckets sum to the window views',
    );
    // The pulse (active readers, events per minute) is its own query: wait for its answer, not just the list's
    // (on a loaded machine the cards still showed "…" when read).
    await h.page.waitForFunction(() =>
      ['active-readers', 'events-per-minute'].every(
        (id) => !(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '…').includes('…'),
      ),
    );
    const [active] = await h.sql(
      `SELECT count(DISTINCT coalesce(user_id, anonymous_id)) AS n FROM bronze.events WHERE NOT is_bot AND timestamp > TIMESTAMPTZ '${now}' - INTERVAL 5 MINUTE AND timestamp <= TIMESTAMPTZ '${now}'`,
    );
    assert.equal(num(await h.page.getByTestId('active-readers').textContent()), Number(active!['n']));
    const [lastMinute] = await h.sql(
      `SELECT count(*) AS n FROM bronze.events WHERE NOT is_bot AND timestamp > TIMESTAMPTZ '${now}' - INTERVAL 60 SECOND AND timestamp <= TIMESTAMPTZ '${now}'`,
    );
    assert.equal(num(await h.page.getByTestId('events-per-minute').textContent()), Number(lastMinute!['n']));
    // Titles come with the views in bronze. (The demo reuses an article id across sites — "foo" is football
    // and food — so an id can carry two titles; the one shown is one of them.)
    const titles = await h.sql(
      `SELECT DISTINCT json_extract_string(properties, '$.title') AS title FROM bronze.events WHERE event = 'Article Viewed' AND json_extract_string(properties, '$.article_id') = '${api.articles[0]!.articleId}'`,
    );
    assert.ok(
      titles.map((t) => t['title']).includes((await columnTexts(h.page, 'Trending articles', 2))[0]),
      "the title is one the article's views carried",
    );
    const sections =
      await h.sql(`SELECT json_extract_string(properties, '$.section') AS section, count(*) AS views FROM bronze.events WHERE NOT is_bot AND event = 'Article Viewed'
      AND timestamp > TIMESTAMPTZ '${now}' - INTERVAL 60 MINUTE AND timestamp <= TIMESTAMPTZ '${now}' GROUP BY ALL`);
    await h.page.locator('table[aria-label="Views by section"] tbody tr').first().waitFor();
    const shownViews = (await columnTexts(h.page, 'Views by section', 3)).map(num);
    assert.equal(
      shownViews.reduce((a, b) => a + b, 0),
      sections.reduce((n, r) => n + Number(r['views']), 0),
      'views by section add up to bronze.events',
    );
    await h.shot('realtime');

    // A section picked from the table narrows trending to it, as the API does for that section.
    const section = await h.page
      .locator('table[aria-label="Views by section"] tbody tr td:nth-child(2) button')
      .first()
      .innerText();
    await h.page.locator('table[aria-label="Views by section"] tbody tr td:nth-child(2) button').first().click();
    const narrowed = await h.api<{ articles: { views: number; section: string }[] }>(
      `/api/trending?minutes=60&limit=20&now=${encodeURIComponent(now)}&site=${encodeURIComponent(JSON.parse(decodeURIComponent(new URL(h.page.url()).searchParams.get('q') ?? '{}')).site ?? '')}&section=${encodeURIComponent(section)}`,
    );
    await h.page.waitForURL(new RegExp(encodeURIComponent(section)));
    // The previous answer stays on screen while the new one loads: wait for rows of that section only.
    await h.page.waitForFunction((s) => {
      const cells = [...document.querySelectorAll('table[aria-label="Trending articles"] tbody tr td:nth-child(3)')];
      return cells.length > 0 && cells.every((c) => c.textContent?.endsWith(`/ ${s}`));
    }, section);
    await h.page.locator('[data-testid="trending-panel"][aria-busy="false"]').waitFor();
    assert.ok(narrowed.articles.length > 0 && narrowed.articles.every((a) => a.section === section));
    assert.deepEqual(
      (await columnTexts(h.page, 'Trending articles', 5)).map(num),
      narrowed.articles.map((a) => a.views),
    );
  });

  test('Data › Catalog lists every table of /api/tables with its version and rows', async () => {
    const { tables } = await h.api<{ tables: { table: string; version: number; rows: number | null }[] }>(
      '/api/tables',
    );
    await h.page.goto(`${h.url}/data/catalog`);
    await h.page.locator('table[aria-label="Lake tables"] tbody tr').first().waitFor();
    assert.deepEqual(
      await columnTexts(h.page, 'Lake tables', 1),
      tables.map((t) => t.table),
    );
    assert.deepEqual(
      (await columnTexts(h.page, 'Lake tables', 3)).map(num),
      tables.map((t) => t.version),
    );
    assert.deepEqual(
      (await columnTexts(h.page, 'Lake tables', 5)).map(num),
      tables.map((t) => t.rows ?? 0),
    );
    await h.shot('data-catalog');

    const events = tables.find((t) => t.table === 'silver.events')!;
    await h.page.getByRole('link', { name: 'silver.events' }).click();
    await h.page.locator('table[aria-label="Table schema"] tbody tr').first().waitFor();
    assert.equal(num(await h.page.getByTestId('table-rows').textContent()), events.rows);
    assert.equal(num(await h.page.getByTestId('table-version').textContent()), events.version);
    assert.ok((await columnTexts(h.page, 'Table schema', 1)).includes('article_id'));
    await h.page.locator('table[aria-label="Sample rows"] tbody tr').first().waitFor();
    const detail = await h.api<{ history: { version: number }[]; files: { path: string }[] }>(
      '/api/tables/silver.events',
    );
    await h.page.locator('table[aria-label="Version history"] tbody tr').first().waitFor();
    assert.deepEqual(
      (await columnTexts(h.page, 'Version history', 1)).map(num),
      detail.history.map((v) => v.version),
    );
    assert.deepEqual(
      await columnTexts(h.page, 'Live files', 1),
      detail.files.map((f) => f.path),
    );
    await h.shot('data-table-detail');

    // A table the catalog does not list: said once, and nothing asked of the server about it (it answered 404s).
    await h.page.goto(`${h.url}/data/catalog/silver.nope`);
    await h.page.getByText('No table silver.nope in the lake.').waitFor();
    assert.equal(await h.page.locator('.state-error').count(), 0);
    assert.equal(await h.page.locator('.panel h2', { hasText: 'Version history' }).count(), 0);
  });

  test('SQL: a typed query runs and its rows are the API answer', async () => {
    const sql =
      'SELECT section, count(*) AS views FROM silver.events WHERE section IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 8';
    const rows = await h.sql(sql);
    await h.page.goto(`${h.url}/sql`);
    await h.page.locator('table[aria-label="Query results"] tbody tr').first().waitFor();
    // Every statement the page sends from now on: the typed one only (Run re-sent the previous one first).
    const sent: string[] = [];
    const onRequest = (r: { url(): string; postData(): string | null }) => {
      if (r.url().endsWith('/api/sql')) sent.push(String((JSON.parse(r.postData() ?? '{}') as { sql?: string }).sql));
    };
    h.page.on('request', onRequest);
    await h.page.locator('#sql-editor').fill(sql);
    await h.page.keyboard.press('Control+Enter');
    await h.page.waitForURL(/\/sql\?q=/);
    // The default query's rows are on screen until the typed query's arrive.
    await h.page.waitForFunction(
      (first) => document.querySelector('table[aria-label="Query results"] tbody tr td')?.textContent === first,
      String(rows[0]!['section']),
    );
    assert.deepEqual(
      await columnTexts(h.page, 'Query results', 1),
      rows.map((r) => String(r['section'])),
    );
    assert.deepEqual(
      (await columnTexts(h.page, 'Query results', 2)).map(num),
      rows.map((r) => Number(r['views'])),
    );
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('sql');
    assert.deepEqual(sent, [sql]);
    h.page.off('request', onRequest);
    // A refused statement: its error alone, not the previous result under it (the browser logs the 400: expected).
    const logged = h.pageErrors.length;
    await h.page.locator('#sql-editor').fill('SELEC 1');
    await h.page.keyboard.press('Control+Enter');
    await h.page.locator('.state-error').waitFor();
    assert.match((await h.page.locator('.state-error').textContent()) ?? '', /syntax error/i);
    assert.equal(await h.page.locator('table[aria-label="Query results"]').count(), 0);
    const expected = h.pageErrors.splice(logged).filter((e) => !/status of 400/.test(e));
    h.pageErrors.push(...expected);
  });

  test('Insights › Trends: the totals are the API answer for the URL query', async () => {
    const query = {
      series: [
        { event: 'Article Viewed', math: 'total' },
        { event: 'Article Viewed', math: 'unique' },
      ],
      interval: 'day',
      dateRange: { last: 7, unit: 'day' },
      filters: [],
    };
    const { result } = await h.api<{ result: { series: { values: (number | null)[]; total: number | null }[] } }>(
      '/api/insights/trends',
      { ...query, series: query.series.map((s) => ({ ...s, filters: [] })) },
    );
    await h.page.goto(`${h.url}/insights/trends?q=${q(query)}`);
    await h.page.locator('table[aria-label="Trend totals"] tbody tr').nth(1).waitFor();
    const sum = (v: (number | null)[]) => v.reduce<number>((a, b) => a + (b ?? 0), 0);
    // The API's totals: a count's sum, and none (—) for unique people, whose daily figures do not add up.
    assert.deepEqual(await columnTexts(h.page, 'Trend totals', 3), [
      result.series[0]!.total!.toLocaleString('en-US'),
      '—',
    ]);
    assert.equal(result.series[0]!.total, sum(result.series[0]!.values));
    assert.equal(result.series[1]!.total, null);
    assert.ok(sum(result.series[0]!.values) > 100);
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('insights-trends');

    // A formula typed into the builder: its line is the API's A/B.
    await h.page.getByLabel('Formula').fill('A/B');
    await h.page.getByRole('button', { name: 'Run query' }).click();
    await h.page.waitForURL(/%22formula%22/);
    const ratio = await h.api<{ result: { formula: { series: { values: (number | null)[] }[] } } }>(
      '/api/insights/trends',
      { ...query, series: query.series.map((s) => ({ ...s, filters: [] })), formula: 'A/B' },
    );
    await h.page.locator('table[aria-label="Trend totals"] tbody tr').nth(2).waitFor();
    assert.equal((await columnTexts(h.page, 'Trend totals', 1))[2], 'A/B');
    // On an axis of its own (on the counts' axis a ratio lay flat along zero).
    await h.page.getByRole('img', { name: /A\/B on the right-hand axis/ }).waitFor();
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('insights-trends-formula');
    assert.equal(
      num((await columnTexts(h.page, 'Trend totals', 4))[2] ?? ''),
      Number((ratio.result.formula.series[0]!.values.at(-1) ?? 0).toFixed(2)),
    );
    await h.page.getByLabel('Formula').fill('');

    // The same series broken down by section through the builder: one line per section, the API's totals.
    await h.page.getByLabel('Breakdown').selectOption('section');
    await h.page.getByRole('button', { name: 'Run query' }).click();
    await h.page.waitForURL(/%22breakdown%22/);
    const broken = await h.api<{
      result: { series: { label: string; breakdown: string | null; total: number | null }[] };
    }>('/api/insights/trends', {
      ...query,
      series: query.series.map((s) => ({ ...s, filters: [] })),
      breakdown: { property: 'section', limit: 10 },
    });
    await h.page
      .locator('table[aria-label="Trend totals"] tbody tr')
      .nth(broken.result.series.length - 1)
      .waitFor();
    assert.ok(broken.result.series.length > 2);
    // Compared as sets: the API's order of lines with equal labels is not stable between runs (reported).
    const labels = await columnTexts(h.page, 'Trend totals', 1);
    const totals = (await columnTexts(h.page, 'Trend totals', 3)).map(num);
    const shown = (await columnTexts(h.page, 'Trend totals', 2))
      .map((b, i) => `${labels[i]!.slice(0, 1)}|${b}|${totals[i]}`)
      .sort();
    assert.deepEqual(shown, broken.result.series.map((s) => `${s.label}|${s.breakdown ?? ''}|${s.total ?? 0}`).sort());

    // A shared URL with two problems: the view names both, not only the first the API's message names.
    const logged = h.pageErrors.length;
    await h.page.goto(
      `${h.url}/insights/trends?q=${q({ ...query, interval: 'year', dateRange: { last: -3, unit: 'day' } })}`,
    );
    await h.page.locator('.state-error').waitFor();
    const error = (await h.page.locator('.state-error').textContent()) ?? '';
    assert.match(error, /interval: /);
    assert.match(error, /dateRange\.last: /);
    h.pageErrors.push(...h.pageErrors.splice(logged).filter((e) => !/status of 400/.test(e)));
  });

  test('Insights › Retention: the cohort table is the API answer', async () => {
    const query = {
      startEvent: { event: 'Article Viewed' },
      returnEvent: { event: 'Article Viewed' },
      cohort: 'first_time',
      period: 'day',
      periods: 3,
      mode: 'on',
      dateRange: { last: 7, unit: 'day' },
      filters: [],
    };
    const { result } = await h.api<{ result: { cohorts: { size: number }[] } }>('/api/insights/retention', {
      ...query,
      startEvent: { event: 'Article Viewed', filters: [] },
      returnEvent: { event: 'Article Viewed', filters: [] },
    });
    await h.page.goto(`${h.url}/insights/retention?q=${q(query)}`);
    await h.page.locator('table[aria-label="Retention cohorts"] tbody tr').nth(1).waitFor();
    assert.deepEqual(
      (await columnTexts(h.page, 'Retention cohorts', 2)).slice(1).map(num),
      result.cohorts.map((c) => c.size),
    );
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('insights-retention');
  });
});
