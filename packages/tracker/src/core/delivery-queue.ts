// The bounded queue both SDKs deliver from: batches by count, bytes and time, one batch in flight (order kept,
// and a slow collector never gets a pile of parallel requests), backoff on failure, counted overflow.
import { backoffDelay, DEFAULT_RETRY, type RetryOptions, type SendOutcome } from './retry-policy.js';
import { emptyStats, type DropHandler, type DropReason, type TrackerStats, type TrackingEvent } from './types.js';

/**
 * A queued event: the event, its serialised size, the attempts it used, an arrival number (`s`), and optionally
 * who to tell how it ended (`done`: no argument once delivered, an Error naming the drop reason otherwise).
 */
export interface QueueEntry {
  e: TrackingEvent;
  n: number;
  a: number;
  s: number;
  done?: EntryDone | undefined;
}

/** Told once how an event ended: no argument when the collector accepted it, else why it was dropped. */
export type EntryDone = (error?: Error) => void;

/**
 * What one change did to the entries, so that a persisted copy is updated by what changed, not rewritten whole:
 * entries added, removed (delivered or dropped), and kept but with their attempts changed.
 */
export interface QueueChange {
  added: QueueEntry[];
  removed: QueueEntry[];
  touched: QueueEntry[];
}

export interface DeliveryQueueOptions {
  flushAt: number;
  flushIntervalMs: number;
  maxBatchEvents: number;
  maxBatchBytes: number;
  maxQueueEvents: number;
  maxQueueBytes: number;
  retry?: RetryOptions;
  send(events: TrackingEvent[], keepalive: boolean): Promise<SendOutcome>;
  /** Called after every change of the entries, with what changed (the browser persists them). */
  onChange?(entries: readonly QueueEntry[], change: QueueChange): void;
  onDrop?: DropHandler;
  /** False while sending is pointless (browser offline, opted out). */
  canSend?(): boolean;
  /**
   * Every failed send (network error, timeout, 5xx, 408, 429) uses up an attempt of each event in it (Node, as
   * analytics-node's maxRetries), not only 5xx (the browser, whose queue persists and waits out outages).
   */
  everyFailureIsAnAttempt?: boolean;
  /** Events the collector never accepted, once dropped for it (attempts used up, a 4xx, rejected one by one). */
  onDeliveryFailure?(events: TrackingEvent[], error: Error): void;
}

/** See the file header. `add` and the timers are the only entry points; `flush` waits for delivery. */
export class DeliveryQueue {
  readonly stats: TrackerStats = emptyStats();
  #entries: QueueEntry[] = [];
  readonly #inflight = new Set<QueueEntry>();
  readonly #waiters: { seq: number; resolve(flushed: boolean): void }[] = [];
  #seq = 0;
  #bytes = 0;
  #sending = false;
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoff: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #change: QueueChange = { added: [], removed: [], touched: [] };

  constructor(readonly options: DeliveryQueueOptions) {}

  get entries(): readonly QueueEntry[] {
    return this.#entries;
  }

