// Does the model recover the demo's planted truths? (1) Per reader segment, the taste the model learned
// (gold.reader_tastes, averaged over the segment's people) and the sections of the recommended articles against
// SEGMENT_SECTION_PREFERENCE; (2) per section, the strongest other section among co-read neighbours in
// gold.similar_articles against the planted co-reading affinity (packages/demo/README.md).
import type { DuckDBSession } from '@lens/lake';
import { SEGMENT_SECTION_PREFERENCE, sectionAffinity, type Segment } from '@lens/demo';

/** One segment: learned taste and recommended section mix vs the planted preference. */
export interface SegmentRecovery {
  segment: string;
  /** The segment's people among those evaluated (the lists' mix is theirs). */
  people: number;
  plantedTop3: string[];
  /** The sections of the segment's mean taste in gold.reader_tastes (every person of the segment in it). */
  tasteTop3: string[];
  /**
   * Total-variation distance (0 = equal) between the segment's mean taste and the planted preference, and between
   * everybody's mean taste (what a model that knows nobody would learn) and it.
   */
  distanceTaste: number;
  distanceEverybody: number;
  /** The mean over the segment's people of the distance between their own taste and the planted preference. */
  distancePerson: number;
  recommendedTop3: string[];
  /**
   * Total-variation distance between the recommended top-k lists' section mix and the planted preference, and the
   * same for popularity's lists. Reported, not a target: a list ranked for what the person will read gives its
   * slots to the strongest stories of the likeliest sections, so its mix is sharper than the preference it came
   * from (lists built from each person's true segment preference are as far: packages/recs/README.md).
   */
  distanceModel: number;
  distancePopularity: number;
}

/** The planted truths as recovered by this run. */
export interface PlantedRecovery {
  segments: SegmentRecovery[];
  coRead: { from: string; planted: string; recovered: string | null }[];
  coReadMatches: number;
}

const top = (mix: Record<string, number>, n: number): string[] =>
  Object.entries(mix)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([s]) => s);

function mixOf(
  lists: ReadonlyMap<string, readonly string[]>,
  people: readonly string[],
  sectionOf: ReadonlyMap<string, string>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  let n = 0;
  for (const p of people)
    for (const a of lists.get(p) ?? []) {
      const s = sectionOf.get(a);
      if (!s) continue;
      counts[s] = (counts[s] ?? 0) + 1;
      n++;
    }
  return Object.fromEntries(Object.entries(counts).map(([s, c]) => [s, c / Math.max(1, n)]));
}

const distance = (a: Record<string, number>, b: Readonly<Record<string, number>>): number =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].reduce((d, s) => d + Math.abs((a[s] ?? 0) - (b[s] ?? 0)), 0) / 2;

