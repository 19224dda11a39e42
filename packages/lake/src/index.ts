// @lens/lake: a Delta Lake table library (log protocol, snapshots, DuckDB scans, transactional writes).
// This file is the package's only public entry.
export * from './errors.js';
export type { ObjectMeta, ObjectStore } from './storage/object-store.js';
export { createFsObjectStore } from './storage/fs/fs-object-store.js';
export { createMemoryObjectStore } from './storage/memory/memory-object-store.js';
