// Deliberately malformed events, so the collector's quarantine and the loader's rejection paths see the
// mistakes real integrations make. Each is a copy of a valid event broken in one way, marked with the
// top-level field `_demoMalformed` (the reason) and labelled `malformed` for tests.
import type { TrackingEvent } from '@lens/protocol';
import type { LabelledEvent } from './event-factory.js';
import { nextMessageId, type Person } from './person.js';

/** The ways an event is broken; each one makes `validateEvent` reject it. */
export const MALFORMATIONS = {
  missing_type: (e: TrackingEvent) => {
    delete (e as Partial<TrackingEvent>).type;
  },
  unknown_type: (e: TrackingEvent) => {
    (e as { type: string }).type = 'trak';
  },
  track_without_event: (e: TrackingEvent) => {
    e.type = 'track';
    delete e.event;
  },
  no_identity: (e: TrackingEvent) => {
    delete e.userId;
    delete e.anonymousId;
  },
  bad_timestamp: (e: TrackingEvent) => {
    e.timestamp = 'yesterday at noon';
  },
  properties_not_object: (e: TrackingEvent) => {
    (e as { properties: unknown }).properties = 'article_id=123';
  },
  empty_message_id: (e: TrackingEvent) => {
    e.messageId = '';
  },
  alias_without_previous_id: (e: TrackingEvent) => {
    e.type = 'alias';
    e.userId ??= 'u-unknown';
    delete e.previousId;
  },
} as const satisfies Record<string, (event: TrackingEvent) => void>;
export type Malformation = keyof typeof MALFORMATIONS;
const KINDS = Object.keys(MALFORMATIONS) as Malformation[];

/** A broken copy of `source` (a fresh messageId, same time), marked with the reason. */
export function malformedCopy(source: LabelledEvent, person: Person): LabelledEvent {
  const kind = person.rng.pick(KINDS);
  const event: TrackingEvent = { ...source.event, messageId: nextMessageId(person), _demoMalformed: kind };
  MALFORMATIONS[kind](event);
  return { event, time: source.time, person: source.person, segment: source.segment, bot: source.bot, malformed: kind };
}
