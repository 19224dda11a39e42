// The SQLite adapter of the KeyValueStore port (the embedded default).
export { createSqliteKeyValueStore } from './sqlite-key-value-store.js';
export { SqliteKvOptions } from './sqlite-options.js';
