// DuckDB result types ↔ Delta column types, for creating an output table from what its transform returns.
import type { ColumnSpec, DeltaType } from '@lens/lake';
import { PipelineRunError } from '../errors.js';

const SIMPLE: Record<string, DeltaType> = {
  VARCHAR: 'string',
  BIGINT: 'long',
  INTEGER: 'integer',
  SMALLINT: 'short',
  TINYINT: 'byte',
  DOUBLE: 'double',
  FLOAT: 'float',
  BOOLEAN: 'boolean',
  DATE: 'date',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  TIMESTAMPTZ: 'timestamp',
  BLOB: 'binary',
};

/** The Delta type for a DuckDB type name (lists become arrays); unsupported types name the column. */
export function deltaTypeOf(dataset: string, column: string, duckType: string): DeltaType {
  const t = duckType.toUpperCase();
  if (SIMPLE[t]) return SIMPLE[t];
  const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
  if (dec) return `decimal(${dec[1]},${dec[2]})`;
  if (t.endsWith('[]'))
    return { type: 'array', elementType: deltaTypeOf(dataset, column, t.slice(0, -2)), containsNull: true };
  throw new PipelineRunError(
    dataset,
    `column ${column} has type ${duckType}, which has no Delta equivalent here; cast it (e.g. ::BIGINT, ::TIMESTAMPTZ, ::VARCHAR)`,
  );
}

/** Column specs for a described relation. */
export function columnSpecs(dataset: string, described: readonly { name: string; type: string }[]): ColumnSpec[] {
  return described.map((c) => ({ name: c.name, type: deltaTypeOf(dataset, c.name, c.type) }));
}

/** Quotes an identifier for DuckDB. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** Quotes a string literal for DuckDB. */
export const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;
