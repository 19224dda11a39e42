// Server-side enrichment of an accepted event, as the Segment/RudderStack gateways do it: a messageId when
// missing, identities as strings, receivedAt, the request IP, and a timestamp corrected for client clock skew.
// Shared by the collector (version-2 records) and the readers of request records (version 3), which replay it:
// given the same facts and message ids it yields the same event.
import type { EnrichedEvent, JsonObject, TrackingEvent } from './event.js';
import { isoString, parseTimestampMs } from './timestamp.js';

/** What the request tells about every event in it. */
export interface RequestFacts {
  receivedAt: Date;
  /** `receivedAt` as ISO-8601, computed once per request. */
  receivedAtIso: string;
  requestIp: string | undefined;
  /** `sentAt` of the batch envelope, or else the `SentAt` header. */
  sentAt: string | undefined;
  /** Decoded `AnonymousId` header (RudderStack), used when an event carries no identity of its own. */
  anonymousId: string | undefined;
  /** Envelope-level context/integrations of a batch, applied to every event (Segment HTTP API). */
  context: JsonObject | undefined;
  integrations: JsonObject | undefined;
}

const IDENTITY_FIELDS = ['userId', 'anonymousId', 'groupId', 'previousId'] as const;

/** Fields where null means absent besides the ids: the objects, the client's times and the message id. */
const NULL_IS_ABSENT = [
  'properties',
  'traits',
  'context',
  'integrations',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'messageId',
] as const;

/**
 * Enriches a validated event in place and returns it. Clock skew per the Segment spec:
 * `timestamp = receivedAt − (sentAt − originalTimestamp)` when the client sent both times; a `timestamp`
 * sent beside an `originalTimestamp` was set by the caller on purpose and is kept. `mintMessageId` gives the
 * message id of an event that has none (the collector mints one; a replay passes the one it minted).
 */
export function enrichEvent(event: TrackingEvent, facts: RequestFacts, mintMessageId: () => string): EnrichedEvent {
  for (const field of IDENTITY_FIELDS) {
    const value = event[field];
    if (value === null || value === '') delete event[field];
    else if (typeof value === 'number') event[field] = String(value);
  }
  // null is absent for these too (as for the ids): `"properties": null` is no properties.
  for (const field of NULL_IS_ABSENT) if (event[field] === null) delete event[field];
  if (event.messageId === undefined) event.messageId = mintMessageId();
  // analytics.js puts the write key in each event's body: a credential, not event data, so it never reaches the lake.
  if ((event as { writeKey?: unknown }).writeKey !== undefined) delete (event as { writeKey?: unknown }).writeKey;

  if (facts.context !== undefined) event.context = { ...facts.context, ...event.context };
  if (facts.integrations !== undefined) event.integrations = { ...facts.integrations, ...event.integrations };
  if (facts.requestIp !== undefined) {
    if (event.context === undefined) event.context = { ip: facts.requestIp };
    else if (event.context.ip === undefined || event.context.ip === null) event.context.ip = facts.requestIp;
  }

  const receivedMs = facts.receivedAt.getTime();
  // Segment SDKs stamp `timestamp` (client clock); RudderStack SDKs stamp `originalTimestamp` and leave
  // `timestamp` for a time the caller set explicitly, which is then kept as is (as rudder-server does).
  const explicitMs =
    event.originalTimestamp !== undefined && event.timestamp !== undefined
      ? parseTimestampMs(event.timestamp)
      : Number.NaN;
  const original = event.originalTimestamp ?? event.timestamp;
  const sentAt = event.sentAt ?? facts.sentAt;
  const originalMs = original === undefined ? Number.NaN : parseTimestampMs(original);
  const sentMs = sentAt === undefined ? Number.NaN : sentAtMs(sentAt);
  if (!Number.isNaN(originalMs)) event.originalTimestamp = canonical(original!, originalMs);
  if (!Number.isNaN(sentMs)) event.sentAt = canonical(sentAt!, sentMs);
  let timestampMs = receivedMs;
  if (!Number.isNaN(explicitMs)) timestampMs = explicitMs;
  else if (!Number.isNaN(originalMs)) {
    const corrected = Number.isNaN(sentMs) ? originalMs : receivedMs - (sentMs - originalMs);
    // Absurd client times can push the correction past what a Date holds (±275,760 years): then it is left out
    // (the loader's checks correct an implausible timestamp, with a reason).
    timestampMs = Math.abs(corrected) <= MAX_DATE_MS ? corrected : originalMs;
  }
  event.timestamp =
    timestampMs === receivedMs
      ? facts.receivedAtIso
      : timestampMs === originalMs
        ? event.originalTimestamp! // no sentAt to correct by: the client's time, already in canonical form
        : isoString(timestampMs);
  event.receivedAt = facts.receivedAtIso;
  return event as EnrichedEvent;
}

/** The last sentAt parsed: every event of a batch shares its envelope's. */
let lastSentAt: string | undefined;
let lastSentMs = Number.NaN;

function sentAtMs(sentAt: string): number {
  if (sentAt !== lastSentAt) {
    lastSentMs = parseTimestampMs(sentAt);
    lastSentAt = sentAt;
  }
  return lastSentMs;
}

/** The largest distance from the epoch a Date can hold. */
const MAX_DATE_MS = 8.64e15;

/** The ISO-8601 UTC form of a timestamp, reusing the client's string when it already is exactly that. */
function canonical(value: string, ms: number): string {
  const isCanonical =
    value.length === 24 &&
    value[23] === 'Z' &&
    value[19] === '.' &&
    value[10] === 'T' &&
    value[4] === '-' &&
    value[7] === '-';
  return isCanonical ? value : isoString(ms);
}

/** RudderStack's `AnonymousId` header stands in for an event that carries no identity of its own. */
export function adoptHeaderIdentity(input: unknown, anonymousId: string): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  const event = input as { userId?: unknown; anonymousId?: unknown };
  const blank = (value: unknown): boolean => value === undefined || value === null || value === '';
  if (blank(event.userId) && blank(event.anonymousId)) event.anonymousId = anonymousId;
}
