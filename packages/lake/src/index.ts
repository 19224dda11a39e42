// @lens/lake: a Delta Lake table library (log protocol, snapshots, DuckDB scans, transactional writes).
// This file is the package's only public entry.
export * from './errors.js';
export type { ObjectMeta, ObjectStore } from './storage/object-store.js';
export { createFsObjectStore } from './storage/fs/fs-object-store.js';
export { createMemoryObjectStore } from './storage/memory/memory-object-store.js';
export {
  DeltaTable,
  latestTableVersion,
  STREAMING_TABLE_PROPERTIES,
  type OpenOptions,
  type SnapshotSelector,
} from './delta-table.js';
export type { Snapshot } from './snapshot.js';
export { loadSnapshot, loadTombstones } from './snapshot.js';
export { TombstonesNotLoadedError } from './log/log-replay.js';
export type * from './log/actions.js';
export { SUPPORTED_READER_FEATURES, SUPPORTED_WRITER_FEATURES } from './log/protocol-check.js';
export type { DeltaType, DeltaField, DeltaStructType, DeltaArrayType, DeltaMapType } from './schema/delta-schema.js';
export { parseSchema, toDuckDBType } from './schema/delta-schema.js';
export {
  createDuckDB,
  createSpillingDuckDB,
  sharedDuckDB,
  type Sql,
  type SqlRow,
  type DuckDBSession,
  type SpillOptions,
} from './duckdb/sql.js';
export { dateText } from './duckdb/date-text.js';
export { rewriteDeltaScans, hasDeltaScan } from './scan/delta-scan-rewrite.js';
export { planScan, type ScanOptions, type ScanPlan } from './scan/scan-sql.js';
export { where, predicateToSql, type Predicate, type Comparison } from './scan/predicate.js';
export type { AppendOptions } from './write/append.js';
export type { ColumnSpec, CreateTableOptions } from './write/create-table.js';
export type { RowSource } from './write/row-source.js';
export type { CommitResult } from './write/transaction.js';
export type { OptimizeOptions, OptimizeResult } from './write/optimize.js';
export type { VacuumOptions } from './write/vacuum.js';
export type { HistoryEntry } from './write/history.js';
export { LakeCatalog, LAKE_LAYERS, parseTableName, type LakeLayer } from './catalog/lake-catalog.js';
export { analyzeQuery, parseSerializedSql, referencePredicate, type TableReference } from './catalog/sql-analysis.js';
export { prepareLakeQuery, type RegisteredTable } from './catalog/lake-query.js';
export type { TableChanges } from './log/table-changes.js';
export type { ReplaceOptions } from './write/replace-where.js';
export { maintenanceIdle, maintenanceFailures, type Maintenance } from './write/background-maintenance.js';
