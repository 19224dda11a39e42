// Types shared by the browser and Node SDKs. Event shapes come from @lens/protocol as types only, so the
// browser bundle never pulls in the protocol's runtime validators.
import type { JsonObject, TrackingEvent } from '@lens/protocol';
import type { RetryOptions } from './retry-policy.js';

export type { JsonObject, TrackingEvent };

/** Why events left the queue without being delivered; every one is counted in `stats()`. */
export type DropReason =
  'queue_full' | 'too_large' | 'max_attempts' | 'rejected_by_collector' | 'opted_out' | 'invalid';

/** Counters every tracker keeps, so an overflow or a rejection is visible rather than silent. */
export interface TrackerStats {
  /** Events waiting in the queue (including those in flight). */
  queued: number;
  /** Events the collector acknowledged. */
  delivered: number;
  /** Events dropped, by reason. */
  dropped: Record<DropReason, number>;
  /** Failed sends that will be (or were) retried. */
  retries: number;
}

/** Called when events are dropped: `count` events, for `reason`. */
export type DropHandler = (count: number, reason: DropReason) => void;

/** How a tracker batches, bounds and retries delivery; each SDK documents its own defaults. */
export interface DeliveryOptions {
  /** Send when this many events wait… */
  flushAt?: number;
  /** …or this long after the first. */
  flushIntervalMs?: number;
  /** Per request. */
  maxBatchEvents?: number;
  maxBatchBytes?: number;
  /** The queue's bounds; overflow drops the oldest, counted. */
  maxQueueEvents?: number;
  maxQueueBytes?: number;
  /** Larger events are dropped at the call, counted. */
  maxEventBytes?: number;
  retry?: RetryOptions;
  onDrop?: DropHandler;
}

/** Per-call options of the analytics.js family. */
export interface CallOptions {
  context?: JsonObject;
  integrations?: JsonObject;
  /** When the call happened, for events recorded after the fact; kept as is by the collector. */
  timestamp?: Date | string;
  messageId?: string;
  anonymousId?: string;
}

export function emptyStats(): TrackerStats {
  return {
    queued: 0,
    delivered: 0,
    dropped: { queue_full: 0, too_large: 0, max_attempts: 0, rejected_by_collector: 0, opted_out: 0, invalid: 0 },
    retries: 0,
  };
}