  /** Wraps events as entries (arrival order) and enqueues them; over the bounds, the oldest idle ones go. */
  add(events: readonly { e: TrackingEvent; n: number; a?: number; done?: EntryDone | undefined }[]): void {
    for (const { e, n, a, done } of events) {
      const entry: QueueEntry = { e, n, a: a ?? 0, s: ++this.#seq, ...(done ? { done } : {}) };
      this.#entries.push(entry);
      this.#change.added.push(entry);
      this.#bytes += n;
    }
    let over = 0;
    while (
      (this.#entries.length > this.options.maxQueueEvents || this.#bytes > this.options.maxQueueBytes) &&
      this.#removeOldestIdle()
    )
      over++;
    if (over > 0) this.#drop(over, 'queue_full');
    this.#changed();
    this.#schedule();
  }

  /**
   * Sends everything queued now, batching timer or not; resolves true once those events are delivered or dropped,
   * false at once when the queue is closed with events left (nothing will send them), or when it is closed later.
   */
  flush(): Promise<boolean> {
    if (this.#entries.length === 0) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    const done = new Promise<boolean>((resolve) => this.#waiters.push({ seq: this.#seq, resolve }));
    this.#holdBackoff();
    this.#schedule();
    return done;
  }

  /** Sends every idle entry at once with keepalive (page going away); the answers are handled if they come. */
  sendAllNow(): void {
    if (this.options.canSend?.() === false) return;
    for (let batch = this.#takeBatch(); batch.length > 0; batch = this.#takeBatch()) void this.#send(batch, true);
  }

  /** Re-evaluates the timers (after coming back online, after opt-in). */
  kick(): void {
    this.#schedule();
  }

  /** Removes everything (opt-out, tests). */
  clear(reason: DropReason): void {
    const n = this.#entries.length;
    this.#settle(this.#entries, () => reason);
    this.#change.removed.push(...this.#entries);
    this.#entries = [];
    this.#bytes = 0;
    this.#inflight.clear();
    if (n > 0) this.#drop(n, reason);
    this.#changed();
  }

  /** Stops the timers; queued events stay (the browser has them persisted). Pending flushes resolve false. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#backoff);
    this.#timer = this.#backoff = undefined;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(false);
  }

  #schedule(): void {
    if (this.#closed || this.#sending || this.#backoff !== undefined) return;
    if (this.#entries.length === this.#inflight.size || this.options.canSend?.() === false) return;
    let idle = 0;
    let bytes = 0;
    for (const entry of this.#entries)
      if (!this.#inflight.has(entry)) {
        idle++;
        bytes += entry.n;
      }
    if (this.#waiters.length > 0 || idle >= this.options.flushAt || bytes >= this.options.maxBatchBytes) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#pump();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.#pump();
      }, this.options.flushIntervalMs);
    }
  }

  async #pump(): Promise<void> {
    if (this.#sending || this.#closed) return;
    const batch = this.#takeBatch();
    if (batch.length === 0) return;
    this.#sending = true;
    try {
      await this.#send(batch, false);
    } finally {
      this.#sending = false;
    }
    this.#schedule();
  }

  #takeBatch(): QueueEntry[] {
    const batch: QueueEntry[] = [];
    let bytes = 0;
    for (const entry of this.#entries) {
      if (this.#inflight.has(entry)) continue;
      if (
        batch.length >= this.options.maxBatchEvents ||
        (batch.length > 0 && bytes + entry.n > this.options.maxBatchBytes)
      )
        break;
      batch.push(entry);
      bytes += entry.n;
    }
    for (const entry of batch) this.#inflight.add(entry);
    return batch;
  }

  async #send(batch: QueueEntry[], keepalive: boolean): Promise<void> {
    const outcome = await this.options
      .send(
        batch.map((entry) => entry.e),
        keepalive,
      )
      .catch((error: unknown): SendOutcome => ({ kind: 'retry', reason: String(error), countsAsAttempt: false }));
    for (const entry of batch) this.#inflight.delete(entry);
    if (outcome.kind === 'ok') {
      this.#failures = 0;
      this.#remove(batch);
      const rejected = new Set(outcome.rejectedIndexes);
      this.#settle(batch, (_, i) => (rejected.has(i) ? 'rejected_by_collector' : undefined));
      this.stats.delivered += batch.length - outcome.rejected;
      if (outcome.rejected > 0) this.#drop(outcome.rejected, 'rejected_by_collector');
      if (rejected.size > 0)
        this.#report(
          batch.filter((_, i) => rejected.has(i)),
          'rejected_by_collector',
          'the collector rejected them as invalid',
        );
    } else if (outcome.kind === 'drop') {
      this.#remove(batch);
      this.#fail(batch, 'rejected_by_collector', outcome.reason);
    } else {
      this.stats.retries++;
      this.#failures++;
      const max = this.options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
      const counts = outcome.countsAsAttempt || this.options.everyFailureIsAnAttempt === true;
      if (counts) this.#change.touched.push(...batch);
      const spent = counts ? batch.filter((entry) => ++entry.a >= max) : [];
      if (spent.length > 0) {
        this.#remove(spent);
        this.#fail(spent, 'max_attempts', `after ${max} attempts, the last: ${outcome.reason}`);
      }
      if (this.#backoff === undefined && !this.#closed) {
        this.#backoff = setTimeout(
          () => {
            this.#backoff = undefined;
            this.#schedule();
          },
          backoffDelay(this.#failures, this.options.retry, outcome.retryAfterMs),
        );
        this.#holdBackoff();
      }
    }
    this.#changed();
  }

  /** Drops entries the collector never accepted: their callbacks and the failure hook are told why. */
  #fail(entries: readonly QueueEntry[], reason: DropReason, detail: string): void {
    this.#settle(entries, () => reason, detail);
    this.#drop(entries.length, reason);
    this.#report(entries, reason, detail);
  }

  #report(entries: readonly QueueEntry[], reason: DropReason, detail: string): void {
    try {
      this.options.onDeliveryFailure?.(
        entries.map((entry) => entry.e),
        new Error(`${entries.length} event(s) dropped: ${reason} (${detail})`),
      );
    } catch {
      /* a caller's handler must not break delivery */
    }
  }

  /**
   * A retry timer keeps a Node process alive only while someone awaits `flush()` (closeAndFlush included): an
   * application that is done may exit meanwhile (no-op in browsers, whose timers are numbers).
   */
  #holdBackoff(): void {
    const timer = this.#backoff as { ref?(): void; unref?(): void } | undefined;
    if (this.#waiters.length > 0) timer?.ref?.();
    else timer?.unref?.();
  }

  #remove(batch: readonly QueueEntry[]): void {
    const gone = new Set(batch);
    this.#entries = this.#entries.filter((entry) => !gone.has(entry) || ((this.#bytes -= entry.n), false));
    this.#change.removed.push(...batch);
  }

  #removeOldestIdle(): boolean {
    const index = this.#entries.findIndex((entry) => !this.#inflight.has(entry));
    if (index < 0) return false;
    this.#bytes -= this.#entries[index]!.n;
    const removed = this.#entries.splice(index, 1);
    this.#change.removed.push(...removed);
    this.#settle(removed, () => 'queue_full');
    return true;
  }

