// The Node SDK: the same calls with explicit identities, delivered from a bounded in-memory queue (so a slow
// or failing collector costs dropped-and-counted events, never unbounded memory), with flush/closeAndFlush.
import { DeliveryQueue } from '../core/delivery-queue.js';
import { measure } from '../core/event-size.js';
import { uuid } from '../core/message-id.js';
import { sendBatch, type FetchLike } from '../core/send-batch.js';
import type { DeliveryOptions, JsonObject, TrackerStats, TrackingEvent } from '../core/types.js';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../core/version.js';

/**
 * Options of the Node SDK. Delivery defaults: flushAt 20, flushIntervalMs 10 000, maxBatchBytes 480 000 (under the
 * collector's 1 MB request limit), an in-memory queue bounded at 10 000 events / 16 MiB for a slow collector,
 * maxEventBytes 32 000 (the collector's limit).
 */
export interface NodeTrackerOptions extends DeliveryOptions {
  writeKey: string;
  /** The collector's base URL, e.g. `https://collect.example.com`. */
  host: string;
  /** The batch endpoint's path on `host` (default `/v1/batch`), as `@segment/analytics-node`'s `path`. */
  path?: string;
  /** Per-request timeout (default 10 000 ms). */
  timeoutMs?: number;
  /**
   * Retries of a batch that failed (network error, timeout, 5xx, 408, 429) before its events are dropped, their
   * callbacks told and `'error'` emitted: default 3, as `@segment/analytics-node`. Given, it replaces
   * `retry.maxAttempts` (attempts = maxRetries + 1).
   */
  maxRetries?: number;
  fetch?: FetchLike;
}

/**
 * What `on('error', listener)` is told when events could not be delivered (`@segment/analytics-node` emits
 * `{ code: 'delivery_failure', reason }` too): the attempts were used up, the collector answered a 4xx, or it
 * rejected events one by one. `reason` says which; `events` are the dropped events.
 */
export interface NodeDeliveryError {
  code: 'delivery_failure';
  reason: Error;
  events: TrackingEvent[];
}

/** Retries before a batch's events are dropped, as `@segment/analytics-node`'s `maxRetries` default. */
const DEFAULT_MAX_RETRIES = 3;

/** Identity and common fields of every Node call: `userId` or `anonymousId` is required. */
export interface NodeMessage {
  userId?: string | number;
  anonymousId?: string | number;
  context?: JsonObject;
  integrations?: JsonObject;
  timestamp?: Date | string;
  messageId?: string;
}

/**
 * Told once how a call ended, as `@segment/analytics-node` does: no argument once the collector accepted the
 * event, an Error saying why it was dropped (invalid, too large, rejected, queue full, attempts used up).
 * While the collector is unreachable it waits for the event's retries (`maxRetries`), then gets the Error.
 */
export type NodeCallback = (error?: Error) => void;

/** See the file header. */
export class NodeTracker {
  readonly #options: NodeTrackerOptions;
  readonly #queue: DeliveryQueue;
  readonly #errorListeners = new Set<(error: NodeDeliveryError) => void>();
  #closed = false;

