// The browser SDK's options and their defaults, in one place (the README's options table mirrors this).
import type { DeliveryOptions } from '../core/types.js';

/**
 * Options of `load(writeKey, collectorUrl, options)`. Delivery defaults in the browser: flushAt 20, flushIntervalMs
 * 1000, 100 events and 32 000 bytes per request (two requests fit the browser's 64 KiB keepalive quota), a
 * persistent queue of 1000 events / 2 MB, maxEventBytes 32 000 (the collector's limit).
 */
export interface LoadOptions extends DeliveryOptions {
  /** A page view at load and at every URL change of a single-page app (default false). */
  autoPageViews?: boolean;
  /**
   * `memory` keeps nothing across reloads and writes no cookie (default `localStorage`, falling back to memory when
   * blocked, the ids then kept in cookies).
   */
  persistence?: 'localStorage' | 'memory';
  /** Prefix of storage keys and cookie names (default `lens`). */
  storagePrefix?: string;
  /** Cookie domain for the anonymousId and userId cookies, e.g. `.example.com` to share them across subdomains. */
  cookieDomain?: string;
  /** Start opted out (consent pending) unless the visitor opted in before. */
  optOut?: boolean;
  /** How often to look for queues left by closed tabs (default 5000 ms). */
  adoptIntervalMs?: number;
  /** Internal errors (never thrown into the page); silent by default. */
  onError?: (error: unknown) => void;
}

export const DEFAULTS = {
  flushAt: 20,
  flushIntervalMs: 1000,
  maxBatchEvents: 100,
  maxBatchBytes: 32_000,
  maxQueueEvents: 1000,
  maxQueueBytes: 2_000_000,
  maxEventBytes: 32_000,
  adoptIntervalMs: 5000,
} as const;
