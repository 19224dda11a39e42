// The Logger port, shared by every library from @lens/protocol (re-exported here for this package's modules).
export { noopLogger, type Logger } from '@lens/protocol';
