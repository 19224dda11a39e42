// @lens/demo: a seeded, deterministic generator of a media group's behavioural events (bulk, time-ordered,
// streaming), the planted truths analyses must recover, and live demo traffic sent to a running collector.
export {
  generateEvents,
  generateLabelledEvents,
  DEFAULT_START,
  SESSION_GAP_MS,
  type GenerateOptions,
} from './generate-events.js';
export type { LabelledEvent } from './event-factory.js';
export { MALFORMATIONS, type Malformation } from './malformed-events.js';
export { SECTIONS, SITES, APP, siteOf, type Section, type Site } from './media-group.js';
export { BOT_USER_AGENTS } from './device-profiles.js';
export * from './planted-truths.js';
export { DemoOptionError, DemoDeliveryError } from './errors.js';
export { liveEvents, type LiveEventsOptions } from './live-events.js';
export {
  startDemoTraffic,
  type DemoTraffic,
  type DemoTrafficOptions,
  type DemoTrafficStats,
  type DemoLogger,
} from './demo-traffic.js';
export { createBatchSender, type BatchSenderOptions, type BatchResult } from './batch-sender.js';
