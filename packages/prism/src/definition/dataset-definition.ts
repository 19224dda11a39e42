// The schema of one pipeline definition (a YAML file): what a dataset is, what it reads, how it is computed,
// how its output table is updated, its expectations and schedule. Type and schema share the name.
import { z } from 'zod';

const TABLE = /^(bronze|silver|gold|lens)\.[a-z][a-z0-9_]{0,62}$/;
const COLUMN = /^[a-z_][a-z0-9_]*$/;
/** Column types a definition may declare (DuckDB spelling); each maps to one Delta type. */
export const COLUMN_TYPES = [
  'VARCHAR',
  'BIGINT',
  'INTEGER',
  'SMALLINT',
  'DOUBLE',
  'FLOAT',
  'BOOLEAN',
  'DATE',
  'TIMESTAMPTZ',
] as const;

export const TableName = z
  .string()
  .regex(TABLE, 'a table name layer.name (layer bronze, silver, gold or lens; lower-case name)');
const ColumnName = z.string().regex(COLUMN, 'a lower-case column name');

/** A data-quality rule: rows where `condition` is not true are counted, dropped, quarantined, or fail the run. */
export const Expectation = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a snake_case name'),
    condition: z.string().min(1),
    action: z.enum(['warn', 'drop', 'quarantine', 'fail']).default('warn'),
  })
  .strict();
export type Expectation = z.infer<typeof Expectation>;

/** How a run's rows reach the output table. */
export const UpdateSpec = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('append') }).strict(),
  z.object({ mode: z.literal('merge'), keys: z.array(ColumnName).min(1) }).strict(),
  z.object({ mode: z.literal('replace_partitions') }).strict(),
  z.object({ mode: z.literal('replace'), where: z.string().min(1) }).strict(),
  z.object({ mode: z.literal('full_refresh') }).strict(),
]);
export type UpdateSpec = z.infer<typeof UpdateSpec>;

/** `continuous`, `every 5 minutes` / `every 30s`, or `cron: 0 * * * *`. */
export const Schedule = z
  .string()
  .regex(
    /^(continuous|every \d+\s*(s|seconds?|m|minutes?|h|hours?)|cron: .+)$/,
    'continuous, "every N minutes" or "cron: <expression>"',
  )
  // `every 0 seconds` would be `continuous` in disguise: asked for what it means instead.
  .refine((s) => !/^every 0+\s*\D/.test(s), 'every N: N must be at least 1 (or write continuous)');

/** A transform: DuckDB SQL, or a built-in transform with parameters. */
export const Transform = z.union([
  z.object({ sql: z.string().min(1) }).strict(),
  z.object({ builtin: z.string().min(1), params: z.record(z.unknown()).default({}) }).strict(),
]);
export type Transform = z.infer<typeof Transform>;

/** One dataset, as written in a pipelines folder. */
export const DatasetDefinition = z
  .object({
    name: TableName,
    description: z.string().min(1),
    owner: z.string().min(1),
    inputs: z.array(TableName).min(1),
    /** Output columns and types; required when the transform reads its own output (`this`). */
    columns: z.record(ColumnName, z.enum(COLUMN_TYPES)).optional(),
    /** SQL computing the recompute scope (the temp table `affected`) from the changed input rows. */
    affected: z.string().min(1).optional(),
    transform: Transform,
    update: UpdateSpec,
    partitionBy: z.array(ColumnName).default([]),
    /** Output date column `--from/--to` backfills restrict; defaults to the first partition column. */
    dateColumn: ColumnName.optional(),
    expectations: z.array(Expectation).default([]),
    schedule: Schedule.default('continuous'),
  })
  .strict();
export type DatasetDefinition = z.infer<typeof DatasetDefinition>;

/** A validated definition plus where it came from. */
export interface LoadedDataset extends DatasetDefinition {
  readonly file: string;
  /** True for the pipelines shipped inside @lens/prism. */
  readonly shipped: boolean;
  /** The line of each `inputs` entry in `file`, for graph errors (unknown input, cycle). */
  readonly inputLines?: readonly (number | undefined)[];
}
