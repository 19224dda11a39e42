// Decides whether a local partition may take more appends: free disk (statfs) and the slowest consumer's lag
// in bytes. Both are re-measured at most once per interval, so the append path pays a map lookup, not a syscall.
import { statfs } from 'node:fs/promises';
import { LogBackpressureError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/** Limits and probes of one guard; 0 disables a limit. */
export interface BackpressureOptions {
  dir: string;
  partition: number;
  minFreeDiskBytes: number;
  maxConsumerLagBytes: number;
  /** Bytes between the slowest known consumer and the partition's end (0 when there is no consumer). */
  consumerLagBytes: () => Promise<number>;
  /** Which consumer that is and where it stands, named in the refusal so an operator knows whom to look at. */
  slowestConsumer?: () => Promise<{ consumer: string; position: number } | undefined>;
  logger: Logger;
  intervalMs?: number;
}

/** Cached admission check for one writer. */
export class BackpressureGuard {
  readonly #options: BackpressureOptions;
  #checkedAt = -Infinity;
  #refusal: LogBackpressureError | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(options: BackpressureOptions) {
    this.#options = options;
  }

  /**
   * Rejects with LogBackpressureError while the last measurement says the log is over a limit. Undefined (no
   * promise, no tick) when the last measurement is fresh and allows appends: the common case on the hot path.
   */
  admit(): Promise<void> | undefined {
    if (performance.now() - this.#checkedAt >= (this.#options.intervalMs ?? 1000)) {
      this.#refreshing ??= this.#measure().finally(() => {
        this.#refreshing = undefined;
      });
      return this.#refreshing.then(() => this.#verdict());
    }
    if (this.#refusal !== undefined) return this.#verdict();
    return undefined;
  }

  async #verdict(): Promise<void> {
    if (this.#refusal !== undefined) throw this.#refusal;
  }

  async #measure(): Promise<void> {
    const { dir, partition, minFreeDiskBytes, maxConsumerLagBytes, logger } = this.#options;
    let refusal: LogBackpressureError | undefined;
    if (minFreeDiskBytes > 0) {
      const stats = await statfs(dir);
      const freeBytes = stats.bavail * stats.bsize;
      if (freeBytes < minFreeDiskBytes) {
        refusal = new LogBackpressureError(
          `only ${freeBytes} bytes free on the log disk, below minFreeDiskBytes ${minFreeDiskBytes}`,
          5000,
          { reason: 'disk_full', partition, freeBytes, minFreeDiskBytes, dir },
        );
      }
    }
    if (refusal === undefined && maxConsumerLagBytes > 0) {
      const lagBytes = await this.#options.consumerLagBytes();
      if (lagBytes > maxConsumerLagBytes) {
        const slowest = await this.#options.slowestConsumer?.();
        const who =
          slowest === undefined ? 'a consumer' : `consumer '${slowest.consumer}' (at offset ${slowest.position})`;
        refusal = new LogBackpressureError(
          `${who} of partition ${partition} lags ${lagBytes} bytes behind, above maxConsumerLagBytes ${maxConsumerLagBytes}`,
          5000,
          { reason: 'consumer_lag', partition, lagBytes, maxConsumerLagBytes, ...slowest },
        );
      }
    }
    if (refusal !== undefined && this.#refusal === undefined) logger.warn(refusal.context, 'log_backpressure_on');
    if (refusal === undefined && this.#refusal !== undefined) logger.info({ partition }, 'log_backpressure_off');
    this.#refusal = refusal;
    this.#checkedAt = performance.now();
  }
}
