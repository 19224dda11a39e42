// JSON Schemas of the query types, generated from the zod schemas the engine validates with (one source of
// truth), for the server's OpenAPI document and for clients.
import type { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { INSIGHT_KINDS } from './kinds/registry.js';
import { TrendingQuery } from './trending/trending-query.js';

/** An OpenAPI 3 schema object for a zod schema (input side: defaults make fields optional). */
export function openApiSchema(schema: z.ZodTypeAny): Record<string, unknown> {
  const json = zodToJsonSchema(schema, {
    target: 'openApi3',
    effectStrategy: 'input',
    $refStrategy: 'none',
    pipeStrategy: 'input',
  }) as Record<string, unknown>;
  delete json['$schema'];
  return json;
}

/** Query schema per insight kind, plus `trending` (its query-string parameters). */
export function insightQuerySchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const k of INSIGHT_KINDS) out[k.name] = { description: k.description, ...openApiSchema(k.schema) };
  out['trending'] = openApiSchema(TrendingQuery);
  return out;
}
