// Building a funnel in the UI (steps, window, run) gives the API's answer for the same query, the query lands
// in the URL, and the drop-off persons listed are the API's; plus the other insight kinds' numbers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromiumMissing } from './chromium.js';
import { columnTexts, num, startHarness, type DashboardHarness } from './dashboard-harness.js';

const skip = chromiumMissing();
const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
interface FunnelAnswer {
  result: { steps: { count: number }[]; persons?: { ids: string[] } };
}

describe('insights in the browser', { skip, timeout: 150_000 }, () => {
  let h: DashboardHarness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
    assert.deepEqual(h?.pageErrors ?? [], [], 'the pages reported no errors');
  });

  test('a funnel built in the UI is the API answer, and the URL holds it', async () => {
    const { page } = h;
    await page.goto(`${h.url}/insights/funnels`);
    await page.getByLabel('Step 1 event').selectOption('Home');
    await page.getByLabel('Step 2 event').selectOption('Article Viewed');
    await page.getByLabel('Step 3 event').selectOption('Recommendation Clicked');
    await page.getByLabel('Window length').fill('2');
    await page.getByLabel('Window unit').selectOption('hour');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.waitForURL(/funnels\?q=/);
    const urlQuery = JSON.parse(new URL(page.url()).searchParams.get('q')!) as Record<string, unknown>;
    assert.deepEqual(
      (urlQuery['steps'] as { event: string }[]).map((s) => s.event),
      ['Home', 'Article Viewed', 'Recommendation Clicked'],
    );
    assert.deepEqual(urlQuery['window'], { value: 2, unit: 'hour' });

    const body = {
      steps: [{ event: 'Home' }, { event: 'Article Viewed' }, { event: 'Recommendation Clicked' }],
      window: { value: 2, unit: 'hour' },
      order: 'ordered',
      dateRange: { last: 7, unit: 'day' },
    };
    const api = await h.api<FunnelAnswer>('/api/insights/funnels', body);
    assert.ok(api.result.steps[0]!.count > 10, 'the demo has people entering this funnel');
    // The default funnel's answer is on screen until the new one arrives.
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="funnel-entered"]')?.textContent === n.toLocaleString('en-US'),
      api.result.steps[0]!.count,
    );
    assert.deepEqual(
      (await columnTexts(page, 'Funnel steps', 3)).map(num),
      api.result.steps.map((s) => s.count),
    );
    assert.equal(num(await page.getByTestId('funnel-entered').textContent()), api.result.steps[0]!.count);
    assert.equal(num(await page.getByTestId('funnel-converted').textContent()), api.result.steps[2]!.count);
    await page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('insights-funnel');
    // At phone width too every step's bar is named (ECharts hid the labels that overlapped: only the first showed).
    const phone = await h.browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(page.url());
    await phone.locator('.echart[data-rendered="true"]').first().waitFor();
    await phone.screenshot({ path: `${h.shotsDir}/phone-insights-funnel.png`, fullPage: true });
    await phone.close();

    // An exclusion added in the builder: persons who saw the paywall between steps 2 and 3 are left out.
    await page.getByRole('button', { name: '+ Exclusion' }).click();
    await page.getByLabel('Exclude event 1').selectOption('Paywall Shown');
    await page.getByLabel('Between step').selectOption('2');
    await page.getByLabel('and step').selectOption('3');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.waitForURL(/%22exclusions%22/);
    const excluded = await h.api<FunnelAnswer>('/api/insights/funnels', {
      ...body,
      exclusions: [{ event: 'Paywall Shown', fromStep: 2, toStep: 3 }],
    });
    assert.ok(excluded.result.steps[0]!.count < api.result.steps[0]!.count, 'the exclusion removes persons');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="funnel-entered"]')?.textContent === n.toLocaleString('en-US'),
      excluded.result.steps[0]!.count,
    );
    assert.deepEqual(
      (await columnTexts(page, 'Funnel steps', 3)).map(num),
      excluded.result.steps.map((s) => s.count),
    );
    await page.getByRole('button', { name: 'Remove exclusion 1' }).click();
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="funnel-entered"]')?.textContent === n.toLocaleString('en-US'),
      api.result.steps[0]!.count,
    );

    // Who dropped off after step 2 (in the demo everyone on Home goes on to read an article).
    const dropped = await h.api<FunnelAnswer>('/api/insights/funnels', {
      ...body,
      persons: { step: 2, outcome: 'dropped', limit: 100 },
    });
    await page.getByLabel('After step').selectOption('2');
    await page.getByRole('button', { name: 'List persons' }).click();
    assert.ok(dropped.result.persons!.ids.length > 0, 'someone dropped off after step 2');
    await page.getByTestId('funnel-persons').waitFor();
    const ids = await page.getByTestId('funnel-persons').locator('code').allInnerTexts();
    assert.deepEqual(
      ids.map((s) => s.trim()),
      dropped.result.persons!.ids,
    );
  });

  test("Paths: the Sankey's transitions are the API answer", async () => {
    const query = {
      nodeType: 'event',
      start: 'Home',
      steps: 4,
      limit: 40,
      exclude: ['identify', 'alias', 'group'],
      dateRange: { last: 7, unit: 'day' },
      filters: [],
    };
    const { result } = await h.api<{ result: { sessions: number; links: { value: number }[] } }>(
      '/api/insights/paths',
      query,
    );
    await h.page.goto(`${h.url}/insights/paths?q=${q(query)}`);
    await h.page.locator('table[aria-label="Path transitions"] tbody tr').first().waitFor();
    assert.equal(num(await h.page.getByTestId('paths-sessions').textContent()), result.sessions);
    assert.deepEqual(
      (await columnTexts(h.page, 'Path transitions', 4)).map(num),
      result.links.map((l) => l.value),
    );
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('insights-paths');
  });

  test('Stickiness and Lifecycle are the API answers', async () => {
    const base = {
      event: { event: 'Article Viewed' },
      interval: 'day',
      dateRange: { last: 7, unit: 'day' },
      filters: [],
    };
    const body = { ...base, event: { event: 'Article Viewed', filters: [] } };
    const stick = await h.api<{ result: { counts: { persons: number }[] } }>('/api/insights/stickiness', body);
    await h.page.goto(`${h.url}/insights/stickiness?q=${q(base)}`);
    await h.page.locator('table[aria-label="Stickiness"] tbody tr').first().waitFor();
    assert.deepEqual(
      (await columnTexts(h.page, 'Stickiness', 2)).map(num),
      stick.result.counts.map((c) => c.persons),
    );
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('insights-stickiness');

    const life = await h.api<{ result: { new: number[]; dormant: number[] } }>('/api/insights/lifecycle', body);
    await h.page.goto(`${h.url}/insights/lifecycle?q=${q(base)}`);
    await h.page.locator('table[aria-label="Lifecycle"] tbody tr').first().waitFor();
    assert.deepEqual((await columnTexts(h.page, 'Lifecycle', 2)).map(num), life.result.new);
    assert.deepEqual((await columnTexts(h.page, 'Lifecycle', 5)).map(num), life.result.dormant);
    await h.page.locator('.echart[data-rendered="true"]').first().waitFor();
    await h.shot('insights-lifecycle');
  });
});
