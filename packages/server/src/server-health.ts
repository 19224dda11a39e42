// GET /health of the server: readiness from what it serves — the lake directory readable, the insight engine's
// DuckDB answering — plus what mounted plugins report (the recommendations store). Checked at most every
// `cacheMs` (probes from several load balancers share one check), never a query over the lake.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InsightEngine } from '@lens/insights';

/** One check's outcome: `ok`, and whatever says why. */
export type HealthCheck = { ok: boolean } & Record<string, unknown>;

/** A plugin's contribution to /health (ServerPlugin.health): never makes the server unready, only `degraded`. */
export interface PluginHealth {
  /** The key in `checks`. */
  name: string;
  check(): HealthCheck | Promise<HealthCheck>;
}

/** The body of GET /health; `status` 'failing' is answered 503. */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'failing';
  checkedAt: string;
  checks: Record<string, HealthCheck>;
}

/** Readiness checks, cached `cacheMs`. */
export function healthChecker(options: {
  dataDir: string;
  engine: InsightEngine;
  plugins: readonly PluginHealth[];
  cacheMs: number;
}): () => Promise<HealthReport> {
  let last: { at: number; report: Promise<HealthReport> } | undefined;
  const check = async (): Promise<HealthReport> => {
    const [lake, duckdb, ...plugins] = await Promise.all([
      lakeCheck(options.dataDir),
      options.engine.probe(),
      ...options.plugins.map(async (p) => {
        try {
          return await p.check();
        } catch (error) {
          return { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    ]);
    const checks: Record<string, HealthCheck> = { lake, duckdb: { ...duckdb } };
    options.plugins.forEach((p, i) => (checks[p.name] = plugins[i]!));
    return {
      status: !lake.ok || !duckdb.ok ? 'failing' : plugins.every((c) => c.ok) ? 'ok' : 'degraded',
      checkedAt: new Date().toISOString(),
      checks,
    };
  };
  return () => {
    const now = Date.now();
    if (last === undefined || now - last.at >= options.cacheMs) last = { at: now, report: check() };
    return last.report;
  };
}

/**
 * The data directory is a readable directory and so is its lake (a lake not created yet — nothing loaded — is
 * fine: the API answers 404 table_not_found meanwhile); `tables` counts the lake's table directories.
 */
async function lakeCheck(dataDir: string): Promise<HealthCheck> {
  const lake = join(dataDir, 'lake');
  try {
    if (!(await stat(dataDir)).isDirectory()) return { ok: false, path: dataDir, error: 'not a directory' };
    let layers: string[];
    try {
      layers = await readdir(lake);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, path: lake, tables: 0 };
      throw error;
    }
    let tables = 0;
    for (const layer of layers) {
      const entries = await readdir(join(lake, layer), { withFileTypes: true }).catch(() => []);
      tables += entries.filter((e) => e.isDirectory()).length;
    }
    return { ok: true, path: lake, tables };
  } catch (error) {
    return { ok: false, path: lake, error: error instanceof Error ? error.message : String(error) };
  }
}