  /** Tells each entry's `done` how it ended (`reasonOf` gives the drop reason, undefined once delivered). */
  #settle(
    entries: readonly QueueEntry[],
    reasonOf: (entry: QueueEntry, index: number) => DropReason | undefined,
    detail?: string,
  ): void {
    entries.forEach((entry, index) => {
      const done = entry.done;
      if (!done) return;
      entry.done = undefined; // once: an entry cleared while in flight is not told again when its answer comes
      const reason = reasonOf(entry, index);
      try {
        done(
          reason === undefined
            ? undefined
            : new Error(`event ${entry.e.messageId} dropped: ${reason}${detail ? ` (${detail})` : ''}`),
        );
      } catch {
        /* a caller's callback must not break delivery */
      }
    });
  }

  #drop(count: number, reason: DropReason): void {
    this.stats.dropped[reason] += count;
    try {
      this.options.onDrop?.(count, reason);
    } catch {
      /* a caller's handler must not break delivery */
    }
  }

  #changed(): void {
    this.stats.queued = this.#entries.length;
    const change = this.#change;
    this.#change = { added: [], removed: [], touched: [] };
    this.options.onChange?.(this.#entries, change);
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (!this.#entries.some((entry) => entry.s <= waiter.seq)) {
        this.#waiters.splice(i, 1);
        waiter.resolve(true);
      }
    }
    this.#holdBackoff();
  }
}