/** Compares the run's lists (`model`, `popularity`) and gold.similar_articles in `db` with the planted truths. */
export async function plantedRecovery(
  db: DuckDBSession,
  lists: { model: ReadonlyMap<string, readonly string[]>; popularity: ReadonlyMap<string, readonly string[]> },
  segments: ReadonlyMap<string, string>,
): Promise<PlantedRecovery> {
  const sectionOf = new Map(
    (await db.all('SELECT article_id, section FROM silver.content')).map((r) => [
      String(r['article_id']),
      String(r['section']),
    ]),
  );
  const bySegment = new Map<string, string[]>();
  for (const person of lists.model.keys()) {
    const seg = segments.get(person);
    if (seg) bySegment.set(seg, [...(bySegment.get(seg) ?? []), person]);
  }
  const tastes = await learnedTastes(db, segments);
  const everybody = tastes.mean.get(EVERYBODY) ?? {};
  const personDistances = new Map<string, number[]>();
  for (const [person, taste] of tastes.byPerson) {
    const segment = segments.get(person) as Segment | undefined;
    const planted = segment === undefined ? undefined : SEGMENT_SECTION_PREFERENCE[segment];
    if (segment === undefined || planted === undefined) continue;
    const own = personDistances.get(segment) ?? [];
    own.push(distance(taste, planted));
    personDistances.set(segment, own);
  }
  const segmentRows = Object.entries(SEGMENT_SECTION_PREFERENCE).map(([segment, planted]) => {
    const people = bySegment.get(segment) ?? [];
    const model = mixOf(lists.model, people, sectionOf);
    const taste = tastes.mean.get(segment) ?? {};
    const own = personDistances.get(segment) ?? [];
    return {
      segment,
      people: people.length,
      plantedTop3: top({ ...planted }, 3),
      tasteTop3: top(taste, 3),
      distanceTaste: distance(taste, planted),
      distanceEverybody: distance(everybody, planted),
      distancePerson: own.reduce((a, b) => a + b, 0) / Math.max(1, own.length),
      recommendedTop3: top(model, 3),
      distanceModel: distance(model, planted),
      distancePopularity: distance(mixOf(lists.popularity, people, sectionOf), planted),
    };
  });
  const flows =
    await db.all(`SELECT c.section AS from_s, s.similar_section AS to_s, sum(s.co_readers) AS n FROM gold.similar_articles s JOIN silver.content c USING (article_id)
    WHERE s.reason = 'co_read' AND c.section <> s.similar_section GROUP BY ALL`);
  const affinity = sectionAffinity();
  const coRead = Object.entries(affinity).map(([from, row]) => {
    const planted = top(Object.fromEntries(Object.entries(row).filter(([s]) => s !== from)), 1)[0]!;
    const mine = Object.fromEntries(
      flows.filter((f) => f['from_s'] === from).map((f) => [String(f['to_s']), Number(f['n'])]),
    );
    return { from, planted, recovered: top(mine, 1)[0] ?? null };
  });
  return {
    segments: segmentRows satisfies SegmentRecovery[],
    coRead,
    coReadMatches: coRead.filter((c) => c.planted === c.recovered).length,
  };
}

const EVERYBODY = '';

/** Each person's taste (gold.reader_tastes), and the mean per segment and of everybody (under ''). */
async function learnedTastes(
  db: DuckDBSession,
  segments: ReadonlyMap<string, string>,
): Promise<{ byPerson: Map<string, Record<string, number>>; mean: Map<string, Record<string, number>> }> {
  const byPerson = new Map<string, Record<string, number>>();
  for (const r of await db.all('SELECT person_id, section, taste FROM gold.reader_tastes')) {
    const person = String(r['person_id']);
    const taste = byPerson.get(person) ?? {};
    taste[String(r['section'])] = Number(r['taste']);
    byPerson.set(person, taste);
  }
  const sums = new Map<string, { people: number; taste: Record<string, number> }>();
  for (const [person, taste] of byPerson) {
    const segment = segments.get(person);
    for (const key of segment ? [EVERYBODY, segment] : [EVERYBODY]) {
      const entry = sums.get(key) ?? { people: 0, taste: {} };
      entry.people++;
      for (const [section, t] of Object.entries(taste)) entry.taste[section] = (entry.taste[section] ?? 0) + t;
      sums.set(key, entry);
    }
  }
  const mean = new Map(
    [...sums].map(([key, { people, taste }]) => [
      key,
      Object.fromEntries(Object.entries(taste).map(([s, t]) => [s, t / people])),
    ]),
  );
  return { byPerson, mean };
}

/** The segment of every device and user id in demo events (`generateLabelledEvents` ground truth). */
export function segmentsOf(
  labelled: Iterable<{ event: { anonymousId?: unknown; userId?: unknown }; segment: string; bot: boolean }>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of labelled) {
    if (l.bot) continue;
    if (l.event.anonymousId) out.set(String(l.event.anonymousId), l.segment);
    if (l.event.userId) out.set(String(l.event.userId), l.segment);
  }
  return out;
}

export type { Segment };
