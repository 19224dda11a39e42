// The structure planted in the generated events, as explicit numbers: what analyses (funnels, retention,
// affinity, recommendations) must recover. Every behavioural draw reads its probability from here, and the
// distribution tests check the generated events against these same constants.
import { SECTIONS, type Section } from './media-group.js';

/** The reader segments, their share of human users and their habits. */
export const SEGMENTS = {
  news_junkie: { share: 0.35, sessionsPerActiveWeek: 4, continueRate: 0.7 },
  sports_fan: { share: 0.25, sessionsPerActiveWeek: 3, continueRate: 0.6 },
  lifestyle_reader: { share: 0.25, sessionsPerActiveWeek: 2, continueRate: 0.55 },
  business_pro: { share: 0.15, sessionsPerActiveWeek: 3, continueRate: 0.6 },
} as const;
export type Segment = keyof typeof SEGMENTS;

/** P(section of the first article of a session | segment): the section preference of each segment. */
export const SEGMENT_SECTION_PREFERENCE: Readonly<Record<Segment, Readonly<Record<Section, number>>>> = {
  news_junkie: {
    news: 0.3,
    politics: 0.25,
    opinion: 0.15,
    business: 0.08,
    tech: 0.06,
    science: 0.05,
    culture: 0.04,
    football: 0.03,
    motorsport: 0.01,
    food: 0.02,
    travel: 0.01,
  },
  sports_fan: {
    football: 0.45,
    motorsport: 0.25,
    news: 0.1,
    politics: 0.03,
    business: 0.02,
    tech: 0.04,
    science: 0.02,
    opinion: 0.03,
    culture: 0.03,
    food: 0.02,
    travel: 0.01,
  },
  lifestyle_reader: {
    food: 0.35,
    travel: 0.25,
    culture: 0.15,
    news: 0.08,
    politics: 0.02,
    business: 0.02,
    tech: 0.03,
    science: 0.04,
    opinion: 0.02,
    football: 0.02,
    motorsport: 0.02,
  },
  business_pro: {
    business: 0.35,
    tech: 0.25,
    politics: 0.12,
    news: 0.12,
    science: 0.06,
    opinion: 0.04,
    culture: 0.02,
    football: 0.01,
    motorsport: 0.01,
    food: 0.01,
    travel: 0.01,
  },
};

/** Co-reading: P(next article's section = same section) within a session. */
export const AFFINITY_STAY = 0.35;

/** Co-reading: planted P(next article's section = B | this article's section = A), for A ≠ B. */
export const AFFINITY_PAIRS: readonly (readonly [Section, Section, number])[] = [
  ['news', 'politics', 0.25],
  ['politics', 'opinion', 0.25],
  ['opinion', 'politics', 0.2],
  ['business', 'tech', 0.25],
  ['tech', 'science', 0.2],
  ['science', 'tech', 0.2],
  ['culture', 'food', 0.15],
  ['football', 'motorsport', 0.2],
  ['motorsport', 'football', 0.3],
  ['food', 'travel', 0.3],
  ['travel', 'food', 0.25],
];

/** Base popularity of sections, used to spread the rest of each affinity row. */
export const SECTION_BASE_WEIGHT: Readonly<Record<Section, number>> = {
  news: 0.2,
  politics: 0.12,
  business: 0.1,
  tech: 0.1,
  science: 0.06,
  opinion: 0.06,
  culture: 0.06,
  football: 0.12,
  motorsport: 0.04,
  food: 0.08,
  travel: 0.06,
};

/**
 * The full within-session transition matrix: row A is P(next section | A). Stay and planted pairs as above;
 * the remainder of each row is spread over the other sections in proportion to their base weight.
 */
export function sectionAffinity(): Record<Section, Record<Section, number>> {
  const matrix = {} as Record<Section, Record<Section, number>>;
  for (const from of SECTIONS) {
    const row = Object.fromEntries(SECTIONS.map((s) => [s, 0])) as Record<Section, number>;
    row[from] = AFFINITY_STAY;
    const planted = AFFINITY_PAIRS.filter(([a]) => a === from);
    for (const [, to, p] of planted) row[to] = p;
    const open = SECTIONS.filter((s) => s !== from && !planted.some(([, to]) => to === s));
    const rest = 1 - AFFINITY_STAY - planted.reduce((sum, [, , p]) => sum + p, 0);
    const openWeight = open.reduce((sum, s) => sum + SECTION_BASE_WEIGHT[s], 0);
    for (const s of open) row[s] = (rest * SECTION_BASE_WEIGHT[s]) / openWeight;
    matrix[from] = row;
  }
  return matrix;
}

