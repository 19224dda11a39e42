// The live stream: a fixed pool of people starting sessions as a Poisson process whose rate is calibrated so
// the events come at `rate` per second on average, with timestamps from `start` on (wall-clock "now" in the
// live sender). Sessions are warmed up ten minutes before `start` so traffic is at full rate at once.
import { requireNumber } from './errors.js';
import type { LabelledEvent } from './event-factory.js';
import { SESSION_GAP_MS } from './generate-events.js';
import { MinHeap } from './min-heap.js';
import { createPerson, type Person } from './person.js';
import { Random, hashSeed } from './random.js';
import { simulateSession } from './session-simulator.js';
import { createSessionWorld, type SessionWorld } from './session-world.js';

/** Options of `liveEvents`. */
export interface LiveEventsOptions {
  readonly seed: number;
  /** Size of the pool of simulated people. */
  readonly users: number;
  /** Target events per second (a long-run average; arrivals are random). */
  readonly rate: number;
  /** Epoch ms of the first event; the live sender passes Date.now(). */
  readonly start: number;
}

const WARM_UP_MS = 10 * 60_000;
const CALIBRATION_SESSIONS = 400;

interface Entry {
  time: number;
  seq: number;
  events: LabelledEvent[];
  pos: number;
}

/**
 * An endless, time-ordered stream of labelled events from `start` on, at about `rate` events/s.
 * @example const it = liveEvents({ seed: 1, users: 500, rate: 50, start: Date.now() });
 */
export function* liveEvents(options: LiveEventsOptions): Generator<LabelledEvent, never, undefined> {
  const seed = Math.trunc(requireNumber('seed', options.seed, -(2 ** 31), 2 ** 32));
  const users = Math.trunc(requireNumber('users', options.users, 1, 2 ** 30));
  const rate = requireNumber('rate', options.rate, 0.001, 1e6);
  const start = requireNumber('start', options.start, 0, 8.64e15);
  const world = createSessionWorld(seed);
  const meanEvents = meanEventsPerSession(world, seed, users, start);
  const sessionsPerMs = rate / meanEvents / 1000;
  const rng = new Random(hashSeed(seed, 0x11fe), users);
  const people = new Map<number, Person>();
  const agenda = new MinHeap<Entry>();
  let seq = 0;
  let nextArrival = start - WARM_UP_MS;
  for (;;) {
    const top = agenda.peek();
    if (top === undefined || nextArrival <= top.time) {
      // A person already in a session is not picked again: try a few others before giving this arrival up.
      for (let tries = 0; tries < 8; tries++) {
        const index = rng.int(users);
        const person = people.get(index) ?? createPerson(seed, index);
        people.set(index, person);
        if (person.lastEventAt + SESSION_GAP_MS >= nextArrival) continue;
        const events = simulateSession(world, person, nextArrival);
        if (events.length > 0) agenda.push({ time: (events[0] as LabelledEvent).time, seq: seq++, events, pos: 0 });
        break;
      }
      nextArrival += rng.exponential(1 / sessionsPerMs);
      continue;
    }
    agenda.pop();
    const labelled = top.events[top.pos++] as LabelledEvent;
    const next = top.events[top.pos];
    if (next !== undefined)
      agenda.push({ time: Math.max(next.time, top.time), seq: seq++, events: top.events, pos: top.pos });
    if (labelled.time >= start) yield labelled;
  }
}

/** Average events of one session, measured on throwaway people of the same world (same bot share). */
function meanEventsPerSession(world: SessionWorld, seed: number, users: number, start: number): number {
  let events = 0;
  for (let i = 0; i < CALIBRATION_SESSIONS; i++) {
    const person = createPerson(hashSeed(seed, 0xca11b), i % Math.max(users, 50));
    events += simulateSession(world, person, start - WARM_UP_MS + i * 1000).length;
  }
  return events / CALIBRATION_SESSIONS;
}
