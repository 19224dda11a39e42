// @lens/tracker: the browser SDK (analytics.js-style API) as an ES module. The snippet/IIFE build is
// `@lens/tracker/bundle/lens.iife.min.js`; the Node SDK is `@lens/tracker/node`.
export { createTracker, type Tracker, type Callback } from './browser/browser-tracker.js';
export type { LoadOptions } from './browser/load-options.js';
export { snippet } from './browser/snippet.js';
export type { TrackerStats, DropReason, DropHandler, CallOptions, DeliveryOptions, JsonObject } from './core/types.js';
export type { RetryOptions } from './core/retry-policy.js';
