// The memory adapter of the KeyValueStore port.
export { createMemoryKeyValueStore } from './memory-key-value-store.js';
export { MemoryKvOptions } from './memory-options.js';