/** Weekly retention: P(a person is active in week k after the week of their first visit), k = 0..12. */
export const RETENTION_CURVE = [1, 0.42, 0.33, 0.29, 0.26, 0.24, 0.225, 0.21, 0.2, 0.19, 0.18, 0.175, 0.17] as const;
/** Beyond week 12 the curve keeps decaying by this factor per week. */
export const RETENTION_TAIL_DECAY = 0.97;

/**
 * A paid-social campaign in the third week (cohort 2) doubles that week's arrivals; the extra half are campaign
 * arrivals (with `context.campaign` on their first session) of lower quality: from week 1 on their retention
 * is the curve times `retentionFactor`. So cohort 2 as a whole retains (1 + factor) / 2 = 0.8 of the curve.
 */
export const CAMPAIGN_COHORT = {
  week: 2,
  arrivalWeight: 2,
  retentionFactor: 0.6,
  campaign: { source: 'facebook', medium: 'paid_social', name: 'spring-subscription-push', content: 'video-ad-b' },
} as const;

/** P(active in week k after arrival) of one person; campaign arrivals retain less. */
export function personRetentionRate(campaign: boolean, k: number): number {
  if (k <= 0) return 1;
  const last = RETENTION_CURVE.length - 1;
  const base =
    k <= last
      ? (RETENTION_CURVE[k] as number)
      : (RETENTION_CURVE[last] as number) * Math.pow(RETENTION_TAIL_DECAY, k - last);
  return campaign ? base * CAMPAIGN_COHORT.retentionFactor : base;
}

/** Expected share of a weekly cohort active k weeks after its first week: the per-cohort retention curve. */
export function retentionRate(cohortWeek: number, k: number): number {
  if (cohortWeek !== CAMPAIGN_COHORT.week) return personRetentionRate(false, k);
  const campaignShare = 1 - 1 / CAMPAIGN_COHORT.arrivalWeight;
  return (1 - campaignShare) * personRetentionRate(false, k) + campaignShare * personRetentionRate(true, k);
}

/** The subscription funnel, as step rates between consecutive events of one person. */
export const FUNNEL = {
  /** P(Paywall Shown right after an Article Viewed | the reader is not a subscriber). */
  paywallPerArticleView: 0.2,
  /** P(Subscription Started right after a Paywall Shown). */
  subscribePerPaywall: 0.06,
} as const;

/** Recommendation widgets: share of article views followed by one, the list mix, and click-through rates. */
export const RECOMMENDATIONS = {
  shownPerArticleView: 0.7,
  listMix: { related: 0.6, 'most-read': 0.25, 'for-you': 0.15 },
  clickThroughRate: { related: 0.15, 'most-read': 0.08, 'for-you': 0.12 },
  itemsPerList: 5,
} as const;
export type RecommendationList = keyof typeof RECOMMENDATIONS.listMix;

/** Search: share of (non-recommendation) navigations done through search, zero-result share, click rate. */
export const SEARCH = { perNavigation: 0.12, zeroResultRate: 0.08, clickRate: 0.6 } as const;

/** Video: share of articles with a video, and P(Video Played | view of such an article). */
export const VIDEO = { articleShare: 0.2, playRate: 0.35 } as const;

/** Identity: share of humans who register (newsletter or account), and of those, the extra devices. */
export const IDENTITY = {
  registerShare: 0.4,
  /** Mean number of anonymous sessions before registering. */
  meanSessionsBeforeRegistering: 2,
  newsletterRouteShare: 0.5,
  extraDevices: { 0: 0.3, 1: 0.5, 2: 0.2 },
  /** Share of registered business_pro readers on a corporate plan (a `group` call). */
  corporateShare: 0.3,
} as const;

/** Bots: share of all users, and their behaviour (daily crawls of many pages, seconds apart). */
export const BOTS = {
  userShare: 0.01,
  crawlsPerDay: 0.3,
  pagesPerCrawl: [20, 60],
  secondsBetweenPages: [0.2, 2],
} as const;

/** Share of generated events followed by a deliberately malformed copy (marked `_demoMalformed`). */
export const MALFORMED_RATE = 0.002;

/** Article popularity: Zipf exponent over the articles of one section-day, breaking-story odds and decay. */
export const POPULARITY = {
  zipfExponent: 1.07,
  articlesPerSectionDay: [6, 14],
  /** P(age in days = d) ∝ ageDecay^d: readers mostly read today's stories. */
  ageDecay: 0.45,
  maxAgeDays: 14,
  breakingShare: 0.15,
  /** A breaking story takes this share of its section's reads at publication, halving every ~4 hours. */
  breakingPeakShare: 0.6,
  breakingDecayHours: 6,
} as const;
