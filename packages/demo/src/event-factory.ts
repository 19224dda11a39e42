// Builds Segment-spec events for one person on one device: ids, timestamps, the context the SDK would send.
// Every event of the generator goes through here, so the wire shape is decided in one place.
import type { JsonObject, TrackingEvent } from '@lens/protocol';
import { isApp } from './device-profiles.js';
import { nextMessageId, type Device, type Person } from './person.js';

/** A generated event with the ground truth tests and demos need (never sent on the wire). */
export interface LabelledEvent {
  readonly event: TrackingEvent;
  /** The event time in epoch milliseconds (the same instant as `event.timestamp`). */
  readonly time: number;
  /** Index of the simulated person (stable for a seed). */
  readonly person: number;
  readonly segment: string;
  readonly bot: boolean;
  /** Set on deliberately malformed events: which rule the event breaks. */
  readonly malformed?: string;
}

/** Page facts a web event carries in `context.page` and its properties. */
export interface PageInfo {
  readonly url: string;
  readonly path: string;
  readonly title: string;
  readonly referrer: string;
  readonly search: string;
}

/** Collects one session's events for one person and device. */
export class EventFactory {
  readonly events: LabelledEvent[] = [];
  readonly #person: Person;
  readonly #device: Device;
  readonly #campaign: JsonObject | undefined;
  #page: PageInfo | undefined;

  constructor(person: Person, device: Device, campaign: JsonObject | undefined) {
    this.#person = person;
    this.#device = device;
    this.#campaign = campaign;
  }

  get isApp(): boolean {
    return isApp(this.#device.kind);
  }

  /** The page the following web events happen on. */
  setPage(page: PageInfo): void {
    this.#page = page;
  }

  /** Appends one event of `type` at `time` with the given type-specific fields. */
  emit(type: TrackingEvent['type'], at: number, fields: Partial<TrackingEvent>): TrackingEvent {
    const time = Math.floor(at); // timestamps carry milliseconds, so the label time must too
    const person = this.#person;
    const device = this.#device;
    const context: JsonObject = { ...device.context };
    if (this.#page !== undefined && !this.isApp) context.page = { ...this.#page };
    if (this.#campaign !== undefined) context.campaign = this.#campaign;
    // SDKs flush in batches: web within seconds, apps on a timer of up to half a minute.
    const delay = this.isApp ? 1000 + person.rng.int(29_000) : 200 + person.rng.int(2800);
    const event: TrackingEvent = {
      type,
      messageId: nextMessageId(person),
      anonymousId: device.anonymousId,
      ...(device.loggedIn && person.userId !== undefined ? { userId: person.userId } : {}),
      ...fields,
      context,
      timestamp: new Date(time).toISOString(),
      sentAt: new Date(time + delay).toISOString(),
    };
    this.events.push({ event, time, person: person.index, segment: person.segment, bot: person.bot });
    person.lastEventAt = Math.max(person.lastEventAt, time);
    return event;
  }

  /** Appends a `track` call. */
  track(time: number, event: string, properties: JsonObject): TrackingEvent {
    return this.emit('track', time, { event, properties });
  }

  /** Appends a deliberately malformed event (already broken by the caller), marked for tests. */
  pushMalformed(event: TrackingEvent, time: number, reason: string): void {
    const person = this.#person;
    this.events.push({
      event,
      time,
      person: person.index,
      segment: person.segment,
      bot: person.bot,
      malformed: reason,
    });
  }
}
