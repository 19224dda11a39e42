// A log writer reopened after a failed write (the collector's, and any long-lived writer's). A write or fsync error (ENOSPC when the disk fills
// between two free-space checks, EIO) leaves a local log writer refusing every append until it is closed and
// reopened (recovery then repairs the tail). Without reopening, one full-disk moment turned the collector into a
// process answering 503 to everything, for good, while its /health said ready.
import { LogClosedError, PartitionLockedError } from './errors.js';
import type { AppendResult, EventLog, LogWriter } from './event-log.js';
import type { Logger } from './logger.js';

/** Least time between two reopen attempts, so a disk that keeps failing is not hammered. */
export const REOPEN_MIN_INTERVAL_MS = 1000;

/**
 * A LogWriter that replaces its writer after the writer failed: the append that saw the failure still fails (it
 * was not stored: the client gets 503 and retries), later ones go to the reopened writer.
 * @example const writer = new ReopeningWriter(log, await log.openWriter(), logger);
 */
export class ReopeningWriter implements LogWriter {
  readonly #log: EventLog;
  readonly #logger: Pick<Logger, 'info' | 'error'>;
  #writer: LogWriter;
  #reopening: Promise<void> | undefined;
  #lastAttempt = -Infinity;
  #closed = false;

  constructor(log: EventLog, writer: LogWriter, logger: Pick<Logger, 'info' | 'error'>) {
    this.#log = log;
    this.#writer = writer;
    this.#logger = logger;
  }

  get partition(): number {
    return this.#writer.partition;
  }

  append(values: readonly Buffer[]): Promise<AppendResult> {
    if (this.#reopening !== undefined) return this.#reopening.then(() => this.append(values));
    // Not an async function: the collector's every request passes here, and a promise less per append shows.
    const writer = this.#writer;
    return writer.append(values).catch((error: unknown) => {
      if (error instanceof LogClosedError && !this.#closed) this.#reopen(writer, error);
      throw error;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#reopening;
    await this.#writer.close();
  }

  /** Closes the failed writer and opens its partition again (another free one if a peer took it meanwhile). */
  #reopen(failed: LogWriter, cause: LogClosedError): void {
    if (failed !== this.#writer || this.#reopening !== undefined) return;
    if (performance.now() - this.#lastAttempt < REOPEN_MIN_INTERVAL_MS) return;
    this.#lastAttempt = performance.now();
    const partition = failed.partition;
    this.#reopening = (async () => {
      try {
        await failed.close().catch(() => {});
        const next = await this.#log
          .openWriter({ partition })
          .catch((error: unknown) =>
            error instanceof PartitionLockedError ? this.#log.openWriter() : Promise.reject(error),
          );
        this.#writer = next;
        this.#logger.info({ partition, newPartition: next.partition, cause: cause.message }, 'log_writer_reopened');
      } catch (error) {
        // Keep the failed writer: the next failing append tries again (at most once a second).
        this.#logger.error({ err: error, partition }, 'log_writer_reopen_failed');
      } finally {
        this.#reopening = undefined;
      }
    })();
  }
}
