// The contract each insight kind implements: a zod schema for its query, the lake tables it reads (their
// versions key the cache) and a run function that builds SQL and shapes the result.
import type { z } from 'zod';
import type { NumericColumns } from '../duckdb-runner.js';
import type { SourceContext } from '../sql/event-source.js';

/** What a kind gets from the engine for one run. */
export interface RunEnv {
  ctx: SourceContext;
  /** The instant relative date ranges end at. */
  now: Date;
  /** Runs a SELECT over lake tables (registered with data skipping) under the engine's timeout. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * Set when the source is the warm table (with its person and event-name dictionaries) and typed-array
   * kernels are on: runs a SELECT of numeric columns and returns them as typed arrays.
   */
  columns?(sql: string): Promise<NumericColumns>;
  /** Set when the source is the warm table: its event names → name_code (the name_code column's values). */
  nameCodes?(): Promise<ReadonlyMap<string, number>>;
}

/** One insight kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds kinds of every query type
export interface InsightKind<Q = any, R = unknown> {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType<Q, z.ZodTypeDef, unknown>;
  /** Lake tables whose versions the result depends on. */
  readonly tables: readonly string[];
  run(query: Q, env: RunEnv): Promise<R>;
}
