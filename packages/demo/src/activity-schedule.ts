// When people visit: the week they first arrive (their cohort), whether they are still active k weeks later
// (the planted retention curve), and the session start times within an active week, shaped by a daily
// rhythm in the reader's local time. Bots crawl on most days regardless.
import type { Person } from './person.js';
import { BOTS, CAMPAIGN_COHORT, SEGMENTS, personRetentionRate } from './planted-truths.js';
import { Random, hashSeed } from './random.js';
import { WeightedTable } from './weighted-table.js';

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** Relative reading activity by local hour: morning commute, lunch and evening peaks. */
const HOURLY = new WeightedTable(
  Array.from({ length: 24 }, (_, h) => h),
  [0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 1, 2.2, 2.6, 1.8, 1.4, 1.4, 2, 1.9, 1.3, 1.2, 1.3, 1.5, 1.8, 2.2, 2.4, 2.1, 1.4, 0.7],
);

/** A person's first visit and fixed retention draw. */
export interface Arrival {
  readonly time: number;
  readonly cohortWeek: number;
  readonly campaign: boolean;
  /** Uniform draw: the person is active in week k while this is below the retention rate of k. */
  readonly retentionDraw: number;
}

/** The arrival of person `index` in a period of `days` from `start`; bots arrive on the first day. */
export function arrivalOf(seed: number, index: number, start: number, days: number, bot: boolean): Arrival {
  const rng = new Random(hashSeed(seed, 0xa441), index);
  const end = start + days * DAY_MS;
  if (bot)
    return { time: start + rng.int(Math.min(DAY_MS, end - start)), cohortWeek: 0, campaign: false, retentionDraw: 0 };
  const weeks = Math.ceil(days / 7);
  const weights = Array.from(
    { length: weeks },
    (_, w) =>
      (w === CAMPAIGN_COHORT.week ? CAMPAIGN_COHORT.arrivalWeight : 1) *
      (Math.min(end, start + (w + 1) * WEEK_MS) - (start + w * WEEK_MS)),
  );
  const week = new WeightedTable(
    weights.map((_, w) => w),
    weights,
  ).sample(rng);
  const from = start + week * WEEK_MS;
  const time = from + Math.floor(rng.next() * (Math.min(end, from + WEEK_MS) - from));
  const campaign = week === CAMPAIGN_COHORT.week && rng.chance(1 - 1 / CAMPAIGN_COHORT.arrivalWeight);
  return { time, cohortWeek: week, campaign, retentionDraw: rng.next() };
}

/** True if the person is active in week k after their cohort week. */
export function isActive(arrival: Arrival, k: number): boolean {
  return k === 0 || arrival.retentionDraw < personRetentionRate(arrival.campaign, k);
}

/** Sorted session start times of a person in [from, to): at least one, more for heavier segments. */
export function sessionTimes(person: Person, from: number, to: number): number[] {
  const rng = person.rng;
  if (person.bot) {
    const times: number[] = [];
    for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
      if (rng.chance(BOTS.crawlsPerDay)) times.push(day + rng.int(DAY_MS));
    }
    return times.filter((t) => t >= from && t < to).sort((a, b) => a - b);
  }
  const n = 1 + rng.poisson(SEGMENTS[person.segment].sessionsPerActiveWeek - 1);
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(localTime(rng, from, to, person.locality.utcOffset));
  return times.sort((a, b) => a - b);
}

function localTime(rng: Random, from: number, to: number, utcOffset: number): number {
  for (let tries = 0; tries < 8; tries++) {
    const day = Math.floor((from + rng.next() * (to - from)) / DAY_MS) * DAY_MS;
    const t = day + (HOURLY.sample(rng) - utcOffset) * 3_600_000 + rng.int(3_600_000);
    if (t >= from && t < to) return t;
  }
  return from + Math.floor(rng.next() * (to - from));
}
