// @lens/protocol: what every layer shares — the event wire format and its validation, the log record format,
// the configuration schema and loader, and the typed errors.
export * from './errors.js';
export * from './logger.js';
export * from './event.js';
export * from './event-validator.js';
export * from './timestamp.js';
export * from './unicode-text.js';
export * from './enrich.js';
export * from './log-record.js';
export * from './config.js';
export * from './config-loader.js';