  constructor(options: NodeTrackerOptions) {
    this.#options = options;
    const path = options.path ?? '/v1/batch';
    const endpoint = `${options.host.replace(/\/+$/, '')}${path.startsWith('/') ? '' : '/'}${path}`;
    const headers = {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
    };
    const fetchFn = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
    this.#queue = new DeliveryQueue({
      flushAt: options.flushAt ?? 20,
      flushIntervalMs: options.flushIntervalMs ?? 10_000,
      maxBatchEvents: options.maxBatchEvents ?? 100,
      maxBatchBytes: options.maxBatchBytes ?? 480_000,
      maxQueueEvents: options.maxQueueEvents ?? 10_000,
      maxQueueBytes: options.maxQueueBytes ?? 16 * 1024 * 1024,
      retry: {
        ...options.retry,
        maxAttempts:
          options.maxRetries !== undefined
            ? options.maxRetries + 1
            : (options.retry?.maxAttempts ?? DEFAULT_MAX_RETRIES + 1),
      },
      // Bounded, as analytics-node: an unreachable collector costs a few retries, not a process that never ends.
      everyFailureIsAnAttempt: true,
      onDeliveryFailure: (events, reason) => {
        for (const listener of this.#errorListeners)
          try {
            listener({ code: 'delivery_failure', reason, events });
          } catch {
            /* the application's listener must not break delivery */
          }
      },
      ...(options.onDrop ? { onDrop: options.onDrop } : {}),
      send: (batch) =>
        sendBatch(fetchFn, {
          url: endpoint,
          headers,
          timeoutMs: options.timeoutMs ?? 10_000,
          body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
        }),
    });
  }

  track(message: NodeMessage & { event: string; properties?: JsonObject }, callback?: NodeCallback): void {
    this.#enqueue('track', message, callback, (m) =>
      m.event ? { event: m.event, properties: m.properties ?? {} } : undefined,
    );
  }
  identify(message: NodeMessage & { traits?: JsonObject }, callback?: NodeCallback): void {
    this.#enqueue('identify', message, callback, (m) => ({ traits: m.traits ?? {} }));
  }
  page(
    message: NodeMessage & { name?: string; category?: string; properties?: JsonObject },
    callback?: NodeCallback,
  ): void {
    this.#enqueue('page', message, callback, (m) => ({
      name: m.name,
      category: m.category,
      properties: m.properties ?? {},
    }));
  }
  screen(message: NodeMessage & { name?: string; properties?: JsonObject }, callback?: NodeCallback): void {
    this.#enqueue('screen', message, callback, (m) => ({ name: m.name, properties: m.properties ?? {} }));
  }
  group(message: NodeMessage & { groupId: string | number; traits?: JsonObject }, callback?: NodeCallback): void {
    this.#enqueue('group', message, callback, (m) =>
      m.groupId !== undefined ? { groupId: m.groupId, traits: m.traits ?? {} } : undefined,
    );
  }
  alias(
    message: NodeMessage & { userId: string | number; previousId: string | number },
    callback?: NodeCallback,
  ): void {
    this.#enqueue('alias', message, callback, (m) =>
      m.previousId !== undefined && m.userId !== undefined ? { previousId: m.previousId } : undefined,
    );
  }

  /**
   * Listens for `'error'`: events dropped because they could not be delivered (see NodeDeliveryError). Without a
   * listener nothing is thrown (unlike a Node EventEmitter): the drops are counted in `stats()` either way.
   * @example tracker.on('error', (err) => logger.warn(err.reason.message));
   */
  on(event: 'error', listener: (error: NodeDeliveryError) => void): this {
    if (event === 'error' && typeof listener === 'function') this.#errorListeners.add(listener);
    return this;
  }
  off(event: 'error', listener: (error: NodeDeliveryError) => void): this {
    if (event === 'error') this.#errorListeners.delete(listener);
    return this;
  }

  /**
   * Sends everything queued; resolves true once it is delivered or dropped (after at most `maxRetries` retries).
   * With `timeoutMs` it resolves false after that long instead (what is left stays queued and is retried) —
   * what a request handler awaiting it at its end wants. After `closeAndFlush()` it resolves at once.
   * @example await tracker.flush({ timeoutMs: 2000 });
   */
  flush({ timeoutMs }: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.#flushWithin(timeoutMs);
  }

  /**
   * For serverless handlers and shutdown: refuses further calls, flushes, stops the timers. Resolves true when
   * the queue emptied, false when `timeoutMs` (default 10 000) passed first (what was left is in `stats()`).
   * @example await tracker.closeAndFlush({ timeoutMs: 5000 });
   */
  async closeAndFlush({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<boolean> {
    this.#closed = true;
    const flushed = await this.#flushWithin(timeoutMs);
    this.#queue.close();
    return flushed;
  }

  async #flushWithin(timeoutMs: number | undefined): Promise<boolean> {
    const flushed = this.#queue.flush();
    if (timeoutMs === undefined) return flushed;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([flushed, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Counters: queued, delivered, dropped by reason, retries. */
  stats(): TrackerStats {
    return structuredClone(this.#queue.stats);
  }

  #enqueue<M extends NodeMessage>(
    type: TrackingEvent['type'],
    message: M,
    callback: NodeCallback | undefined,
    fieldsOf: (message: M) => Partial<TrackingEvent> | undefined,
  ): void {
    const done = typeof callback === 'function' ? callback : undefined;
    const dropped = (reason: 'invalid' | 'too_large'): void => {
      this.#queue.stats.dropped[reason]++;
      try {
        this.#options.onDrop?.(1, reason);
      } catch {
        /* the application's handler must not turn a call into a throw */
      }
      if (done) queueMicrotask(() => done(new Error(`${type} call dropped: ${reason}`)));
    };
    const invalid = (): void => dropped('invalid');
    // Whatever the caller passed (nothing, null, a string), a call never throws: it is counted as invalid.
    if (typeof message !== 'object' || message === null) {
      invalid();
      return;
    }
    const fields = fieldsOf(message);
    if (this.#closed || fields === undefined || (message.userId == null && message.anonymousId == null)) {
      invalid();
      return;
    }
    const now = new Date().toISOString();
    // null is no timestamp (as for the ids); one that is no time (`'yesterday'`, an Invalid Date) makes the call
    // invalid: counted, never thrown.
    const explicitMs = message.timestamp == null ? undefined : new Date(message.timestamp).getTime();
    if (explicitMs !== undefined && Number.isNaN(explicitMs)) {
      invalid();
      return;
    }
    const timestamp = explicitMs === undefined ? undefined : new Date(explicitMs).toISOString();
    const event: TrackingEvent = {
      type,
      ...fields,
      messageId: message.messageId ?? uuid(),
      ...(message.userId == null ? {} : { userId: message.userId }),
      ...(message.anonymousId == null ? {} : { anonymousId: message.anonymousId }),
      context: { ...message.context, library: { name: LIBRARY_NAME, version: LIBRARY_VERSION } },
      ...(message.integrations ? { integrations: message.integrations } : {}),
      // An explicit timestamp is the event's real time (kept as is); otherwise the collector corrects skew.
      originalTimestamp: timestamp ?? now,
      ...(timestamp ? { timestamp } : {}),
    };
    let measured: ReturnType<typeof measure<TrackingEvent>>;
    try {
      measured = measure(event);
    } catch {
      // Not JSON-serialisable (a BigInt from a database driver, a circular object): counted, never thrown.
      invalid();
      return;
    }
    if (measured.n > (this.#options.maxEventBytes ?? 32_000)) {
      dropped('too_large');
      return;
    }
    this.#queue.add([{ ...measured, done }]);
  }
}
