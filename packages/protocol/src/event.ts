// The tracking-API event as SDKs send it (Segment/RudderStack spec) and as Lens stores it after enrichment.
// One definition shared by tracker, collector and loader.

/** The six call types of the Segment/RudderStack tracking API. */
export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The spec's own top-level fields of an event (after enrichment); any other top-level field is a custom one. */
export const SPEC_EVENT_FIELDS: ReadonlySet<string> = new Set([
  'type',
  'messageId',
  'event',
  'name',
  'category',
  'userId',
  'anonymousId',
  'groupId',
  'previousId',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'receivedAt',
  'context',
  'properties',
  'traits',
  'integrations',
]);

/** A JSON object (properties, traits, context, integrations). */
export type JsonObject = { [key: string]: unknown };

/** An event as an SDK sends it. Unknown top-level fields are kept as they came. */
export interface TrackingEvent {
  type: EventType;
  messageId?: string;
  userId?: string | number | null;
  anonymousId?: string | number | null;
  event?: string;
  name?: string | null;
  category?: string | null;
  groupId?: string | number | null;
  previousId?: string | number | null;
  properties?: JsonObject;
  traits?: JsonObject;
  context?: JsonObject;
  integrations?: JsonObject;
  timestamp?: string;
  originalTimestamp?: string;
  sentAt?: string;
  [extra: string]: unknown;
}

/**
 * An accepted event after the collector enriched it: `messageId` always set, identity fields as strings,
 * `receivedAt`, `originalTimestamp` (the client's clock), and `timestamp` corrected for client clock skew.
 */
export interface EnrichedEvent extends TrackingEvent {
  messageId: string;
  userId?: string;
  anonymousId?: string;
  groupId?: string;
  previousId?: string;
  receivedAt: string;
  timestamp: string;
}
