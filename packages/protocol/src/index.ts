// @lens/protocol: what every layer shares — the event wire format and its validation, the log record format,
// the configuration schema, and the typed errors.
export * from './errors.js';
