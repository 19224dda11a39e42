// The articles of the group, made on demand per (section, day) from the seed so memory stays bounded however
// long the simulated period: a few thousand articles are cached at a time. Popularity is Zipf by rank within
// a section-day, readers favour fresh days, and breaking stories spike at publication and decay over hours.
import { AUTHORS, HEADLINE_VERBS, SECTIONS, TOPICS, siteOf, type Section } from './media-group.js';
import { POPULARITY, VIDEO } from './planted-truths.js';
import { Random, hashSeed } from './random.js';
import { WeightedTable, zipfWeights } from './weighted-table.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** One published article. `rank` is its popularity rank within its section-day (0 = most read). */
export interface Article {
  readonly id: string;
  readonly site: string;
  readonly section: Section;
  readonly author: string;
  readonly tags: readonly string[];
  readonly publishedAt: number;
  readonly title: string;
  readonly url: string;
  readonly path: string;
  readonly hasVideo: boolean;
  readonly breaking: boolean;
  readonly rank: number;
}

const AGE_TABLE = new WeightedTable(
  Array.from({ length: POPULARITY.maxAgeDays + 1 }, (_, d) => d),
  Array.from({ length: POPULARITY.maxAgeDays + 1 }, (_, d) => Math.pow(POPULARITY.ageDecay, d)),
);
const ZIPF_TABLES = new Map<number, WeightedTable<number>>();
function zipfTable(n: number): WeightedTable<number> {
  let table = ZIPF_TABLES.get(n);
  if (table === undefined)
    ZIPF_TABLES.set(
      n,
      (table = new WeightedTable(
        Array.from({ length: n }, (_, i) => i),
        zipfWeights(n, POPULARITY.zipfExponent),
      )),
    );
  return table;
}

/** Seeded, lazily built catalogue of articles. */
export class ArticleCatalog {
  readonly #seed: number;
  readonly #cache = new Map<number, Article[]>();

  constructor(seed: number) {
    this.#seed = seed;
  }

  /** The articles of one section published on a UTC day (epoch day number), in rank order. */
  articlesOf(section: Section, day: number): readonly Article[] {
    const sectionIndex = SECTIONS.indexOf(section);
    const key = day * 16 + sectionIndex;
    let list = this.#cache.get(key);
    if (list === undefined) {
      // Old days are evicted in insertion order: the simulation clock only moves forward.
      if (this.#cache.size > 64 * SECTIONS.length) this.#cache.delete(this.#cache.keys().next().value as number);
      list = buildSectionDay(this.#seed, section, sectionIndex, day);
      this.#cache.set(key, list);
    }
    return list;
  }

  /** Picks the article a reader of `section` opens at time `now`, by freshness, rank and breaking spikes. */
  pick(section: Section, now: number, rng: Random): Article {
    const today = Math.floor(now / DAY_MS);
    for (let day = today - AGE_TABLE.sample(rng); ; day--) {
      const list = this.articlesOf(section, day);
      const lead = list[0] as Article;
      if (lead.breaking && now >= lead.publishedAt && now - lead.publishedAt < 2 * DAY_MS) {
        const share =
          POPULARITY.breakingPeakShare *
          Math.exp(-(now - lead.publishedAt) / (POPULARITY.breakingDecayHours * HOUR_MS));
        if (rng.chance(share)) return lead;
      }
      const article = list[zipfTable(list.length).sampleIndex(rng)] as Article;
      if (article.publishedAt <= now) return article;
      // Not yet published at `now`: the reader opens an older story instead.
    }
  }
}

function buildSectionDay(seed: number, section: Section, sectionIndex: number, day: number): Article[] {
  const rng = new Random(hashSeed(seed, 0xa871c1e), hashSeed(day, sectionIndex));
  const site = siteOf(section);
  const [min, max] = POPULARITY.articlesPerSectionDay;
  const n = rng.between(min, max);
  const breaking = rng.chance(POPULARITY.breakingShare);
  // Serial numbers are a shuffle of the ranks so ids do not give popularity away.
  const serials = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [serials[i], serials[j]] = [serials[j] as number, serials[i] as number];
  }
  const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
  const topics = TOPICS[section];
  return Array.from({ length: n }, (_, rank) => {
    const tags = [rng.pick(topics), rng.pick(topics)].filter((t, i, all) => all.indexOf(t) === i);
    const isBreaking = breaking && rank === 0;
    const title = `${isBreaking ? 'Breaking: ' : ''}${capitalise(rng.pick(HEADLINE_VERBS))} ${tags.join(' and ')}`;
    // The whole section name: a 3-letter prefix made football and food articles of a day share ids.
    const id = `${section}-${day.toString(36)}-${(serials[rank] as number).toString().padStart(2, '0')}`;
    const path = `/${section}/${date.replaceAll('-', '/')}/${slug(title)}-${id}`;
    // Publication hours cluster in the working day (06:00–22:00 UTC).
    const publishedAt = day * DAY_MS + Math.floor((6 + rng.next() * 16) * HOUR_MS);
    return {
      id,
      site: site.id,
      section,
      author: rng.pick(AUTHORS[section]),
      tags,
      publishedAt,
      title,
      url: `https://${site.domain}${path}`,
      path,
      hasVideo: rng.chance(VIDEO.articleShare),
      breaking: isBreaking,
      rank,
    };
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
