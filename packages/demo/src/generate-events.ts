// The bulk generator: every simulated person's sessions over a period, merged into one stream in time order.
// Memory is bounded by the number of people and the sessions in progress, never by the number of events:
// an agenda (min-heap) holds each person's next session start and each open session's next event.
import type { TrackingEvent } from '@lens/protocol';
import { DAY_MS, WEEK_MS, arrivalOf, isActive, sessionTimes, type Arrival } from './activity-schedule.js';
import { requireNumber } from './errors.js';
import type { LabelledEvent } from './event-factory.js';
import { MinHeap } from './min-heap.js';
import { createPerson, isBotPerson, type Person } from './person.js';
import { CAMPAIGN_COHORT } from './planted-truths.js';
import { simulateSession } from './session-simulator.js';
import { createSessionWorld } from './session-world.js';

/** Options of `generateEvents`. */
export interface GenerateOptions {
  /** Any integer; the same seed gives the same events, messageIds included. */
  readonly seed: number;
  /** Simulated people (about 1% of them bots). */
  readonly users: number;
  /** Length of the simulated period in days. */
  readonly days: number;
  /** Start of the period (default 2025-01-06T00:00:00Z, a Monday, so weeks are ISO weeks). */
  readonly start?: Date | string | number;
}

/** The default period start: a Monday at 00:00 UTC. */
export const DEFAULT_START = '2025-01-06T00:00:00.000Z';
/** Sessions are split by more than this much inactivity (the usual web-analytics rule). */
export const SESSION_GAP_MS = 30 * 60_000;

interface PersonCursor {
  readonly index: number;
  readonly arrival: Arrival;
  person: Person | undefined;
  week: number;
  pending: number[];
  firstOfWeek: boolean;
  shifted: boolean;
}
interface Entry {
  time: number;
  seq: number;
  cursor?: PersonCursor;
  events?: LabelledEvent[];
  pos: number;
}

/**
 * Streams the events of `users` people over `days`, in time order, with ground-truth labels.
 * @example for (const { event, bot } of generateLabelledEvents({ seed: 42, users: 1000, days: 28 })) { ... }
 */
export function* generateLabelledEvents(options: GenerateOptions): Generator<LabelledEvent, void, undefined> {
  const seed = Math.trunc(requireNumber('seed', options.seed, -(2 ** 31), 2 ** 32));
  const users = Math.trunc(requireNumber('users', options.users, 1, 2 ** 30));
  const days = requireNumber('days', options.days, 1 / 24, 3650);
  const start = new Date(options.start ?? DEFAULT_START).getTime();
  requireNumber('start', start, -8.64e15, 8.64e15);
  const end = start + days * DAY_MS;
  const world = createSessionWorld(seed);
  const agenda = new MinHeap<Entry>();
  let seq = 0;
  for (let index = 0; index < users; index++) {
    const arrival = arrivalOf(seed, index, start, days, isBotPerson(seed, index));
    const cursor: PersonCursor = {
      index,
      arrival,
      person: undefined,
      week: 0,
      pending: [arrival.time],
      firstOfWeek: true,
      shifted: false,
    };
    agenda.push({ time: arrival.time, seq: seq++, cursor, pos: 0 });
  }
  for (let entry = agenda.pop(); entry !== undefined && entry.time < end; entry = agenda.pop()) {
    if (entry.events !== undefined) {
      const labelled = entry.events[entry.pos++] as LabelledEvent;
      yield labelled;
      const next = entry.events[entry.pos];
      if (next !== undefined)
        agenda.push({ time: Math.max(next.time, entry.time), seq: seq++, events: entry.events, pos: entry.pos });
      continue;
    }
    const cursor = entry.cursor as PersonCursor;
    const person = (cursor.person ??= createPerson(seed, cursor.index));
    if (!cursor.shifted) {
      // A new session needs more than SESSION_GAP_MS of silence after the last one.
      const earliest = person.lastEventAt + SESSION_GAP_MS + 60_000 + person.rng.int(SESSION_GAP_MS);
      if (earliest > entry.time) {
        const weekEnd = start + (cursor.arrival.cohortWeek + cursor.week + 1) * WEEK_MS;
        if (earliest >= weekEnd && !cursor.firstOfWeek) {
          cursor.pending.shift();
          schedule(agenda, cursor, person, start, end, () => seq++);
          continue;
        }
        cursor.shifted = true;
        agenda.push({ time: earliest, seq: seq++, cursor, pos: 0 });
        continue;
      }
    }
    cursor.shifted = false;
    cursor.firstOfWeek = false;
    cursor.pending.shift();
    const campaign = person.sessions === 0 && cursor.arrival.campaign ? { ...CAMPAIGN_COHORT.campaign } : undefined;
    const events = simulateSession(world, person, entry.time, campaign);
    if (events.length > 0)
      agenda.push({ time: Math.max((events[0] as LabelledEvent).time, entry.time), seq: seq++, events, pos: 0 });
    if (person.sessions === 1) {
      // The arrival session is the first of week 0; the week's other sessions follow it.
      const weekEnd = Math.min(end, start + (cursor.arrival.cohortWeek + 1) * WEEK_MS);
      const more = sessionTimes(person, entry.time + 1, weekEnd);
      cursor.pending = person.bot ? more : more.slice(1);
    }
    schedule(agenda, cursor, person, start, end, () => seq++);
  }
}

/** Pushes the person's next planned session, moving on to their next active week when this one is done. */
function schedule(
  agenda: MinHeap<Entry>,
  cursor: PersonCursor,
  person: Person,
  start: number,
  end: number,
  nextSeq: () => number,
): void {
  while (cursor.pending.length === 0) {
    cursor.week++;
    const weekStart = start + (cursor.arrival.cohortWeek + cursor.week) * WEEK_MS;
    if (weekStart >= end) return;
    // Retention curves only fall, so the first inactive week ends the person's story.
    if (!person.bot && !isActive(cursor.arrival, cursor.week)) return;
    cursor.pending = sessionTimes(person, weekStart, Math.min(end, weekStart + WEEK_MS));
    cursor.firstOfWeek = true;
    if (person.bot && cursor.pending.length === 0) continue;
  }
  agenda.push({ time: cursor.pending[0] as number, seq: nextSeq(), cursor, pos: 0 });
}

/**
 * Streams the events of a simulated period in time order (see `generateLabelledEvents` for the labels).
 * @example for (const event of generateEvents({ seed: 42, users: 10_000, days: 28 })) sink.write(event);
 */
export function* generateEvents(options: GenerateOptions): Generator<TrackingEvent, void, undefined> {
  for (const labelled of generateLabelledEvents(options)) yield labelled.event;
}
