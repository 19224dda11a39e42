// What every session draws from besides the person: the article catalogue and the planted section
// distributions turned into samplers. Built once per generator (cheap) and shared by all sessions.
import { ArticleCatalog } from './article-catalog.js';
import { SECTIONS, type Section } from './media-group.js';
import {
  RECOMMENDATIONS,
  SEGMENTS,
  SEGMENT_SECTION_PREFERENCE,
  sectionAffinity,
  type RecommendationList,
  type Segment,
} from './planted-truths.js';
import { WeightedTable } from './weighted-table.js';

/** Samplers and catalogue shared by the sessions of one generator. */
export interface SessionWorld {
  readonly seed: number;
  readonly catalog: ArticleCatalog;
  /** Row A: the section of the next article read after one in section A. */
  readonly affinity: Readonly<Record<Section, WeightedTable<Section>>>;
  /** The section of the first article of a session, per segment. */
  readonly preference: Readonly<Record<Segment, WeightedTable<Section>>>;
  readonly recommendationLists: WeightedTable<RecommendationList>;
}

/** Builds the session world of a seed. */
export function createSessionWorld(seed: number): SessionWorld {
  const matrix = sectionAffinity();
  const affinity = Object.fromEntries(SECTIONS.map((s) => [s, WeightedTable.fromRecord(matrix[s])])) as Record<
    Section,
    WeightedTable<Section>
  >;
  const segments = Object.keys(SEGMENTS) as Segment[];
  const preference = Object.fromEntries(
    segments.map((g) => [g, WeightedTable.fromRecord(SEGMENT_SECTION_PREFERENCE[g])]),
  ) as Record<Segment, WeightedTable<Section>>;
  return {
    seed,
    catalog: new ArticleCatalog(seed),
    affinity,
    preference,
    recommendationLists: WeightedTable.fromRecord(RECOMMENDATIONS.listMix),
  };
}
