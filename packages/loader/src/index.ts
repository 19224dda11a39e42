// @lens/loader: consumes the durable event log and writes micro-batches into the bronze Delta tables
// (bronze.events, bronze.quarantine) exactly once. This file is the package's only public entry.
export { startLoader, type LoaderOptions, type LoaderStats, type RunningLoader } from './loader.js';
export { runLoaderOnce } from './run-loader-once.js';
export { lakeTablePath, parseTableName, LAKE_LAYERS, type LakeLayer } from './lake-table-path.js';
export { BRONZE_TABLES, EVENTS_COLUMNS, QUARANTINE_COLUMNS } from './bronze-schema.js';
export { LOG_CONSUMER, type PartitionStats } from './partition-loader.js';
export { BronzeSchemaError, PartitionOwnershipLostError, TableNameError } from './errors.js';
export { noopLogger, type Logger } from './logger.js';
export { startOpsServer, type OpsServer } from './ops-server.js';
