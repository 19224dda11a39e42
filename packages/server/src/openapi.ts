// The OpenAPI 3 document of the API, built from the same zod schemas the engine validates queries with, so
// the document cannot drift from what the server accepts.
import { INSIGHT_KINDS, insightQuerySchemas } from '@lens/insights';

const error = {
  description: 'error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const json = (description: string): object => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});

/** The OpenAPI document; `pluginPaths`: the path items of mounted plugins' routes (ServerPlugin.openapi). */
export function openApiDocument(pluginPaths: Record<string, unknown> = {}): Record<string, unknown> {
  const schemas = insightQuerySchemas();
  const paths: Record<string, unknown> = {};
  for (const kind of INSIGHT_KINDS) {
    paths[`/api/insights/${kind.name}`] = {
      post: {
        summary: kind.description,
        operationId: `insight_${kind.name}`,
        tags: ['insights'],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${kind.name}Query` } } },
        },
        responses: {
          200: json('{ kind, result, meta: { versions, cached, durationMs } }'),
          400: error,
          401: error,
          404: error,
          504: error,
        },
      },
    };
  }
  const trending = schemas['trending'] as { properties?: Record<string, Record<string, unknown>> };
  paths['/api/trending'] = {
    get: {
      summary: 'Articles ranked by time-decayed views over the last N minutes (bronze.events, seconds fresh)',
      operationId: 'trending',
      tags: ['insights'],
      parameters: Object.entries(trending.properties ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: false,
        schema,
      })),
      responses: {
        200: json(
          '{ now, minutes, articles: [{ articleId, site, section, views, score, baselineViewsPerHour, velocity }], bronzeVersion }',
        ),
        400: error,
        401: error,
      },
    },
  };
  paths['/api/sql'] = {
    post: {
      summary:
        'Read-only SQL over the lake tables (one SELECT, or EXPLAIN [ANALYZE] of one; no files, network or settings; timeout and row cap)',
      operationId: 'sql',
      tags: ['sql'],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['sql'],
              properties: { sql: { type: 'string' }, rowCap: { type: 'integer', minimum: 1 } },
            },
          },
        },
      },
      responses: {
        200: json(
          '{ columns: [{ name, type }], rows: [{ column: value }], truncated, tables: [{ table, version }] }; integers are numbers while exact, else digit strings; timestamps ISO-8601 UTC; DATE YYYY-MM-DD; non-finite doubles "Infinity"/"-Infinity"/"NaN"',
        ),
        400: error,
        401: error,
        504: error,
      },
    },
  };
  paths['/api/tables'] = {
    get: {
      summary: 'The lake catalog: schema, version, files, rows, freshness per table',
      operationId: 'tables',
      tags: ['catalog'],
      responses: { 200: json('{ tables: [...] }'), 401: error },
    },
  };
  paths['/api/tables/{name}'] = {
    get: {
      summary: 'One table: its version, commit history and live files (path, partition values, size, rows)',
      operationId: 'table',
      tags: ['catalog'],
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' }, description: 'e.g. silver.events' },
      ],
      responses: {
        200: json(
          '{ name, version, history: [{ version, timestamp, operation, parameters, metrics }], files: [{ path, partitionValues, sizeBytes, rows, modifiedAt }], filesTruncated }',
        ),
        400: error, // invalid_table: not a layer.name table name
        401: error,
        404: error, // table_not_found
      },
    },
  };
  paths['/health'] = {
    get: {
      summary:
        'Readiness: the lake directory readable and DuckDB answering (checked at most every 5 s); mounted plugins (the recommendations store) report beside them',
      operationId: 'health',
      tags: ['operations'],
      security: [],
      responses: {
        200: json(
          '{ status: "ok" | "degraded" (a plugin check failed), checkedAt, checks: { lake: { ok, path, tables }, duckdb: { ok, state: "answered" | "busy", ms }, recs?: { ok, loaded, … } } }',
        ),
        503: json('{ status: "failing", checkedAt, checks } — the lake or DuckDB check is not ok (its error says why)'),
      },
    },
  };
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics (request latency by route, insights by kind and cache, process)',
      operationId: 'metrics',
      tags: ['operations'],
      security: [],
      responses: {
        200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
  };
  Object.assign(paths, pluginPaths);
  const components: Record<string, unknown> = {
    Error: {
      type: 'object',
      properties: {
        error: {
          type: 'object',
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            field: { type: 'string' },
            issues: {
              type: 'array',
              items: {
                type: 'object',
                properties: { field: { type: 'string' }, message: { type: 'string' } },
                required: ['field', 'message'],
              },
            },
          },
          required: ['code', 'message'],
        },
      },
    },
  };
  for (const kind of INSIGHT_KINDS) components[`${kind.name}Query`] = schemas[kind.name];
  return {
    openapi: '3.0.3',
    info: {
      title: 'Lens API',
      version: '0.1.0',
      description:
        'Insights straight on the Delta lake, raw SQL, the catalog, trending now (and the routes of mounted plugins).',
    },
    components: { schemas: components, securitySchemes: { readToken: { type: 'http', scheme: 'bearer' } } },
    security: [{ readToken: [] }],
    paths,
  };
}
