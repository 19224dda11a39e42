// The one factory that picks an EventLog adapter from config, so roles wire the log from `LensConfig.log`
// without knowing adapter classes (a NATS backend will be one more branch here, behind its own subpath).
import type { EventLog } from './event-log.js';
import { createLocalEventLog, type LocalEventLogOptions } from './adapters/local/local-event-log.js';
import { createMemoryEventLog, type MemoryEventLogOptions } from './adapters/memory/memory-event-log.js';

/** Config of the embedded local adapter; mirrors `LogConfig` of @lens/protocol plus the directory and a logger. */
export type LocalEventLogConfig = { backend: 'local' } & LocalEventLogOptions;
/** Config of the in-memory adapter (tests, demos). */
export type MemoryEventLogConfig = { backend: 'memory' } & MemoryEventLogOptions;
/** Any EventLog config. */
export type EventLogConfig = LocalEventLogConfig | MemoryEventLogConfig;

/**
 * Opens an event log for `config.backend`.
 *
 * @example
 * const log = await createEventLog({ backend: 'local', dir: join(config.dataDir, 'log'), ...config.log, logger });
 */
export async function createEventLog(config: EventLogConfig): Promise<EventLog> {
  switch (config.backend) {
    case 'local': {
      const { backend: _backend, ...options } = config;
      return createLocalEventLog(options);
    }
    case 'memory':
      return createMemoryEventLog(config);
  }
}
