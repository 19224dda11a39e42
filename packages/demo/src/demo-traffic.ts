// Live demo traffic: pulls events from the live stream as their (wall-clock) time comes, posts them to a
// collector in batches, one request at a time, and keeps counts. `lens demo` runs it from the command line
// and `lens up --demo` in-process; both stop it with the returned handle.
import type { TrackingEvent } from '@lens/protocol';
import { createBatchSender, sleep } from './batch-sender.js';
import { DemoDeliveryError, requireNumber } from './errors.js';
import { liveEvents } from './live-events.js';

/** Minimal structural logger (pino-compatible); the default logs nothing. */
export interface DemoLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options of `startDemoTraffic`. */
export interface DemoTrafficOptions {
  readonly url: string;
  readonly writeKey: string;
  /** Target events per second. */
  readonly rate: number;
  /** Seconds to run; undefined runs until `stop()`. */
  readonly durationS?: number;
  /** Pool of simulated people; default 600 × rate (fewer cannot sustain the rate with 30-minute sessions). */
  readonly users?: number;
  /** Default: derived from the clock, so two runs never repeat messageIds. */
  readonly seed?: number;
  readonly logger?: DemoLogger;
  /** Most events per request (default 500; the collector's limit is 2500). */
  readonly maxBatchEvents?: number;
  /** How often due events are flushed, in ms (default 250). */
  readonly flushIntervalMs?: number;
}

/** Counters of a traffic run. */
export interface DemoTrafficStats {
  /** Events taken from the generator and handed to the sender. */
  generated: number;
  /** Events the collector accepted. */
  accepted: number;
  /** Events the collector answered 200 for but quarantined (the malformed ones, typically). */
  rejected: number;
  /** Events of batches given up (non-retriable answer or retries exhausted). */
  failed: number;
  batches: number;
  retries: number;
  elapsedS: number;
}

/** A running traffic generator. */
export interface DemoTraffic {
  /** A snapshot of the counters. */
  stats(): DemoTrafficStats;
  /** Stops generating, lets the request in flight finish, and resolves with the final counters. */
  stop(): Promise<DemoTrafficStats>;
  /** Resolves when the duration is over (or after `stop()`); rejects if the collector refuses the write key. */
  readonly done: Promise<DemoTrafficStats>;
}

const NOOP: DemoLogger = { info() {}, warn() {}, error() {} };

/**
 * Starts sending live demo events to a collector.
 * @example const traffic = startDemoTraffic({ url: 'http://localhost:8080', writeKey: 'demo-write-key', rate: 50 });
 *          setTimeout(() => traffic.stop(), 60_000);
 */
export function startDemoTraffic(options: DemoTrafficOptions): DemoTraffic {
  const rate = requireNumber('rate', options.rate, 0.01, 1e6);
  const users = Math.trunc(requireNumber('users', options.users ?? Math.max(1000, Math.ceil(rate * 600)), 1, 2 ** 30));
  const durationMs =
    options.durationS === undefined ? Infinity : requireNumber('durationS', options.durationS, 0) * 1000;
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const logger = options.logger ?? NOOP;
  const maxBatch = Math.trunc(requireNumber('maxBatchEvents', options.maxBatchEvents ?? 500, 1, 2500));
  const flushMs = requireNumber('flushIntervalMs', options.flushIntervalMs ?? 250, 1, 60_000);
  new URL(options.url); // throws a TypeError on a malformed URL before anything starts
  const stopper = new AbortController();
  const started = Date.now();
  const counters: DemoTrafficStats = {
    generated: 0,
    accepted: 0,
    rejected: 0,
    failed: 0,
    batches: 0,
    retries: 0,
    elapsedS: 0,
  };
  const send = createBatchSender({
    url: options.url,
    writeKey: options.writeKey,
    signal: stopper.signal,
    onRetry: ({ attempt, status, waitMs, error }) => {
      counters.retries++;
      // The reason without a stack: a collector that is down would print one per retry.
      const reason = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
      logger.warn({ attempt, status, waitMs: Math.round(waitMs), reason }, 'demo_batch_retry');
    },
  });
  if (users < rate * 300)
    logger.warn({ users, rate, needed: Math.ceil(rate * 600) }, 'demo_user_pool_too_small_for_rate');
  logger.info({ url: options.url, rate, users, seed, durationS: options.durationS ?? null }, 'demo_traffic_started');

  const run = async (): Promise<DemoTrafficStats> => {
    const end = started + durationMs;
    const stream = liveEvents({ seed, users, rate, start: started });
    let pending = stream.next().value;
    while (!stopper.signal.aborted) {
      const horizon = Math.min(Date.now(), end);
      const batch: TrackingEvent[] = [];
      while (pending.time < horizon && batch.length < maxBatch) {
        batch.push(pending.event);
        pending = stream.next().value;
      }
      if (batch.length > 0) {
        counters.generated += batch.length;
        await deliver(batch);
      } else if (Date.now() >= end) break;
      else await sleep(Math.min(flushMs, pending.time - Date.now()), stopper.signal);
    }
    counters.elapsedS = (Date.now() - started) / 1000;
    logger.info({ ...counters }, 'demo_traffic_stopped');
    return { ...counters };
  };

  const deliver = async (batch: TrackingEvent[]): Promise<void> => {
    try {
      const result = await send(batch);
      counters.batches++;
      counters.accepted += result.accepted;
      counters.rejected += result.rejected;
    } catch (error) {
      counters.failed += batch.length;
      logger.error({ err: error, events: batch.length }, 'demo_batch_failed');
      const status = error instanceof DemoDeliveryError ? error.context.status : undefined;
      if (status === 401 || status === 403) throw error; // a wrong write key will not fix itself
    }
  };

  const done = run();
  done.catch(() => stopper.abort());
  // The duration ends the traffic even while a batch waits to be retried (a collector that is down): that batch
  // is given up (counted failed) instead of retried for half a minute past it.
  const deadline = Number.isFinite(durationMs) ? setTimeout(() => stopper.abort(), durationMs) : undefined;
  void done.finally(() => clearTimeout(deadline)).catch(() => undefined);
  return {
    stats: () => ({ ...counters, elapsedS: (Date.now() - started) / 1000 }),
    stop: async () => {
      stopper.abort();
      return done;
    },
    done,
  };
}
