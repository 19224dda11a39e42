// @lens/tracker: the browser SDK (analytics.js-style API). The Node SDK is `@lens/tracker/node`.
export type { TrackerStats, DropReason, DropHandler, CallOptions } from './core/types.js';
export type { RetryOptions } from './core/retry-policy.js';
