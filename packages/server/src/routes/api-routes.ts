// The read API: insights by kind, trending now, raw SQL, the catalog. Each handler hands the request to the
// insight engine and returns its answer; errors go to the one error handler.
import { InsightQueryError, type InsightEngine } from '@lens/insights';
import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../server-metrics.js';
import { tableDetail } from './table-detail.js';

/** What the API routes need. */
export interface ApiRouteOptions {
  engine: InsightEngine;
  metrics: ServerMetrics;
  sqlRowCap: number;
}

/** Registers /api/insights/:kind, /api/trending, /api/sql, /api/tables and /api/tables/:name (on an encapsulated instance). */
export async function apiRoutes(app: FastifyInstance, options: ApiRouteOptions): Promise<void> {
  const { engine, metrics } = options;

  app.post<{ Params: { kind: string } }>('/api/insights/:kind', async (request) => {
    const answer = await engine.run(request.params.kind, request.body ?? {});
    metrics.insights.inc({ kind: answer.kind, cached: String(answer.meta.cached) });
    return answer;
  });

  app.get('/api/trending', async (request) => engine.trending(request.query ?? {}));

  app.post<{ Body: { sql?: unknown; rowCap?: unknown } }>('/api/sql', async (request) => {
    const { sql, rowCap } = (request.body ?? {}) as { sql?: unknown; rowCap?: unknown };
    if (typeof sql !== 'string' || sql.trim() === '')
      throw new InsightQueryError('sql', 'a SELECT statement (string) is required');
    if (rowCap !== undefined && (!Number.isInteger(rowCap) || (rowCap as number) < 1))
      throw new InsightQueryError('rowCap', 'a positive integer');
    return engine.sql(sql, Math.min(options.sqlRowCap, (rowCap as number | undefined) ?? options.sqlRowCap));
  });

  app.get('/api/tables', async () => ({ tables: await engine.tables() }));
  app.get<{ Params: { name: string } }>('/api/tables/:name', async (request) =>
    tableDetail(engine.catalog, request.params.name),
  );
}
