// @lens/tracker/node: the Node SDK (server-side tracking with explicit identities).
export {
  NodeTracker,
  type NodeTrackerOptions,
  type NodeMessage,
  type NodeCallback,
  type NodeDeliveryError,
} from './node-tracker.js';
export type { TrackerStats, DropReason, DropHandler, DeliveryOptions } from '../core/types.js';
export type { RetryOptions } from '../core/retry-policy.js';
