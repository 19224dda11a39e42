// Creates a table: version 0 with protocol (1/2 unless a column needs a table feature, then 3/7 with exactly
// those features), metaData (schema JSON, partition columns, properties) and commitInfo, created exclusively.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../duckdb/sql.js';
import { ConcurrentModificationError, InvalidInputError } from '../errors.js';
import { LOG_DIR, parseLogFile } from '../log/log-files.js';
import type { MetadataAction, ProtocolAction } from '../log/actions.js';
import {
  isStruct,
  toDuckDBType,
  type DeltaField,
  type DeltaStructType,
  type DeltaType,
} from '../schema/delta-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { commitInfo } from './commit-support.js';
import { commit, type CommitResult } from './transaction.js';

/** A column of a new table. */
export interface ColumnSpec {
  name: string;
  type: DeltaType;
  /** Defaults to true. */
  nullable?: boolean;
}

/** Options of `createTable`. */
export interface CreateTableOptions {
  columns: readonly ColumnSpec[];
  partitionColumns?: readonly string[];
  /** Table properties (`delta.*` and free-form), stored in metaData.configuration. */
  properties?: Record<string, string>;
  name?: string;
  description?: string;
}

/** The schema JSON of a column list. */
export function schemaOf(columns: readonly ColumnSpec[]): DeltaStructType {
  return {
    type: 'struct',
    fields: columns.map((c): DeltaField => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable ?? true,
      metadata: {},
    })),
  };
}

/** Rejects duplicate column names, unknown types and partition columns that are missing or not primitive. */
export function checkColumns(columns: readonly ColumnSpec[], partitionColumns: readonly string[]): void {
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name.toLowerCase())) throw new InvalidInputError(`duplicate column ${c.name}`, { column: c.name });
    names.add(c.name.toLowerCase());
    toDuckDBType(c.type); // rejects unknown types early
  }
  for (const p of partitionColumns) {
    const column = columns.find((c) => c.name === p);
    if (!column) throw new InvalidInputError(`partition column ${p} is not a column`, { column: p });
    if (isStruct(column.type) || typeof column.type !== 'string')
      throw new InvalidInputError(`partition column ${p} must be a primitive type`, { column: p });
  }
}

/** The minimal protocol for a schema: 1/2, or 3/7 with `timestampNtz` when a column needs it. */
export function protocolFor(schema: DeltaStructType): ProtocolAction {
  const usesNtz = JSON.stringify(schema).includes('"timestamp_ntz"');
  return usesNtz
    ? { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['timestampNtz'], writerFeatures: ['timestampNtz'] }
    : { minReaderVersion: 1, minWriterVersion: 2 };
}

/** Commits version 0; fails with ConcurrentModificationError if the table already exists. */
export async function createTable(store: ObjectStore, _sql: Sql, options: CreateTableOptions): Promise<CommitResult> {
  const schema = schemaOf(options.columns);
  const partitionColumns = [...(options.partitionColumns ?? [])];
  checkColumns(options.columns, partitionColumns);
  const metaData: MetadataAction = {
    id: randomUUID(),
    name: options.name ?? null,
    description: options.description ?? null,
    format: { provider: 'parquet', options: {} },
    schemaString: JSON.stringify(schema),
    partitionColumns,
    configuration: { ...(options.properties ?? {}) },
    createdTime: Date.now(),
  };
  const protocol = protocolFor(schema);
  if ((await store.list(`${LOG_DIR}/`)).some((m) => parseLogFile(m.key, m.lastModified))) {
    throw new InvalidInputError(`a Delta table already exists at ${store.description}`, {
      location: store.description,
    });
  }
  try {
    return await commit(
      store,
      -1,
      [{ protocol }, { metaData }],
      { files: new Set(), predicate: 'all', fields: [], partitionColumns: [] },
      () =>
        commitInfo(
          'CREATE TABLE',
          { isManaged: false, partitionBy: partitionColumns, properties: metaData.configuration },
          -1,
          true,
          {},
        ),
    );
  } catch (error) {
    // Losing the race for version 0 means another process created the table first.
    if (error instanceof ConcurrentModificationError)
      throw new InvalidInputError(
        `a Delta table already exists at ${store.description}`,
        { location: store.description },
        { cause: error },
      );
    throw error;
  }
}
