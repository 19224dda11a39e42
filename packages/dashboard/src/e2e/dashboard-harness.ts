// One running stack for the browser tests: a demo lake, a real Lens server (@lens/server) with the dashboard
// plugin mounted, headless Chromium, a screenshot folder, and `api()` to ask the server what the UI should show.
import { ServerConfig } from '@lens/protocol';
import { createServer, type LensServer } from '@lens/server';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dashboardPlugin } from '../server/index.js';
import { launchChromium } from './chromium.js';
import { buildDemoLake } from './demo-lake.js';

/** What a test gets. */
export interface DashboardHarness {
  url: string;
  dataDir: string;
  server: LensServer;
  browser: Browser;
  page: Page;
  shotsDir: string;
  /** Problems the page reported (console errors, failed requests, 5xx answers). */
  pageErrors: string[];
  api<T>(path: string, body?: unknown): Promise<T>;
  sql(sql: string): Promise<Record<string, unknown>[]>;
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Builds the lake, starts the server on a free port and opens a page at laptop width. */
export async function startHarness(): Promise<DashboardHarness> {
  const dataDir = await buildDemoLake({ users: 500, days: 3 });
  const server = await createServer({
    config: ServerConfig.parse({ host: '127.0.0.1', port: 0 }),
    dataDir,
    plugins: [{ plugin: dashboardPlugin }],
  });
  const { url } = await server.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 500) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  // One folder for the whole run (each test file is its own process), overwritten by the next run.
  const shotsDir = join(tmpdir(), 'lens-dashboard-screenshots');
  mkdirSync(shotsDir, { recursive: true });
  process.stderr.write(`dashboard e2e: screenshots in ${shotsDir}\n`);

  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(
      `${url}${path}`,
      body === undefined
        ? {}
        : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    );
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    url,
    dataDir,
    server,
    browser,
    page,
    shotsDir,
    pageErrors,
    api,
    sql: async (sql) => (await api<{ rows: Record<string, unknown>[] }>('/api/sql', { sql })).rows,
    async shot(name) {
      // Every chart on the page has finished drawing (ECharts animates).
      await page.waitForFunction(
        () => [...document.querySelectorAll<HTMLElement>('.echart')].every((e) => e.dataset['rendered'] === 'true'),
        undefined,
        { timeout: 10_000 },
      );
      const path = join(shotsDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await browser.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Texts of one column of a DataTable (by its aria-label), header excluded. */
export async function columnTexts(page: Page, table: string, column: number): Promise<string[]> {
  return page.locator(`table[aria-label="${table}"] tbody tr td:nth-child(${column})`).allInnerTexts();
}

/** "1,234" → 1234. */
export const num = (text: string | null): number => Number(String(text ?? '').replace(/[^\d.-]/g, ''));
